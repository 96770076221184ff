/**
 * /admin/queues?view=…: what needs an operator's attention, each list with its true total.
 * dunning (renewal charge failed, being retried), grace (past due, grace running), grace_over
 * (past due, grace ended), renewals (auto-renewals in the next 7 days), refunds (requested or
 * unknown), unknown (payments whose outcome is being confirmed).
 */
import { api, type DunningResponse, type RefundListResponse, type SubscriptionListResponse, type AdminPaymentsResponse } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { Link, navigate, useQuery } from '../../router.tsx';
import { dateTime, number, paymentStatus, PROVIDER_NAMES, refundKind, refundStatus, subscriptionStatus, won } from '../../format.ts';
import { Badge, Notice, Skeleton } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { CountLine, OffsetPager, TableCard, withQuery } from './console-ui.tsx';

const VIEWS = [
  { key: 'dunning', label: '결제 실패 재시도', summary: 'dunning' },
  { key: 'grace', label: '미납 · 유예 중', summary: 'past_due_in_grace' },
  { key: 'grace_over', label: '미납 · 유예 종료', summary: 'past_due_grace_over' },
  { key: 'renewals', label: '7일 내 자동 갱신', summary: 'renewals_next_7_days' },
  { key: 'refunds', label: '처리 중 환불', summary: 'pending_refunds' },
  { key: 'unknown', label: '결과 미확인 결제', summary: 'unknown_payments' },
] as const;
type ViewKey = (typeof VIEWS)[number]['key'];

const userLink = (u: { id: string; email: string | null }) => (
  <Link to={`/admin/timeline?id=${encodeURIComponent(u.id)}`}>
    {u.email ?? u.id}
  </Link>
);

