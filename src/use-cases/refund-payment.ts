import type { UseCaseContext } from './context.ts';
import type { RefundDeps } from './refund-deps.ts';
import { executeRefund } from './execute-refund.ts';
import type { RefundPaymentResult } from './refund-outcomes.ts';
import { notFound, reserveRefund, type RefundPaymentInput } from './reserve-refund.ts';
import { settleUnknownRefunds } from './sync-refund.ts';

/**
 * Refunds a payment, fully or partly, through the provider's cancel API.
 *
 * 1. Reserve: one transaction locks the payment row (`FOR UPDATE`), checks
 *    refunded + in-flight refunds + amount ≤ paid, and inserts the refund `requested`.
 *    Concurrent requests therefore never reserve more than was paid.
 * 2. Commit, then call the provider (idempotency key `refund-<refundId>`); calls for one
 *    payment are serialized in this process.
 * 3. Settle in one transaction: refund `succeeded`, payment `refunded_krw` += amount and
 *    approved → partially_refunded → refunded. A full refund takes back what the payment
 *    paid for in the same transaction (`applyRefundToCoverage`: the remaining payments'
 *    periods, the subscription's end and plan, the renewal calendar).
 *
 * A declined / unreachable provider marks the refund `failed` (reservation released) and
 * throws. A timeout marks it `unknown`; a lookup then settles it, never a blind retry.
 * Throws PAYMENT_NOT_FOUND, NOT_REFUNDABLE, REFUND_EXCEEDS_REMAINING, PAYMENT_IN_PROGRESS
 * (an earlier refund's outcome is still unknown) and provider errors (see `toAppError`).
 */
export async function refundPayment(ctx: UseCaseContext, deps: RefundDeps, input: RefundPaymentInput): Promise<RefundPaymentResult> {
  const existing = await ctx.repo.findPayment(input.paymentId);
  if (!existing || (input.ownerId !== undefined && existing.userId !== input.ownerId)) throw notFound();
  await settleUnknownRefunds(ctx, deps, existing.id);
  const refund = await reserveRefund(ctx, deps, input);
  return executeRefund(ctx, deps, refund);
}
