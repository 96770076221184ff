import { AppError } from '../domain/errors.ts';
import { krw, type Krw } from '../domain/money.ts';
import { cancelRefund, type ProratedRefund, type RefundPolicy } from '../domain/payment/refund-policy.ts';
import { pricingInstant } from '../domain/quotes.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import { ENTITLED_STATUSES } from '../domain/subscription/subscription-states.ts';
import type { UseCaseContext } from './context.ts';
import { toAppError } from './provider-errors.ts';
import { enqueueNotice } from './enqueue-notice.ts';
import { planName, queueKeyRevocation, scopeOf } from './renewal-transitions.ts';
import { refundableKrw } from './refund-amounts.ts';
import type { RefundDeps } from './refund-deps.ts';
import { executeRefund } from './execute-refund.ts';
import { checkRefundable, insertReservedRefund } from './reserve-refund.ts';
import { IN_FLIGHT_STATUSES, REFUNDABLE_STATUSES } from '../domain/payment/payment-states.ts';

export interface CancelRefundLine {
  paymentId: string;
  /** What the payment still held before this cancel (amount − refunded). */
  paidKrw: Krw;
  remainingDays: number;
  /** Days of the payment's own period (an upgrade: upgrade instant → period end; may be fractional). */
  periodDays: number;
  /** floor(paid × remaining_days / period_days), at most what is left to refund. */
  refundKrw: Krw;
  /** paid − refund: days used plus rounding, kept (named remainder line). */
  retainedKrw: Krw;
  refund: Refund | null;
  /** Set when the provider refund failed; the subscription is ended regardless. */
  error: { code: string; message: string } | null;
}

export interface CancelNowResult {
  subscription: Subscription;
  lines: CancelRefundLine[];
  refundedKrw: Krw;
}

/**
 * Ends the subscription now and refunds the unused part of every payment whose period is
 * not over, by the configured policy (`prorated_days`: floor(paid × remaining whole days /
 * days of the payment's own period), see `proratedRefund`; `none`: nothing). One
 * transaction locks the subscription, then the payments (id order), reserves the refunds
 * and cancels the subscription; the provider calls follow the commit. A failed refund is
 * reported on its line (and stays visible to operators as a failed refund row); the
 * cancellation stands. Auto-renewal ends with it: the billing key is dropped and its
 * revocation queued in the same transaction (the job runner revokes it at the provider).
 * While a renewal charge is in flight (`renewalsInFlight`) it is refused with
 * RENEWAL_IN_PROGRESS and nothing is written: the charge's outcome is not known yet.
 */
