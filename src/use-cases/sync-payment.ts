import { AppError, ProviderDeclinedError, ProviderError } from '../domain/errors.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { rejectAmountMismatch, settleApproved } from './settle-payment.ts';


export interface SyncPaymentResult {
  payment: Payment;
  /** False when the provider could not be asked; the payment stays as it was. */
  reconciled: boolean;
}

/**
 * Settles a payment whose outcome we do not know (`unknown`, or `approving`
 * left behind by a crash) by asking the provider. Never guesses: if the
 * provider cannot answer, the payment stays unknown for the next sync.
 */
export async function syncPayment(ctx: UseCaseContext, paymentId: string): Promise<SyncPaymentResult> {
  const payment = await ctx.repo.findPayment(paymentId);
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  if (payment.status !== 'unknown' && payment.status !== 'approving') return { payment, reconciled: true };
  const gateway = ctx.gateways.get(payment.provider);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  const from = payment.status;
  const now = () => ctx.clock.now();

  let result;
  try {
    result = await gateway.getPayment({ paymentId: payment.id, providerRef: payment.providerRef ?? payment.checkoutRef });
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') {
      // The provider has no approval for it: nothing was charged.
      const p = await ctx.repo.transitionPayment(payment.id, from, 'ready', now(), {}, { type: 'sync', data: { provider_code: err.providerCode } });
      return { payment: p ?? (await ctx.repo.findPayment(payment.id))!, reconciled: true };
    }
    if (err instanceof ProviderError) {
      ctx.logger.warn({ payment_id: payment.id, provider_code: err.providerCode, err: err.name }, 'payment sync failed');
      return { payment, reconciled: false };
    }
    throw err;
  }

  switch (result.status) {
    case 'approved':
    case 'partially_refunded':
    case 'refunded': {
      if (result.amountKrw !== payment.amountKrw) {
        await rejectAmountMismatch(ctx, payment, from, result);
      }
      return { payment: await settleApproved(ctx, payment.id, from, result), reconciled: true };
    }
    case 'declined':
    case 'abandoned': {
      const p = await ctx.repo.transitionPayment(payment.id, from, result.status, now(), { failureCode: `sync:${result.status}` }, { type: 'sync', data: { provider: result.raw } });
      return { payment: p ?? (await ctx.repo.findPayment(payment.id))!, reconciled: true };
    }
    case 'pending':
    case 'authorized': {
      // The approval never took effect; the checkout may still be approved.
      const p = await ctx.repo.transitionPayment(payment.id, from, 'ready', now(), {}, { type: 'sync', data: { provider: result.raw } });
      return { payment: p ?? (await ctx.repo.findPayment(payment.id))!, reconciled: true };
    }
  }
}
