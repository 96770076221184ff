import { AppError, ProviderError } from '../domain/errors.ts';
import type { Krw } from '../domain/money.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf } from './provider-errors.ts';
import { gatewayOf, type RefundDeps } from './refund-deps.ts';
import { markFailed, settleRefundSucceeded } from './refund-outcomes.ts';

export interface SyncRefundResult {
  refund: Refund;
  payment: Payment;
  /** False when the provider could not be asked or its answer does not fit; the refund stays as it was. */
  reconciled: boolean;
}

/**
 * Settles a refund whose outcome is unknown by asking the provider what is left to refund
 * (never by sending the cancel again): left = ours − amount → succeeded; left = ours →
 * not processed, failed once `unknownGraceMs` has passed since the request; anything else
 * stays unknown for an operator. A `requested` refund older than the grace period (its
 * process died mid-call) is settled the same way.
 */
export async function syncRefund(ctx: UseCaseContext, deps: RefundDeps, refundId: string): Promise<SyncRefundResult> {
  const refund = await deps.refunds.findRefund(refundId);
  if (!refund) throw new AppError('NOT_FOUND', '환불을 찾을 수 없습니다.', { refund_id: refundId });
  return deps.serializer.run(refund.paymentId, () => syncRefundLocked(ctx, deps, refundId, true));
}

/** Settles every unknown refund of a payment, before a new refund is reserved. */
export async function settleUnknownRefunds(ctx: UseCaseContext, deps: RefundDeps, paymentId: string): Promise<void> {
  const refunds = await deps.refunds.listRefundsByPayment(paymentId);
  if (!refunds.some((r) => r.status === 'unknown')) return;
  await deps.serializer.run(paymentId, async () => {
    for (const r of refunds.filter((x) => x.status === 'unknown')) await syncRefundLocked(ctx, deps, r.id);
  });
}

/** `syncRefund` for a caller already holding the payment's serializer slot. */
export async function syncRefundLocked(ctx: UseCaseContext, deps: RefundDeps, refundId: string, includeStaleRequested = false): Promise<SyncRefundResult> {
  const refund = (await deps.refunds.findRefund(refundId))!;
  const payment = (await ctx.repo.findPayment(refund.paymentId))!;
  const now = ctx.clock.now();
  const pastGrace = now.getTime() - refund.createdAt.getTime() >= deps.settings.unknownGraceMs;
  if (refund.status === 'succeeded' || refund.status === 'failed') return { refund, payment, reconciled: true };
  if (refund.status === 'requested' && !(includeStaleRequested && pastGrace)) return { refund, payment, reconciled: false };

  let left: Krw;
  try {
    left = (await gatewayOf(ctx, payment).getPayment({ paymentId: payment.id, providerRef: payment.providerRef })).refundableKrw;
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    ctx.logger.warn({ refund_id: refund.id, code: failureCodeOf(err) }, 'refund lookup failed');
    return { refund, payment, reconciled: false };
  }
  const ours = payment.amountKrw - payment.refundedKrw;
  if (left === ours - refund.amountKrw) {
    const r = await settleRefundSucceeded(ctx, deps, refund.id, refund.status, null, { lookup_refundable_krw: left });
    return { refund: r.refund, payment: r.payment, reconciled: true };
  }
  if (left === ours && pastGrace) {
    const r = await markFailed(ctx, deps, refund, 'NOT_PROCESSED', `provider still has ${left} to refund`);
    return { refund: r, payment, reconciled: true };
  }
  if (left !== ours) {
    ctx.logger.error({ refund_id: refund.id, provider_refundable_krw: left, our_refundable_krw: ours, amount_krw: refund.amountKrw }, 'refund lookup does not match; operator needed');
  }
  return { refund, payment, reconciled: false };
}

/**
 * Reconciliation sweep for a periodic task: settles refunds left `unknown`, or `requested`
 * past the grace period (a process died mid-call), oldest first. Returns how many were settled.
 */
export async function syncStaleRefunds(ctx: UseCaseContext, deps: RefundDeps, limit = 50): Promise<number> {
  const stale = await deps.refunds.listUnsettledRefunds(new Date(ctx.clock.now().getTime() - 60_000), limit);
  let settled = 0;
  for (const r of stale) {
    const res = await syncRefund(ctx, deps, r.id);
    if (res.reconciled && (res.refund.status === 'succeeded' || res.refund.status === 'failed')) settled++;
  }
  return settled;
}
