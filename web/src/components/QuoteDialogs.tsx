/**
 * Dialog bodies that state money from the API's quotes (issue 11 items 6 and 8): the upgrade
 * charge and the cancel-now refund are the server's numbers, and the confirm sends the quote
 * back, so the amount shown is the amount charged or refunded.
 */
import { date, dateTime, duration, shortDate, won } from '../format.ts';
import type { CancelNowQuoteResponse, PlanChangeQuoteResponse, WithdrawalOfferView } from '../quotes-api.ts';
import { Notice } from './ui.tsx';

/** "남은 N일 차액 X원" for the plan list, from the server's quote. */
export function upgradeSummary(q: PlanChangeQuoteResponse): string {
  return `지금 바로 적용 · 남은 ${duration(q.remaining_ms)} 차액 ${won(q.charge_krw)} 결제`;
}

export function UpgradeQuoteBody({
  quote,
  periodDays,
  payer,
  autoRenew,
}: {
  quote: PlanChangeQuoteResponse;
  periodDays: number;
  /** "카카오페이로 바로 결제됩니다." or the checkout sentence. */
  payer: string;
  autoRenew: boolean;
}) {
  const p = quote.proration;
  return (
    <>
      <p>
        지금 바로 {quote.plan_name} 플랜이 적용됩니다. 남은 기간(<strong>{duration(quote.remaining_ms)}</strong>, {date(quote.period_end)}까지)에 대한
        차액만 결제합니다.
      </p>
      <dl className="price-table dialog-prices">
        {p && (
          <>
            <div>
              <dt>{quote.plan_name} 남은 기간 요금</dt>
              <dd>{won(p.new_plan_krw)}</dd>
            </div>
            <div>
              <dt>{quote.from_plan_name} 미사용 금액 차감</dt>
              <dd>−{won(p.credit_krw)}</dd>
            </div>
          </>
        )}
        <div className="price-total">
          <dt>지금 결제할 금액</dt>
          <dd data-testid="proration-charge">{won(quote.charge_krw)}</dd>
        </div>
      </dl>
      <p className="muted small">
        부가세 포함 · 각 금액은 (플랜 요금 × 남은 시간 ÷ {periodDays}일)을 원 단위로 내림해 계산합니다. 안내한 금액은{' '}
        {dateTime(quote.valid_until)}까지 그대로 결제되며, 그 뒤에는 금액을 다시 안내합니다.
      </p>
      <p>
        {payer} {autoRenew && <>다음 결제일({date(quote.period_end)})부터는 {won(quote.next_charge_krw)}이 결제됩니다.</>}
      </p>
    </>
  );
}

/** 청약철회 offer inside the cancel-now dialog: a full refund beats the prorated one. */
function WithdrawalOffer({ quote, onWithdraw, disabled }: { quote: CancelNowQuoteResponse; onWithdraw(w: WithdrawalOfferView): void; disabled: boolean }) {
  const recommended = quote.recommended === 'withdrawal';
  return (
    <Notice tone="info" title={recommended ? '청약철회로 전액 환불받을 수 있어요' : '일부 결제는 청약철회할 수 있어요'}>
      <p>
        결제 후 7일 이내이고 유료 기능을 쓰지 않은 결제는 청약철회로 <strong>전액</strong> 돌려받습니다
        {recommended && <> (중도 해지 환불 {won(quote.refund_krw)} 대신 {won(quote.withdrawal_krw)})</>}.
      </p>
      <ul className="dialog-points">
        {quote.withdrawals.map((w) => (
          <li key={w.payment_id} className="withdraw-offer">
            <span>
              {shortDate(w.approved_at)} {w.plan_name} {w.kind === 'upgrade' ? '플랜 변경 ' : ''}결제 {won(w.refundable_krw)} · {dateTime(w.deadline)}까지
            </span>{' '}
            <button type="button" className="btn btn-primary btn-sm" disabled={disabled} onClick={() => onWithdraw(w)}>
              청약철회로 {won(w.refundable_krw)} 전액 환불받기
            </button>
          </li>
        ))}
      </ul>
    </Notice>
  );
}

export function CancelNowQuoteBody({
  quote,
  onWithdraw,
  busy,
}: {
  quote: CancelNowQuoteResponse;
  onWithdraw(w: WithdrawalOfferView): void;
  busy: boolean;
}) {
  return (
    <>
      {quote.renewal_in_progress && (
        <Notice tone="warning" title="자동 결제가 진행 중입니다">
          결제 결과가 확인된 뒤에 해지할 수 있어요. 잠시 후 다시 시도해 주세요.
        </Notice>
      )}
      {quote.withdrawals.length > 0 && <WithdrawalOffer quote={quote} onWithdraw={onWithdraw} disabled={busy} />}
      <ul className="dialog-points">
        <li>구독이 바로 끝나고 기본(무료) 플랜으로 바뀝니다. 자동 결제도 꺼집니다.</li>
        <li>
          남은 기간만큼 환불합니다: <strong>{won(quote.refund_krw)}</strong>
        </li>
      </ul>
      {quote.lines.length > 0 && (
        <dl className="price-table dialog-prices">
          {quote.lines.map((l) => (
            <div key={l.payment_id}>
              <dt>
                {shortDate(l.approved_at)} {l.plan_name} {won(l.paid_krw)} × 남은 {l.remaining_days}일 / {l.period_days}일
              </dt>
              <dd>{won(l.refund_krw)}</dd>
            </div>
          ))}
          <div className="price-total">
            <dt>환불 예정 금액</dt>
            <dd data-testid="cancel-now-refund">{won(quote.refund_krw)}</dd>
          </div>
        </dl>
      )}
      <p className="muted small">
        남은 일수는 하루 단위로 내림하고, 금액은 원 단위로 내림합니다. 안내한 금액은 {dateTime(quote.valid_until)}까지 그대로 환불됩니다.
      </p>
    </>
  );
}
