import { AppError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { applyRefundToCoverage } from './refund-coverage.ts';
import { enqueueNotice } from './enqueue-notice.ts';
import type { RefundDeps } from './refund-deps.ts';
import { planName, providerName } from './renewal-transitions.ts';

export interface RefundPaymentResult {
  refund: Refund;
  payment: Payment;
  /** `unknown`: the provider's answer was lost; reconcile with `syncRefund`. */
  outcome: 'succeeded' | 'unknown';
}

/** Records a refund the provider did not process. */
export async function markFailed(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, code: string, message: string): Promise<Refund> {
  const now = ctx.clock.now();
  const r = await deps.refunds.transitionRefund(refund.id, refund.status, 'failed', now, {
    failureCode: code,
    failureMessage: message.slice(0, 500),
    settledAt: now,
  });
  await ctx.repo.addPaymentEvent(refund.paymentId, { type: 'refund_failed', from: null, to: null, data: { refund_id: refund.id, code }, at: now });
  return r ?? (await deps.refunds.findRefund(refund.id))!;
}

/** Records a refund whose outcome is unknown (a lookup settles it, never a blind retry). */
export async function markUnknown(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, code: string, message: string): Promise<Refund> {
  const now = ctx.clock.now();
  const r = await deps.refunds.transitionRefund(refund.id, 'requested', 'unknown', now, { failureCode: code, failureMessage: message.slice(0, 500) });
  await ctx.repo.addPaymentEvent(refund.paymentId, { type: 'refund_unknown', from: null, to: null, data: { refund_id: refund.id, code }, at: now });
  ctx.logger.warn({ refund_id: refund.id, payment_id: refund.paymentId, code }, 'refund outcome unknown');
  return r ?? (await deps.refunds.findRefund(refund.id))!;
}

/** The answer for a refund as it stands; a failed one throws PROVIDER_DECLINED. */
export function resultOf(refund: Refund, payment: Payment): RefundPaymentResult {
  if (refund.status === 'failed') {
    throw new AppError('PROVIDER_DECLINED', '환불이 처리되지 않았습니다.', { refund_id: refund.id, code: refund.failureCode });
  }
  return { refund, payment, outcome: refund.status === 'succeeded' ? 'succeeded' : 'unknown' };
}

/**
 * Records a refund the provider made: refund `succeeded`, payment total and status, and
 * (when nothing is left) what the payment paid for (`applyRefundToCoverage`), in one
 * transaction. Idempotent.
 */
export async function settleRefundSucceeded(
  ctx: UseCaseContext,
  deps: RefundDeps,
  refundId: string,
  from: 'requested' | 'unknown',
  providerRefundRef: string | null,
  raw: unknown,
): Promise<RefundPaymentResult> {
  return ctx.repo.transaction(async (tx) => {
    const current = (await tx.refunds().findRefund(refundId))!;
    // Lock order as in every settlement: the subscription row, then payment rows. A full refund
    // may rewrite the periods of the subscription's other payments (applyRefundToCoverage), so
    // two refunds of one subscription settle one after the other instead of deadlocking.
    const owner = (await tx.findPayment(current.paymentId))!;
    await tx.findSubscriptionByUserForUpdate(owner.userId);
    const payment = (await tx.findPaymentForUpdate(current.paymentId))!;
    const now = ctx.clock.now();
    const refund = await tx.refunds().transitionRefund(refundId, from, 'succeeded', now, {
      providerRefundRef,
      settledAt: now,
      failureCode: null,
      failureMessage: null,
    });
    if (!refund) return resultOf((await tx.refunds().findRefund(refundId))!, payment);
    const refunded = krw(payment.refundedKrw + refund.amountKrw);
    if (refunded > payment.amountKrw) throw new Error(`refund ${refundId} would exceed payment ${payment.id}`);
    const to = refunded === payment.amountKrw ? 'refunded' : 'partially_refunded';
    const updated = await tx.transitionPayment(
      payment.id,
      payment.status,
      to,
      now,
      { refundedKrw: refunded },
      { type: 'refund_succeeded', data: { refund_id: refund.id, amount_krw: refund.amountKrw, vat_krw: refund.vatKrw, provider: raw } },
    );
    if (!updated) throw new Error(`payment ${payment.id} changed while locked`);
    if (to === 'refunded') await applyRefundToCoverage(ctx, tx, updated, refund, now);
    const common = { planName: planName(ctx, payment.planId), amountKrw: refund.amountKrw, paymentId: payment.id, providerName: providerName(payment.provider) };
    await enqueueNotice(
      ctx,
      tx,
      refund.kind === 'withdrawal'
        ? { kind: 'withdrawal_completed', userId: payment.userId, subscriptionId: payment.subscriptionId, data: common, dedupeKey: `refund:${refund.id}` }
        : {
            kind: 'refund_completed',
            userId: payment.userId,
            subscriptionId: payment.subscriptionId,
            data: { ...common, reason: refund.reason },
            dedupeKey: `refund:${refund.id}`,
          },
      now,
    );
    return { refund, payment: updated, outcome: 'succeeded' as const };
  });
}