/** One card per queue with how many rows it holds now. */
export function QueueSummaryCards({ current }: { current?: ViewKey }) {
  const summary = useLoad((signal) => api.admin.queueSummary(signal), []);
  return (
    <ul className="queue-cards" aria-label="운영 대기열">
      {VIEWS.map((v) => (
        <li key={v.key}>
          <Link to={`/admin/queues?view=${v.key}`} className="card queue-card" aria-current={current === v.key ? 'page' : undefined} data-queue={v.key}>
            <span className="queue-label">{v.label}</span>
            <span className="queue-count">{summary.state === 'ready' ? `${number(summary.data[v.summary])}건` : '…'}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function AdminQueuesPage() {
  const query = useQuery();
  const view = (VIEWS.find((v) => v.key === query.get('view'))?.key ?? 'dunning') as ViewKey;
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const go = (o: number) => navigate(withQuery('/admin/queues', query, { offset: o ? String(o) : undefined }));
  return (
    <AdminShell>
      <h2 className="section-title">운영 대기열</h2>
      <QueueSummaryCards current={view} />
      <h3 className="subsection-title">{VIEWS.find((v) => v.key === view)!.label}</h3>
      <QueueList view={view} offset={offset} onPage={go} />
    </AdminShell>
  );
}

type Loaded =
  | { kind: 'dunning'; data: DunningResponse }
  | { kind: 'subs'; data: SubscriptionListResponse }
  | { kind: 'refunds'; data: RefundListResponse }
  | { kind: 'payments'; data: AdminPaymentsResponse };

function QueueList({ view, offset, onPage }: { view: ViewKey; offset: number; onPage(o: number): void }) {
  const data = useLoad<Loaded>(async (signal) => {
    if (view === 'dunning') return { kind: 'dunning', data: await api.admin.dunning(offset, signal) };
    if (view === 'grace' || view === 'grace_over') return { kind: 'subs', data: await api.admin.subscriptions({ grace: view === 'grace' ? 'in' : 'over' }, offset, signal) };
    if (view === 'renewals') return { kind: 'subs', data: await api.admin.upcomingRenewals(7, offset, signal) };
    if (view === 'refunds') return { kind: 'refunds', data: await api.admin.refunds('requested,unknown', offset, signal) };
    // Keyset-paged like the payments list; the first page with its total is enough here.
    return { kind: 'payments', data: await api.admin.payments({ status: 'unknown,approving', limit: '200' }, signal) };
  }, [view, offset]);

  if (data.state === 'loading') return <Skeleton width="100%" height="6rem" />;
  if (data.state === 'error') return <Notice tone="danger" title="불러오지 못했습니다">{data.error.message}</Notice>;
  const d = data.data;
  const empty = <Notice tone="neutral" title="대기 중인 항목이 없습니다" />;

  if (d.kind === 'dunning') {
    const r = d.data;
    return (
      <div aria-live="polite">
        <CountLine total={r.total} offset={offset} shown={r.entries.length} />
        {r.entries.length === 0 ? empty : (
          <TableCard caption="결제 실패 재시도 목록">
            <thead><tr><th scope="col">사용자</th><th scope="col">플랜 · 금액</th><th scope="col">시도</th><th scope="col">다음 시도</th><th scope="col">유예 종료</th></tr></thead>
            <tbody>
              {r.entries.map((e) => (
                <tr key={e.cycle.id} data-id={e.cycle.id}>
                  <td data-label="사용자">{userLink(e.user)}</td>
                  <td data-label="플랜 · 금액">{e.subscription.plan_name} · {won(e.cycle.amount_krw)}</td>
                  <td data-label="시도">{e.cycle.attempt_count}회 {e.cycle.failure_code && <span className="muted small block">{e.cycle.failure_code}</span>}</td>
                  <td data-label="다음 시도">{dateTime(e.cycle.next_attempt_at)}</td>
                  <td data-label="유예 종료">{dateTime(e.subscription.grace_until)}</td>
                </tr>
              ))}
            </tbody>
          </TableCard>
        )}
        <OffsetPager total={r.total} offset={offset} limit={r.limit} onPage={onPage} />
      </div>
    );
  }
  if (d.kind === 'subs') {
    const r = d.data;
    const renewals = view === 'renewals';
    return (
      <div aria-live="polite">
        <CountLine total={r.total} offset={offset} shown={r.entries.length} />
        {r.entries.length === 0 ? empty : (
          <TableCard caption={renewals ? '7일 내 자동 갱신 목록' : '미납 구독 목록'}>
            <thead><tr><th scope="col">사용자</th><th scope="col">플랜</th><th scope="col">상태</th><th scope="col">{renewals ? '갱신일' : '유예 종료'}</th><th scope="col">{renewals ? '갱신 금액' : '미납 금액'}</th></tr></thead>
            <tbody>
              {r.entries.map((e) => {
                const st = subscriptionStatus(e.subscription.status, true);
                return (
                  <tr key={e.subscription.id} data-id={e.subscription.id}>
                    <td data-label="사용자">{userLink(e.user)}</td>
                    <td data-label="플랜">{e.subscription.plan_name} <span className="muted small block">{e.subscription.provider ? PROVIDER_NAMES[e.subscription.provider] ?? e.subscription.provider : ''}</span></td>
                    <td data-label="상태"><Badge tone={st.tone}>{st.label}</Badge></td>
                    <td data-label={renewals ? '갱신일' : '유예 종료'}>{dateTime(renewals ? e.subscription.current_period_end : e.subscription.grace_until)}</td>
                    <td data-label="금액">{won(e.subscription.price_krw)}</td>
                  </tr>
                );
              })}
            </tbody>
          </TableCard>
        )}
        <OffsetPager total={r.total} offset={offset} limit={r.limit} onPage={onPage} />
      </div>
    );
  }
  if (d.kind === 'refunds') {
    const r = d.data;
    return (
      <div aria-live="polite">
        <CountLine total={r.total} offset={offset} shown={r.entries.length} />
        {r.entries.length === 0 ? empty : (
          <TableCard caption="처리 중 환불 목록">
            <thead><tr><th scope="col">요청 시각</th><th scope="col">사용자</th><th scope="col">환불</th><th scope="col">결제</th><th scope="col">상태</th></tr></thead>
            <tbody>
              {r.entries.map((e) => {
                const st = refundStatus(e.refund.status);
                return (
                  <tr key={e.refund.id} data-id={e.refund.id}>
                    <td data-label="요청 시각">{dateTime(e.refund.created_at)}</td>
                    <td data-label="사용자">{userLink(e.user)}</td>
                    <td data-label="환불">{won(e.refund.amount_krw)} <span className="muted small block">{refundKind(e.refund.kind)} · {e.refund.reason}</span></td>
                    <td data-label="결제">
                      <Link to={`/admin/user?id=${encodeURIComponent(e.user.id)}`}>{e.payment.plan_name} {won(e.payment.amount_krw)}</Link>
                      <span className="muted small block">{e.payment.provider_name}</span>
                    </td>
                    <td data-label="상태"><Badge tone={st.tone}>{st.label}</Badge></td>
                  </tr>
                );
              })}
            </tbody>
          </TableCard>
        )}
        <OffsetPager total={r.total} offset={offset} limit={r.limit} onPage={onPage} />
      </div>
    );
  }
  const r = d.data;
  return (
    <div aria-live="polite">
      <CountLine total={r.total} offset={0} shown={r.payments.length} />
      {r.payments.length === 0 ? empty : (
        <TableCard caption="결과 미확인 결제 목록">
          <thead><tr><th scope="col">시작 시각</th><th scope="col">사용자</th><th scope="col">결제</th><th scope="col">결제사 거래번호</th><th scope="col">상태</th></tr></thead>
          <tbody>
            {r.payments.map((p) => {
              const st = paymentStatus(p.status);
              return (
                <tr key={p.id} data-id={p.id}>
                  <td data-label="시작 시각">{dateTime(p.created_at)}</td>
                  <td data-label="사용자"><Link to={`/admin/timeline?id=${encodeURIComponent(p.user_id)}`}>{p.user_id}</Link></td>
                  <td data-label="결제">{p.plan_name} · {won(p.amount_krw)} <span className="muted small block">{p.provider_name}</span></td>
                  <td data-label="결제사 거래번호" className="mono small">{p.provider_ref ?? '-'}</td>
                  <td data-label="상태"><Badge tone={st.tone}>{st.label}</Badge></td>
                </tr>
              );
            })}
          </tbody>
        </TableCard>
      )}
      {r.next_cursor && (
        <p className="muted small">
          <Link to="/admin/payments?status=unknown%2Capproving">결제 목록에서 모두 보기</Link>
        </p>
      )}
    </div>
  );
}
