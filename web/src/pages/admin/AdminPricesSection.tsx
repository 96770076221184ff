/**
 * /admin/prices: plan prices as versions (docs/pricing.md). Staff with `prices.manage` add a
 * version: an increase at least 30 days ahead (전자상거래법 제13조: notice and consent before
 * the first higher charge; the server refuses sooner with PRICE_NOTICE_TOO_SHORT), a decrease
 * at once or later, and withdraw a version not in effect yet (PRICE_ALREADY_EFFECTIVE otherwise).
 * The page shows what the API says; it computes no prices.
 */
import { useId, useState } from 'react';
import { ApiFailure, newIdempotencyKey, request } from '../../api.ts';
import type { AdminPlanPricesView, AdminPricesResponse, SetPriceResponse, WithdrawPriceResponse } from '../../../../src/http/schemas/price-schemas.ts';
import { date, dateTime, won } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { Badge, Notice } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';

const message = (e: unknown) => (e instanceof ApiFailure ? e.message : '요청을 처리하지 못했습니다. 다시 시도해 주세요.');

export function AdminPricesPage() {
  return (
    <AdminShell>
      <AdminPricesSection />
    </AdminShell>
  );
}

interface Draft {
  plan: string;
  priceKrw: number;
  /** yyyy-mm-dd (Korea time midnight), or '' for now. */
  day: string;
}

