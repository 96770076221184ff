/** Admin user page: auto-trading usage, reservations and the webhook deliveries to the trading engine (with replay). */
import { useState } from 'react';
import { ApiFailure } from '../../api.ts';
import { engineApi, type WebhookDeliveryView } from '../../engine-api.ts';
import { useLoad } from '../../hooks.ts';
import { dateTime, number, won } from '../../format.ts';
import { UsageMeter } from '../../components/UsageBar.tsx';
import { Badge, Notice } from '../../components/ui.tsx';
import { ActionsHeader } from './console-ui.tsx';

const DELIVERY_STATUS: Record<WebhookDeliveryView['status'], { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  succeeded: { label: '전송됨', tone: 'success' },
  pending: { label: '재시도 대기', tone: 'warning' },
  failed: { label: '실패', tone: 'danger' },
};

const RESERVATION_STATUS: Record<string, string> = { reserved: '예약', committed: '확정', released: '해제', expired: '만료' };

export function AdminEngineSection({ userId }: { userId: string }) {
  const usage = useLoad((signal) => engineApi.userUsage(userId, signal), [userId]);
  const deliveries = useLoad((signal) => engineApi.deliveries(userId, signal), [userId]);
  const [flash, setFlash] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function replay(d: WebhookDeliveryView) {
    setBusy(d.id);
    try {
      await engineApi.replay(d.id);
      setFlash({ tone: 'success', text: `${d.event_type} (순번 ${d.seq}) 재전송을 예약했습니다.` });
      deliveries.reload();
    } catch (err) {
      setFlash({ tone: 'danger', text: err instanceof ApiFailure ? err.message : '재전송하지 못했습니다.' });
    } finally {
      setBusy(null);
    }
  }

  const reservations = usage.state === 'ready' ? usage.data.reservations : [];
  return (
    <>
      <h3 className="subsection-title">자동매매 사용량</h3>
      <section className="card" aria-label="자동매매 사용량">
        {usage.state === 'ready' ? (
          usage.data.entitlements.auto_trading_enabled ? (
            <UsageMeter u={usage.data.entitlements} />
          ) : (
            <p className="muted">자동매매를 쓸 수 없는 사용자입니다 ({usage.data.entitlements.plan}).</p>
          )
        ) : usage.state === 'error' ? (
          <p className="muted">사용량을 불러오지 못했습니다: {usage.error.message}</p>
        ) : (
          <p className="muted">불러오는 중…</p>
        )}
        {reservations.length > 0 && (
          <table className="admin-table" aria-label="한도 예약">
            <thead>
              <tr>
                <th scope="col">거래 ID</th>
                <th scope="col">상태</th>
                <th scope="col" className="num">
                  금액
                </th>
                <th scope="col">만료</th>
              </tr>
            </thead>
            <tbody>
              {reservations.map((r) => (
                <tr key={r.reservation_id ?? r.id ?? r.trade_id}>
                  <td className="mono">{r.trade_id}</td>
                  <td>{RESERVATION_STATUS[r.status] ?? r.status}</td>
                  <td className="num">{won(r.committed_krw ?? r.amount_krw)}</td>
                  <td>{r.expires_at ? dateTime(r.expires_at) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <h3 className="subsection-title">엔진 웹훅 전송 ({deliveries.state === 'ready' ? number(deliveries.data.deliveries.length) : '…'}건)</h3>
      <div aria-live="polite">{flash && <Notice tone={flash.tone}>{flash.text}</Notice>}</div>
      {deliveries.state === 'ready' && deliveries.data.deliveries.length === 0 && (
        <div className="card empty">
          <p className="empty-title">전송한 웹훅이 없습니다</p>
        </div>
      )}
      {deliveries.state === 'ready' && deliveries.data.deliveries.length > 0 && (
        <div className="card table-card">
          <table className="admin-table" aria-label="엔진 웹훅 전송">
            <thead>
              <tr>
                <th scope="col">순번</th>
                <th scope="col">이벤트</th>
                <th scope="col">상태</th>
                <th scope="col">시도</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {deliveries.data.deliveries.map((d) => {
                const st = DELIVERY_STATUS[d.status];
                return (
                  <tr key={d.id} data-delivery-id={d.id}>
                    <td>{d.seq}</td>
                    <td>
                      {d.event_type}
                      <div className="muted small mono">{d.event_id}</div>
                    </td>
                    <td>
                      <Badge tone={st.tone}>{st.label}</Badge>
                      {d.next_attempt_at && <div className="muted small">다음 시도 {dateTime(d.next_attempt_at)}</div>}
                      {d.status === 'pending' && !d.next_attempt_at && <div className="muted small">엔드포인트가 꺼져 있어 대기 중 (켜면 순서대로 보냅니다)</div>}
                    </td>
                    <td>
                      {number(d.attempts)}회
                      <ul className="delivery-log">
                        {d.log.map((a) => (
                          <li key={a.attempt + a.at}>
                            {dateTime(a.at)} · {a.status_code ?? '응답 없음'} · {a.duration_ms}ms{a.error ? ` · ${a.error}` : ''}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-secondary btn-sm"
                        disabled={busy === d.id}
                        onClick={() => void replay(d)}
                        aria-label={`${d.event_type} 순번 ${d.seq} 재전송`}
                      >
                        재전송
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
