import { ProviderDeclinedError, ProviderError } from '../domain/errors.ts';
import type { Payment } from '../domain/records.ts';
import type { PaymentGateway, PaymentResult, ReturnOutcome } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';
import { rejectAmountMismatch, settleApproved } from './settle-payment.ts';

type Exit = Exclude<ReturnOutcome, { outcome: 'authorized' }>;

/**
 * The browser says the user cancelled or failed at the provider. That claim
 * is a URL anyone can make a victim's browser load, so it closes nothing by
 * itself: the provider is asked, and its answer decides.
 *
 * - declined / abandoned (or no payment at all at the provider: nothing was
 *   approved): the payment closes as the provider says;
 * - approved (or refunded since): settled as approved;
 * - still pending / authorized, or the provider cannot be asked: the payment
 *   stays `ready` (the user may still pay; expiry closes it later).
 */
export async function confirmCheckoutExit(ctx: UseCaseContext, gateway: PaymentGateway, payment: Payment, claimed: Exit): Promise<Payment> {
  if (payment.status !== 'ready') return payment;
  let result: PaymentResult | 'not_found';
  try {
    result = await gateway.getPayment({ paymentId: payment.id, providerRef: payment.providerRef ?? payment.checkoutRef });
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') result = 'not_found';
    else if (err instanceof ProviderError) {
      ctx.logger.warn({ payment_id: payment.id, provider_code: err.providerCode, err: err.name }, 'cancel/fail return not confirmed: provider lookup failed');
      return payment;
    } else throw err;
  }
  const now = ctx.clock.now();
  const status = result === 'not_found' ? (claimed.outcome === 'canceled' ? 'abandoned' : 'declined') : result.status;
  switch (status) {
    case 'approved':
    case 'partially_refunded':
    case 'refunded': {
      const r = result as PaymentResult;
      if (r.amountKrw !== payment.amountKrw) await rejectAmountMismatch(ctx, payment, 'ready', r);
      return settleApproved(ctx, payment.id, 'ready', r, payment);
    }
    case 'declined':
    case 'abandoned': {
      const moved = await ctx.repo.transitionPayment(payment.id, 'ready', status, now, {
        // The browser's reason when the provider agrees with it; else what the provider said.
        failureCode: status === (claimed.outcome === 'canceled' ? 'abandoned' : 'declined') ? claimed.reason : `provider:${status}`,
        failureMessage: status === 'abandoned' ? '사용자가 결제를 취소했습니다.' : '결제사에서 결제가 실패했습니다.',
      });
      return moved ?? (await ctx.repo.findPayment(payment.id))!;
    }
    case 'pending':
    case 'authorized':
      ctx.logger.warn({ payment_id: payment.id, claimed: claimed.outcome, provider_status: status }, 'cancel/fail return not confirmed by the provider');
      return payment;
  }
}
