import { ProviderDeclinedError, ProviderError, AppError } from '../domain/errors.ts';
import type { PaymentStatus } from '../domain/payment/payment-states.ts';
import type { PaymentGateway, PaymentResult } from '../domain/ports.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { settleResult } from './charge-renewal.ts';
import { recordRenewalDecline } from './settle-subscription-payment.ts';
import type { RenewalOutcome } from './renewal-tasks.ts';

/**
 * Task: settles a renewal/upgrade/registration payment whose outcome is unknown by asking the
 * provider (order lookup; for a billing-key charge without a provider reference, the
 * provider's billing-key status or order-key search). Never charges. Approved → settled as
 * usual; declined → the attempt fails; not found → nothing was charged: a renewal payment goes
 * back to `ready` and is charged again by the next step, with the same idempotency key. For a
 * provider without charge idempotency (KakaoPay), "not found" counts only once the hold since
 * the last send is over (`notFoundHeldUntil`); before that the payment stays `unknown` and is
 * looked up again.
 */
export async function syncSubscriptionPayment(ctx: UseCaseContext, paymentId: string, now: Date): Promise<RenewalOutcome> {
  const payment = await ctx.repo.findPayment(paymentId);
  if (!payment || (payment.status !== 'unknown' && payment.status !== 'approving')) return 'skipped';
  const from = payment.status;
  const gateway = ctx.gateways.get(payment.provider);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  const sub = await ctx.repo.findSubscriptionByUser(payment.userId);
  const viaBillingKey = payment.checkoutRef === null;
  const later = (at: Date) => ctx.repo.renewals().updateSubscription(sub!.id, now, { nextRenewalAt: at });

  let result: PaymentResult;
  try {
    result = await gateway.getPayment({
      paymentId: payment.id,
      providerRef: payment.providerRef ?? payment.checkoutRef,
      billingKey: viaBillingKey ? (sub?.billingKey ?? null) : null,
      attemptedAt: payment.createdAt,
      expectedAmountKrw: payment.amountKrw,
    });
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') {
      const heldUntil = notFoundHeldUntil(ctx, gateway, payment, viaBillingKey, now);
      if (heldUntil) {
        ctx.logger.info({ payment_id: payment.id, held_until: heldUntil.toISOString() }, 'renewal lookup: not found yet; the charge may still commit');
        if (sub) await later(new Date(Math.min(now.getTime() + ctx.settings.renewal.syncDelayMs, heldUntil.getTime())));
        return 'unknown';
      }
      await notCharged(ctx, payment, from, now, err.providerCode);
      return 'not_charged';
    }
    if (err instanceof ProviderError) {
      ctx.logger.warn({ payment_id: payment.id, code: err.providerCode, err: err.name }, 'renewal lookup failed; will ask again');
      if (sub) await later(new Date(now.getTime() + ctx.settings.renewal.syncDelayMs));
      return 'unknown';
    }
    throw err;
  }
  switch (result.status) {
    case 'approved':
    case 'partially_refunded':
    case 'refunded':
      return settleResult(ctx, payment, from, result, now);
    case 'declined':
    case 'abandoned':
      if (payment.kind === 'renewal') {
        await recordRenewalDecline(ctx, payment.userId, payment.id, from, { code: `sync:${result.status}`, message: 'provider reports the charge failed', retryable: true }, now);
      } else {
        await ctx.repo.transitionPayment(payment.id, from, result.status, now, { failureCode: `sync:${result.status}` }, { type: 'sync' });
        if (sub) await later(now);
      }
      return 'declined';
    case 'pending':
    case 'authorized': {
      const heldUntil = notFoundHeldUntil(ctx, gateway, payment, viaBillingKey, now);
      if (heldUntil) {
        if (sub) await later(new Date(Math.min(now.getTime() + ctx.settings.renewal.syncDelayMs, heldUntil.getTime())));
        return 'unknown';
      }
      await notCharged(ctx, payment, from, now, result.status);
      return 'not_charged';
    }
  }
}

/**
 * docs/chaos.md, finding 2. A billing-key charge without idempotency key (KakaoPay) that timed
 * out, or met an earlier attempt still in flight, may commit at the provider later than our
 * lookup, which cannot see an uncommitted charge. Until `unknownChargeHoldMs` after the last
 * send, "not found" therefore proves nothing: returns when that hold ends, or null when the
 * lookup may be believed (hold over, an idempotent provider such as NaverPay, or a checkout
 * looked up by its tid). The anchor is the payment's last transition (approving → unknown,
 * written right after the send; a lease that ran out moves it later, never earlier).
 */
function notFoundHeldUntil(ctx: UseCaseContext, gateway: PaymentGateway, payment: Payment, viaBillingKey: boolean, now: Date): Date | null {
  if (!viaBillingKey || gateway.capabilities.idempotentCharge) return null;
  const until = new Date(payment.updatedAt.getTime() + ctx.settings.renewal.unknownChargeHoldMs);
  return now < until ? until : null;
}

async function notCharged(ctx: UseCaseContext, payment: Payment, from: PaymentStatus, now: Date, code: string): Promise<void> {
  await ctx.repo.transaction(async (repo) => {
    await repo.findSubscriptionByUserForUpdate(payment.userId);
    // A billing-key upgrade is not repeated on its own: the user asks again.
    const to = payment.kind === 'upgrade' && payment.checkoutRef === null ? 'declined' : 'ready';
    const moved = await repo.transitionPayment(payment.id, from, to, now, to === 'declined' ? { failureCode: 'not_charged' } : {}, {
      type: 'sync',
      data: { not_found: code },
    });
    if (moved && payment.subscriptionId) await repo.renewals().updateSubscription(payment.subscriptionId, now, { nextRenewalAt: now });
  });
}
