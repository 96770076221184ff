import { useState } from 'react';
import { api, type PaymentView } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { dateTime, KIND_LABEL, methodText, paymentOutcome, UNPAID_OUTCOMES, won } from '../format.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { Badge, LoadFailed, Notice, Skeleton, Spinner } from '../components/ui.tsx';

function PaymentRow({ p }: { p: PaymentView }) {
  // The server's outcome: declined, cancelled, superseded and expired attempts took no money.
  const status = paymentOutcome(p.outcome);
  const unpaid = UNPAID_OUTCOMES.includes(p.outcome) || p.outcome === 'pending' || p.outcome === 'processing';
  return (
    <tr className={unpaid ? 'payment-unpaid' : undefined} data-outcome={p.outcome}>
      <td data-label="결제일">{dateTime(p.approved_at ?? p.created_at)}</td>
      <td data-label="플랜">
        <span className="cell-plan">{p.plan_name}</span>
        {p.kind !== 'checkout' && <span className="muted small"> · {KIND_LABEL[p.kind] ?? p.kind}</span>}
      </td>
      <td data-label="결제 금액" className="num">
        {unpaid ? (
          <>
            <span className="muted" aria-label={`${won(p.amount_krw)} ${status.note ?? ''}`}>
              <s>{won(p.amount_krw)}</s>
            </span>
            {status.note && <span className="refund-note">{status.note}</span>}
          </>
        ) : (
          <strong>{won(p.amount_krw)}</strong>
        )}
        {p.refunded_krw > 0 && <span className="refund-note">환불 {won(p.refunded_krw)}</span>}
      </td>
      <td data-label="부가세" className="num">
        {unpaid ? <span className="muted">-</span> : won(p.vat_krw)}
      </td>
      <td data-label="결제 수단">
        <span className="inline-mark">
          <PayMark method={p.provider} size={16} />
          {methodText(p.provider_name, p.method_kind, p.method_label)}
        </span>
      </td>
      <td data-label="상태">
        <Badge tone={status.tone}>{status.label}</Badge>
      </td>
      <td data-label="영수증">
        {p.approved_at ? (
          <Link
            to={`/payments/receipt?id=${encodeURIComponent(p.id)}`}
            className="text-link"
            aria-label={`${dateTime(p.approved_at)} ${p.plan_name} ${KIND_LABEL[p.kind] ?? ''} 영수증 보기`}
          >
            영수증
          </Link>
        ) : (
          <span className="muted">-</span>
        )}
      </td>
    </tr>
  );
}

function SkeletonRows() {
  return (
    <>
      {[0, 1, 2].map((i) => (
        <tr key={i} aria-hidden="true">
          {[0, 1, 2, 3, 4, 5, 6].map((j) => (
            <td key={j}>
              <Skeleton width={j === 0 ? '8rem' : '4.5rem'} />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function PaymentsPage() {
  const first = useLoad((signal) => api.payments(undefined, signal), []);
  const [more, setMore] = useState<PaymentView[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);

  const rows = first.state === 'ready' ? [...first.data.payments, ...more] : [];
  const nextBefore = cursor === undefined ? (first.state === 'ready' ? first.data.next_before : null) : cursor;

  async function loadMore() {
    if (!nextBefore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const r = await api.payments(nextBefore);
      setMore((m) => [...m, ...r.payments]);
      setCursor(r.next_before);
    } catch (err) {
      setMoreError((err as Error).message);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <>
      <h1 className="page-title">결제 내역</h1>
      <p className="muted page-lead">모든 금액은 부가세(VAT)를 포함합니다.</p>
      {first.state === 'error' ? (
        <LoadFailed title="결제 내역을 불러오지 못했습니다" error={first.error} onRetry={first.reload} />
      ) : first.state === 'ready' && rows.length === 0 ? (
        <div className="card empty">
          <p className="empty-title">아직 결제 내역이 없어요</p>
          <p className="muted">플랜을 결제하면 여기에서 영수증 정보를 확인할 수 있어요.</p>
          <Link to="/" className="btn btn-primary">
            요금제 보기
          </Link>
        </div>
      ) : (
        <div className="card table-card" aria-busy={first.state === 'loading'}>
          <table className="payments-table">
            <caption className="visually-hidden">결제 내역: 결제일, 플랜, 결제 금액, 부가세, 결제 수단, 상태, 영수증</caption>
            <thead>
              <tr>
                <th scope="col">결제일</th>
                <th scope="col">플랜</th>
                <th scope="col" className="num">
                  결제 금액
                </th>
                <th scope="col" className="num">
                  부가세
                </th>
                <th scope="col">결제 수단</th>
                <th scope="col">상태</th>
                <th scope="col">영수증</th>
              </tr>
            </thead>
            <tbody>{first.state === 'loading' ? <SkeletonRows /> : rows.map((p) => <PaymentRow key={p.id} p={p} />)}</tbody>
          </table>
        </div>
      )}
      {nextBefore && (
        <div className="load-more">
          {moreError && <Notice tone="danger">{moreError}</Notice>}
          <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? <Spinner label="불러오는 중…" /> : '더 보기'}
          </button>
        </div>
      )}
    </>
  );
}