export function AdminPricesSection() {
  const id = useId();
  const prices = useLoad((signal) => request<AdminPricesResponse>('GET', '/api/admin/prices', { signal }).then((r) => r.body), []);
  const [plan, setPlan] = useState('');
  const [price, setPrice] = useState('');
  const [day, setDay] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<SetPriceResponse | null>(null);
  const [key, setKey] = useState('');
  const [withdrawing, setWithdrawing] = useState<AdminPlanPricesView | null>(null);
  const [withdrawn, setWithdrawn] = useState<WithdrawPriceResponse | null>(null);

  const data = prices.state === 'ready' ? prices.data : null;
  const planId = plan || data?.plans[0]?.id || '';
  const selected = data?.plans.find((p) => p.id === planId);

  const review = () => {
    const n = Number(price);
    if (!selected) return setFormError('플랜을 고르세요.');
    if (!Number.isSafeInteger(n) || n <= 0) return setFormError('가격을 원 단위 정수로 입력해 주세요.');
    setFormError(null);
    setError(null);
    setKey(newIdempotencyKey());
    setDraft({ plan: selected.id, priceKrw: n, day });
  };

  /** One confirmed request: busy while it runs; on failure the dialog shows why and a retry gets a new key. */
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(message(e));
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };

  const submit = () =>
    draft &&
    run(async () => {
      const body = { plan: draft.plan, price_krw: draft.priceKrw, ...(draft.day ? { effective_at: `${draft.day}T00:00:00+09:00` } : {}) };
      const r = await request<SetPriceResponse>('POST', '/api/admin/prices', { body, headers: { 'idempotency-key': key } });
      setDone(r.body);
      setWithdrawn(null);
      setDraft(null);
      setPrice('');
      setDay('');
      prices.reload();
    });

  const withdraw = () =>
    withdrawing?.scheduled &&
    run(async () => {
      const path = `/api/admin/prices/${encodeURIComponent(withdrawing.scheduled!.id)}/withdraw`;
      const r = await request<WithdrawPriceResponse>('POST', path, { headers: { 'idempotency-key': key } });
      setWithdrawn(r.body);
      setDone(null);
      setWithdrawing(null);
      prices.reload();
    });

  const draftPlan = draft ? data?.plans.find((p) => p.id === draft.plan) : undefined;
  return (
    <section className="card admin-prices" aria-labelledby={`${id}-title`} data-section="prices">
      <h2 id={`${id}-title`} className="card-title">
        플랜 가격
      </h2>
      <p className="muted small">
        가격은 적용일이 있는 버전으로 바뀝니다. 새 가입자는 적용일부터 새 가격을 내고, 기존 구독자는 적용일이 지나고 동의해야 새 가격으로
        결제됩니다. 인상은 {data?.notice_days ?? 30}일 이상 뒤부터만 정할 수 있고(전자상거래법 제13조: 정기결제 대금 증액 30일 전 고지·동의),
        인하는 바로 적용할 수 있습니다.
      </p>
      {prices.state === 'loading' && <p className="muted">불러오는 중…</p>}
      {prices.state === 'error' && <Notice tone="danger" title="가격을 불러오지 못했습니다.">{prices.error.message}</Notice>}
      {done && (
        <Notice tone="success" title="가격을 저장했습니다">
          {done.plan.name} {won(done.previous_krw)} → {won(done.version.price_krw)}, {dateTime(done.version.effective_at)}부터 적용
          {done.increase ? ` · 구독자 ${done.notified}명에게 인상 안내와 동의 요청을 보냈습니다.` : ' · 인하는 동의 없이 적용됩니다.'}
        </Notice>
      )}
      {withdrawn && (
        <Notice tone="success" title="예정 가격을 철회했습니다">
          {withdrawn.plan.name} {won(withdrawn.withdrawn.price_krw)} ({dateTime(withdrawn.withdrawn.effective_at)}부터 예정) 철회 · 지금 가격{' '}
          {won(withdrawn.plan.current_krw)}이 계속 적용됩니다. 이미 인상 안내를 받은 구독자 {withdrawn.withdrawal_notices.toLocaleString('ko-KR')}명에게 가격 변경 취소 안내를 보냅니다.
        </Notice>
      )}
      {data && (
        <>
          <div className="table-scroll">
            <table className="admin-table" aria-label="플랜별 가격" data-loaded="prices">
              <thead>
                <tr>
                  <th scope="col">플랜</th>
                  <th scope="col">지금 가격</th>
                  <th scope="col">예정된 변경</th>
                  <th scope="col">지난 버전</th>
                </tr>
              </thead>
              <tbody>
                {data.plans.map((p) => (
                  <tr key={p.id} data-plan={p.id}>
                    <td>{p.name}</td>
                    <td>{won(p.current_krw)}</td>
                    <td>
                      {p.scheduled ? (
                        <>
                          {won(p.scheduled.price_krw)} <span className="muted small">{dateTime(p.scheduled.effective_at)}부터</span>{' '}
                          {p.scheduled.announcing && <Badge tone="info">안내 중</Badge>}{' '}
                          <button
                            type="button"
                            className="btn btn-secondary btn-sm"
                            onClick={() => {
                              setError(null);
                              setKey(newIdempotencyKey());
                              setWithdrawing(p);
                            }}
                          >
                            철회
                          </button>
                        </>
                      ) : (
                        <span className="muted">없음</span>
                      )}
                    </td>
                    <td className="small">
                      {p.versions
                        .filter((v) => v.state === 'past')
                        .map((v) => `${won(v.price_krw)}${v.created_by ? ` (${date(v.effective_at)}부터)` : ' (처음 가격)'}`)
                        .join(', ') || <span className="muted">없음</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form
            className="admin-price-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              review();
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-plan`}>플랜</label>
              <select id={`${id}-plan`} value={planId} onChange={(e) => setPlan(e.target.value)}>
                {data.plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} (지금 {won(p.current_krw)})
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-price`}>새 가격 (원, 부가세 포함)</label>
              <input id={`${id}-price`} inputMode="numeric" value={price} onChange={(e) => setPrice(e.target.value.replace(/[^\d]/g, ''))} placeholder="예: 35000" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-day`}>적용일 (한국 시간 0시)</label>
              <input id={`${id}-day`} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
              <p className="muted small">비워 두면 지금 적용합니다(인하만). 인상은 {date(data.earliest_increase_at)} 이후로 정해 주세요.</p>
            </div>
            {formError && (
              <p className="field-error" role="alert">
                {formError}
              </p>
            )}
            <div className="card-actions">
              <button type="submit" className="btn btn-primary">
                가격 변경 검토
              </button>
            </div>
          </form>
        </>
      )}
      <ConfirmDialog
        open={draft !== null}
        title="가격을 바꿀까요?"
        confirmLabel="가격 변경 저장"
        busy={busy}
        busyLabel="저장하는 중…"
        error={error}
        onConfirm={() => void submit()}
        onClose={() => {
          if (!busy) setDraft(null);
        }}
      >
        {draft && draftPlan && (
          <ul className="dialog-points">
            <li>
              {draftPlan.name}: 지금 {won(draftPlan.current_krw)} → <strong>{won(draft.priceKrw)}</strong>
            </li>
            <li>적용: {draft.day ? `${draft.day} 0시 (한국 시간)부터` : '지금 바로'}</li>
            <li>인상이면 영향을 받는 구독자에게 바로 안내와 동의 요청이 가고, 동의하지 않은 구독자는 인상된 가격으로 결제되지 않습니다.</li>
          </ul>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={withdrawing !== null}
        title="예정된 가격을 철회할까요?"
        confirmLabel="가격 철회"
        danger
        busy={busy}
        busyLabel="철회하는 중…"
        error={error}
        onConfirm={() => void withdraw()}
        onClose={() => {
          if (!busy) setWithdrawing(null);
        }}
      >
        {withdrawing?.scheduled && (
          <ul className="dialog-points">
            <li>
              {withdrawing.name}: {dateTime(withdrawing.scheduled.effective_at)}부터 <strong>{won(withdrawing.scheduled.price_krw)}</strong> 예정 → 철회
            </li>
            <li>지금 가격 {won(withdrawing.current_krw)}이 계속 적용됩니다. 이미 적용된 가격은 철회할 수 없습니다.</li>
            <li>아직 보내지 않은 인상 안내는 보내지 않습니다. 이미 안내를 받은 구독자에게는 가격 변경 취소 안내를 보냅니다.</li>
          </ul>
        )}
      </ConfirmDialog>
    </section>
  );
}
