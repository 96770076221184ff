/**
 * 내 구독 → 해지 및 환불: 청약철회 of recent payments and cancel-now with a refund, each amount
 * as the server's cancel-now quote and receipts state it.
 */
import { dateTime, shortDate, won } from '../../format.ts';
import { quotesApi } from '../../quotes-api.ts';
import type { Action } from './actions.ts';
import type { SubscriptionModel } from './model.ts';

export function RefundCard({ m, open, openQuoted }: { m: SubscriptionModel; open(a: Action): void; openQuoted(make: () => Promise<Action>): Promise<void> }) {
  const withdrawable = m.receipts.filter((r) => r.withdrawal.allowed);
  const withdrawBlocked = m.receipts.find((r) => !r.withdrawal.allowed && r.withdrawal.reason === 'features_used');
  const cancelNow = m.cancelQuote;
  return (
    <section className="card manage-card" aria-labelledby="refund-title">
      <h2 id="refund-title" className="card-title">
        해지 및 환불
      </h2>
      {withdrawable.map((r) => (
        <div key={r.payment.id} className="manage-item">
          <p className="manage-text">
            <strong>{shortDate(r.receipt.approved_at)}</strong> {r.payment.plan_name} {r.payment.kind === 'upgrade' ? '플랜 변경 ' : ''}결제{' '}
            {won(r.receipt.amount_krw)}은{' '}
            <strong>{dateTime(r.withdrawal.deadline)}</strong>까지 청약철회할 수 있어요. 유료 기능을 쓰지 않았다면 전액{' '}
            {won(r.refundable_krw)}을 돌려받습니다.
          </p>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => open({ kind: 'withdraw', receipt: r })}
            aria-label={`${shortDate(r.receipt.approved_at)} ${r.payment.plan_name} 결제 청약철회`}
          >
            청약철회 (전액 환불)
          </button>
        </div>
      ))}
      {withdrawable.length === 0 && withdrawBlocked && (
        <p className="manage-text muted small">결제 후 유료 기능을 이용해 청약철회 대신 즉시 해지(미사용 기간 환불)만 할 수 있어요.</p>
      )}
      <div className="manage-item">
        <p className="manage-text">
          {cancelNow.recommended === 'withdrawal' ? (
            <>
              지금 해지하려면 청약철회가 유리해요: 전액 <strong>{won(cancelNow.withdrawal_krw)}</strong>을 돌려받습니다 (중도 해지 시{' '}
              {won(cancelNow.refund_krw)}).
            </>
          ) : cancelNow.refund_krw > 0 ? (
            <>
              지금 바로 해지하면 남은 기간만큼 환불받습니다 (환불 금액 <strong>{won(cancelNow.refund_krw)}</strong>).
            </>
          ) : (
            '남은 이용 기간이 없어 지금 해지해도 환불 금액은 없습니다.'
          )}{' '}
          해지 즉시 기본 플랜으로 바뀝니다.
        </p>
        <button type="button" className="btn btn-danger-outline" onClick={() => void openQuoted(async () => ({ kind: 'cancel-now', quote: await quotesApi.cancelNow() }))}>
          즉시 해지 및 환불
        </button>
      </div>
    </section>
  );
}