export async function cancelSubscriptionNow(
  ctx: UseCaseContext,
  deps: RefundDeps,
  input: {
    userId: string;
    /**
     * The quote the user confirmed (`GET /api/subscription/cancel-now/quote`): refunds are computed
     * at its instant and must total the amount shown (domain/quotes.ts). QUOTE_EXPIRED, QUOTE_CHANGED.
     */
    quote?: { quotedAt: Date; refundKrw: number };
  },
): Promise<CancelNowResult> {
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '이용 중인 구독이 없습니다.');
  const now = ctx.clock.now();
  const at = pricingInstant(input.quote?.quotedAt, now);
  if (at === 'expired') throw new AppError('QUOTE_EXPIRED', '안내한 환불 금액의 유효 시간이 지났습니다. 금액을 다시 확인해 주세요.');
  const candidates = cancelNowCandidates(await ctx.repo.listPaymentsByUser(input.userId, 100), sub, at);

  const { subscription, lines } = await ctx.repo.transaction(async (tx) => {
    // Lock order as in every settlement: the subscription row, then the payments (id order).
    const current = await tx.findSubscriptionByUserForUpdate(input.userId);
    const locked: Payment[] = [];
    for (const c of candidates) locked.push((await tx.findPaymentForUpdate(c.id))!);
    if (!current || !ENTITLED_STATUSES.includes(current.status)) {
      throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이미 종료된 구독입니다.', { status: current?.status ?? null });
    }
    // Read with the subscription locked: a renewal claim or settlement takes that lock first.
    const inFlight = renewalsInFlight(await tx.renewals().findOpenSubscriptionPayments([current.id]), current);
    if (inFlight.length > 0) throw renewalInProgress(inFlight);
    const lines: CancelRefundLine[] = [];
    for (const p of locked) {
      if (p.status !== 'approved' && p.status !== 'partially_refunded') continue;
      const { paid, pr, refundKrw } = cancelNowRefund(deps.settings.policy, p, await tx.refunds().listRefundsByPayment(p.id), at);
      let refund: Refund | null = null;
      if (refundKrw > 0) {
        const amount = await checkRefundable(ctx, tx, p, refundKrw);
        refund = await insertReservedRefund(ctx, tx, p, {
          amountKrw: amount,
          reason: `중도 해지: 미사용 ${pr.remainingDays}일 환불 (floor(${paid}원 × ${pr.remainingDays} / ${pr.periodDays}))`,
          kind: 'cancel_now',
          requestedBy: input.userId,
        });
      }
      lines.push({
        paymentId: p.id,
        paidKrw: paid,
        remainingDays: pr.remainingDays,
        periodDays: pr.periodDays,
        refundKrw,
        retainedKrw: krw(paid - refundKrw),
        refund,
        error: null,
      });
    }
    const total = lines.reduce((sum, l) => sum + l.refundKrw, 0);
    // Rolls the transaction back: nothing refunded, the subscription untouched.
    if (input.quote && total !== input.quote.refundKrw) {
      throw new AppError('QUOTE_CHANGED', '구독 상태가 바뀌어 환불 금액이 달라졌습니다. 금액을 다시 확인해 주세요.', {
        quoted_krw: input.quote.refundKrw,
        refund_krw: total,
      });
    }
    await queueKeyRevocation(scopeOf(ctx, tx, now), current, 'canceled_now');
    const ended = await tx.transitionSubscription(
      current.id,
      current.status,
      'canceled',
      now,
      { currentPeriodEnd: now, endedAt: now, canceledAt: now, autoRenew: false, billingKey: null, pendingPlanId: null, pendingPriceKrw: null },
      {
        type: 'canceled_now',
        data: {
          policy: deps.settings.policy,
          lines: lines.map((l) => ({ payment_id: l.paymentId, remaining_days: l.remainingDays, refund_krw: l.refundKrw, retained_krw: l.retainedKrw, refund_id: l.refund?.id ?? null })),
        },
      },
    );
    if (!ended) throw new Error(`subscription ${current.id} changed while locked`);
    await enqueueNotice(ctx, tx, {
      kind: 'canceled_now',
      userId: ended.userId,
      subscriptionId: ended.id,
      data: { planName: planName(ctx, current.planId), endedAt: now, refundKrw: lines.reduce((a, l) => a + l.refundKrw, 0) },
      dedupeKey: `canceled_now:${ended.id}:${now.toISOString()}`,
    }, now);
    return { subscription: ended, lines };
  });

  for (const line of lines) {
    if (!line.refund) continue;
    try {
      line.refund = (await executeRefund(ctx, deps, line.refund)).refund;
    } catch (err) {
      const e = toAppError(err);
      ctx.logger.error({ refund_id: line.refund.id, code: e.code }, 'cancel-now refund failed; operator follow-up needed');
      line.refund = (await deps.refunds.findRefund(line.refund.id)) ?? line.refund;
      line.error = { code: e.code, message: e.message };
    }
  }
  const refundedKrw = krw(lines.reduce((a, l) => a + (l.refund?.status === 'succeeded' ? l.refundKrw : 0), 0));
  return { subscription: (await ctx.repo.findSubscriptionByUser(input.userId)) ?? subscription, lines, refundedKrw };
}

/** Renewal payments of `sub` whose charge is in flight (approving, or its outcome unknown). */
export function renewalsInFlight(payments: readonly Payment[], sub: Subscription): Payment[] {
  return payments.filter((p) => p.subscriptionId === sub.id && p.kind === 'renewal' && IN_FLIGHT_STATUSES.includes(p.status));
}

function renewalInProgress(inFlight: readonly Payment[]): AppError {
  return new AppError('RENEWAL_IN_PROGRESS', '자동 결제가 진행 중입니다. 잠시 후 다시 시도해 주세요.', {
    payment_ids: inFlight.map((p) => p.id),
  });
}

/** The payments a cancel-now at `at` refunds from: paid, of this subscription, period not over. Id order (lock order). */
export function cancelNowCandidates(payments: readonly Payment[], sub: Subscription, at: Date): Payment[] {
  return payments
    .filter(
      (p) =>
        p.subscriptionId === sub.id &&
        REFUNDABLE_STATUSES.includes(p.status) &&
        p.periodEnd !== null &&
        p.periodEnd > at,
    )
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * The cancel-now refund of one payment at `at` under `policy`: the one rule the quote
 * (`quoteCancelNow`) and the cancel itself use. Over the payment's own period (an upgrade pays
 * only from the upgrade instant to the period end), never more than what is left once earlier
 * and in-flight refunds (`refunds`) are counted.
 */
export function cancelNowRefund(policy: RefundPolicy, p: Payment, refunds: readonly Refund[], at: Date): { paid: Krw; pr: ProratedRefund; refundKrw: Krw } {
  const paid = krw(p.amountKrw - p.refundedKrw);
  const pr = cancelRefund(policy, { amountKrw: paid, periodStart: p.periodStart!, periodEnd: p.periodEnd!, now: at });
  const refundKrw = pr.refundKrw > 0 ? krw(Math.min(pr.refundKrw, refundableKrw(p, refunds))) : pr.refundKrw;
  return { paid, pr, refundKrw };
}
