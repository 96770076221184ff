import { AppError, ProviderDeclinedError, ProviderError, ProviderUnavailableError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import { refundVat } from '../domain/payment/refund-policy.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { RefundResult } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';
import { sumVat } from './refund-amounts.ts';
import { gatewayOf, type RefundDeps } from './refund-deps.ts';
import { markFailed, markUnknown, resultOf, settleRefundSucceeded, type RefundPaymentResult } from './refund-outcomes.ts';
import { syncRefundLocked } from './sync-refund.ts';

/** Steps 2 and 3 for a reserved refund, one provider call per payment at a time. */
export async function executeRefund(ctx: UseCaseContext, deps: RefundDeps, reserved: Refund): Promise<RefundPaymentResult> {
  return deps.serializer.run(reserved.paymentId, async () => {
    const refund = (await deps.refunds.findRefund(reserved.id))!;
    const payment = (await ctx.repo.findPayment(refund.paymentId))!;
    if (refund.status !== 'requested') return resultOf(refund, payment);

    const all = await deps.refunds.listRefundsByPayment(payment.id);
    for (const other of all.filter((r) => r.status === 'unknown')) await syncRefundLocked(ctx, deps, other.id);
    const fresh = (await ctx.repo.findPayment(payment.id))!;
    const others = await deps.refunds.listRefundsByPayment(payment.id);
    if (others.some((r) => r.status === 'unknown')) {
      // What the provider has left is uncertain: do not send a cancel on a guess.
      await markFailed(ctx, deps, refund, 'PAYMENT_IN_PROGRESS', 'an earlier refund is unknown');
      throw new AppError('PAYMENT_IN_PROGRESS', '이전 환불의 결과를 결제사에 확인하고 있습니다. 잠시 후 다시 시도해 주세요.', { payment_id: payment.id });
    }
    const refundableBefore = krw(fresh.amountKrw - fresh.refundedKrw);
    if (refund.amountKrw > refundableBefore) {
      await markFailed(ctx, deps, refund, 'REFUND_EXCEEDS_REMAINING', 'exceeds what is left');
      throw new AppError('REFUND_EXCEEDS_REMAINING', '환불 가능 금액을 초과했습니다.', { payment_id: payment.id, refundable_krw: refundableBefore });
    }
    const vatKrw = refundVat({
      amountKrw: refund.amountKrw,
      refundableBeforeKrw: refundableBefore,
      paymentVatKrw: fresh.vatKrw,
      vatRefundedKrw: sumVat(others.filter((r) => r.status === 'succeeded')),
    });
    if (vatKrw !== refund.vatKrw) await deps.refunds.setRequestedRefundVat(refund.id, vatKrw, ctx.clock.now());

    let result: RefundResult;
    try {
      result = await gatewayOf(ctx, fresh).refund({
        paymentId: fresh.id,
        providerRef: fresh.providerRef!,
        amountKrw: refund.amountKrw,
        vatKrw,
        refundableBeforeKrw: refundableBefore,
        reason: refund.reason,
        idempotencyKey: `refund-${refund.id}`,
      });
    } catch (err) {
      return handleRefundFailure(ctx, deps, { ...refund, vatKrw }, err);
    }
    if (result.amountKrw !== refund.amountKrw) {
      // The provider refunded another amount than asked: keep it unknown for an operator.
      ctx.logger.error({ refund_id: refund.id, requested_krw: refund.amountKrw, reported_krw: result.amountKrw }, 'provider refunded a different amount');
      const u = await markUnknown(ctx, deps, refund, 'AMOUNT_MISMATCH', `provider reported ${result.amountKrw}`);
      return resultOf(u, fresh);
    }
    return settleRefundSucceeded(ctx, deps, refund.id, 'requested', result.providerRefundRef, result.raw);
  });
}

async function handleRefundFailure(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, err: unknown): Promise<RefundPaymentResult> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ProviderUnavailableError && err.outcomeUnknown) {
    await markUnknown(ctx, deps, refund, failureCodeOf(err), message);
    const synced = await syncRefundLocked(ctx, deps, refund.id);
    return resultOf(synced.refund, synced.payment);
  }
  if (err instanceof ProviderDeclinedError || err instanceof ProviderError) {
    // Declined, or never processed (connection refused, maintenance, bad request): nothing moved.
    await markFailed(ctx, deps, refund, failureCodeOf(err), message);
    throw toAppError(err);
  }
  // Our own failure after the reservation: we cannot tell whether the call went out.
  await markUnknown(ctx, deps, refund, failureCodeOf(err), message);
  throw err;
}
