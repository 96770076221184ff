import { krw, type Krw } from '../domain/money.ts';
import { PAID_STATUSES } from '../domain/payment/payment-states.ts';
import type { RefundPolicy } from '../domain/payment/refund-policy.ts';
import { quoteStamp, type QuoteStamp } from '../domain/quotes.ts';
import type { Payment } from '../domain/records.ts';
import { ENTITLED_STATUSES } from '../domain/subscription/subscription-states.ts';
import { cancelNowCandidates, cancelNowRefund, renewalsInFlight } from './cancel-with-refund.ts';
import type { UseCaseContext } from './context.ts';
import type { RefundDeps } from './refund-deps.ts';
import { checkWithdrawal } from './withdraw-subscription.ts';

export interface CancelNowQuoteLine {
  payment: Payment;
  paidKrw: Krw;
  remainingDays: number;
  periodDays: number;
  refundKrw: Krw;
}

export interface WithdrawalOffer {
  payment: Payment;
  /** Everything still refundable on it: 청약철회 refunds it in full. */
  refundableKrw: Krw;
  deadline: Date;
}

export interface CancelNowQuote extends QuoteStamp {
  /** False when there is nothing running to cancel (no subscription, or it ended). */
  available: boolean;
  policy: RefundPolicy;
  lines: CancelNowQuoteLine[];
  /** What cancel-now would refund in total. */
  refundKrw: Krw;
  /** Payments that may be withdrawn now (청약철회, full refund), newest first. */
  withdrawals: WithdrawalOffer[];
  /** Full refund of every withdrawable payment. */
  withdrawalKrw: Krw;
  /**
   * 'withdrawal' when 청약철회 applies to every payment cancel-now would refund from and gives
   * at least as much back (issue 11 item 8): the dialog points the user there first.
   */
  recommended: 'withdrawal' | 'cancel_now';
  /** A renewal charge is in flight: cancel-now is refused (RENEWAL_IN_PROGRESS) until it settles. */
  renewalInProgress: boolean;
}

/**
 * What `POST /api/subscription/cancel-now` would refund now, computed with the same rule
 * (`cancelNowCandidates`, `cancelNowRefund`, the test clock honoured), and which payments 청약철회
 * (`checkWithdrawal`) would refund in full instead. Writes nothing.
 */
export async function quoteCancelNow(ctx: UseCaseContext, deps: RefundDeps, input: { userId: string }): Promise<CancelNowQuote> {
  const now = ctx.clock.now();
  const stamp = quoteStamp(now);
  const policy = deps.settings.policy;
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  const empty: CancelNowQuote = { ...stamp, available: false, policy, lines: [], refundKrw: krw(0), withdrawals: [], withdrawalKrw: krw(0), recommended: 'cancel_now', renewalInProgress: false };
  if (!sub || !ENTITLED_STATUSES.includes(sub.status)) return empty;
  const payments = await ctx.repo.listPaymentsByUser(input.userId, 100);

  const lines: CancelNowQuoteLine[] = [];
  for (const p of cancelNowCandidates(payments, sub, now)) {
    const { paid, pr, refundKrw } = cancelNowRefund(policy, p, await deps.refunds.listRefundsByPayment(p.id), now);
    lines.push({ payment: p, paidKrw: paid, remainingDays: pr.remainingDays, periodDays: pr.periodDays, refundKrw });
  }
  const refundKrw = krw(lines.reduce((a, l) => a + l.refundKrw, 0));

  const withdrawals: WithdrawalOffer[] = [];
  for (const p of payments) {
    if (p.subscriptionId !== sub.id || p.kind === 'registration' || !PAID_STATUSES.includes(p.status) || p.amountKrw <= p.refundedKrw) continue;
    const check = await checkWithdrawal(ctx, deps, p);
    if (check.allowed) withdrawals.push({ payment: p, refundableKrw: krw(p.amountKrw - p.refundedKrw), deadline: check.deadline! });
  }
  const withdrawalKrw = krw(withdrawals.reduce((a, w) => a + w.refundableKrw, 0));
  const covered = lines.every((l) => l.refundKrw === 0 || withdrawals.some((w) => w.payment.id === l.payment.id));
  const recommended = withdrawals.length > 0 && covered && withdrawalKrw >= refundKrw ? 'withdrawal' : 'cancel_now';
  const renewalInProgress = renewalsInFlight(payments, sub).length > 0;
  return { ...stamp, available: true, policy, lines, refundKrw, withdrawals, withdrawalKrw, recommended, renewalInProgress };
}
