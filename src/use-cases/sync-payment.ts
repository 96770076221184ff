import { AppError, ProviderDeclinedError, ProviderError } from '../domain/errors.ts';
import { nextLookup, pastLookupHorizon } from '../domain/payment/payment-lookup.ts';
import type { PaymentStatus } from '../domain/payment/payment-states.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { rejectAmountMismatch, settleApproved } from './settle-payment.ts';


export interface SyncPaymentResult {
  payment: Payment;
  /** False when the provider could not be asked; the payment stays as it was. */
  reconciled: boolean;
}

/**
 * Settles a payment whose outcome we do not know (`unknown`, or `approving` left behind by a
 * crash) by asking the provider, and re-asks about a `ready` payment whose approval was sent
 * earlier and is still on the lookup schedule (`nextLookupAt`): the provider may commit an
 * approval after our call gave up. Never guesses: while the provider has no final answer the
 * payment stays reconcilable, with the next lookup scheduled (domain/payment/payment-lookup.ts).
 */
export async function syncPayment(ctx: UseCaseContext, paymentId: string): Promise<SyncPaymentResult> {
  const payment = await ctx.repo.findPayment(paymentId);
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  const awaitingAnswer = payment.status === 'ready' && payment.nextLookupAt !== null;
  if (payment.status !== 'unknown' && payment.status !== 'approving' && !awaitingAnswer) return { payment, reconciled: true };
  const gateway = ctx.gateways.get(payment.provider);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  const from = payment.status;
  const now = () => ctx.clock.now();
  const reload = async (p: Payment | undefined) => p ?? (await ctx.repo.findPayment(payment.id))!;

  let result;
  try {
    result = await gateway.getPayment({ paymentId: payment.id, providerRef: payment.providerRef ?? payment.checkoutRef });
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') {
      // The provider has no approval for it (yet): nothing was charged so far.
      return { payment: await notApprovedYet(ctx, payment, from, { provider_code: err.providerCode }), reconciled: true };
    }
    if (err instanceof ProviderError) {
      ctx.logger.warn({ payment_id: payment.id, provider_code: err.providerCode, err: err.name }, 'payment sync failed');
      const next = nextLookup(now(), payment.lookupAttempts);
      await ctx.repo.reschedulePaymentLookup(payment.id, from, now(), next.nextLookupAt, next.lookupAttempts);
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
      return { payment: await reload(p), reconciled: true };
    }
    case 'pending':
    case 'authorized':
      // The approval has not taken effect (yet); the checkout may still be approved.
      return { payment: await notApprovedYet(ctx, payment, from, { provider: result.raw }), reconciled: true };
  }
}

/**
 * The provider reports no approval so far. The payment goes (back) to `ready`, so that the user
 * may approve again, and keeps its lookup schedule: an approval we sent may still land. Past the
 * horizon no provider accepts an approval any more, and the checkout is abandoned.
 */
async function notApprovedYet(ctx: UseCaseContext, payment: Payment, from: PaymentStatus, data: Record<string, unknown>): Promise<Payment> {
  const at = ctx.clock.now();
  if (pastLookupHorizon(payment.createdAt, at)) {
    const p = await ctx.repo.transitionPayment(
      payment.id,
      from,
      'abandoned',
      at,
      { failureCode: 'lookup_expired', failureMessage: '결제사 승인 가능 시간이 지났습니다.' },
      { type: 'sync', data: { ...data, lookup_attempts: payment.lookupAttempts + 1 } },
    );
    return p ?? (await ctx.repo.findPayment(payment.id))!;
  }
  const next = nextLookup(at, payment.lookupAttempts);
  if (from === 'ready') {
    await ctx.repo.reschedulePaymentLookup(payment.id, 'ready', at, next.nextLookupAt, next.lookupAttempts);
    return (await ctx.repo.findPayment(payment.id))!;
  }
  const p = await ctx.repo.transitionPayment(payment.id, from, 'ready', at, next, { type: 'sync', data });
  return p ?? (await ctx.repo.findPayment(payment.id))!;
}
