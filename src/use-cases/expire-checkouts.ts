import { CHECKOUT_EXPIRED, checkoutExpiryCutoff } from '../domain/payment/checkout-expiry.ts';
import type { UseCaseContext } from './context.ts';
import { syncPayment } from './sync-payment.ts';

export interface ExpireCheckoutsResult {
  /** Closed as `abandoned` / `checkout_expired` without asking the provider. */
  expired: number;
  /** Handed to a provider lookup first (an approval was sent for them once). */
  lookedUp: number;
}

/**
 * Closes checkouts the user never finished once their provider's lifetime has passed
 * (`lifetimesMs` per provider id; docs/checkout-rules.md rule 5). Never guesses:
 *
 * - A checkout for which no approval was ever sent cannot have been paid (both providers take
 *   money only when we call approve), so it is closed at once: `ready → abandoned` with failure
 *   code `checkout_expired`. The compare-and-set loses against an approval claimed meanwhile.
 * - A checkout for which an approval was claimed once (the provider may have it) is put on the
 *   lookup schedule and asked about now (`syncPayment`): approved → settled as paid; refused →
 *   closed as the provider says; no answer → asked again with backoff until the lookup horizon.
 *
 * Checkouts already on the lookup schedule belong to the reconcile task and are not touched.
 * Closing one frees the user's open-checkout slot (`payments_open_checkout_per_user_key`).
 */
export async function expireCheckouts(
  ctx: UseCaseContext,
  lifetimesMs: Readonly<Record<string, number>>,
  now: Date,
  limit: number,
): Promise<ExpireCheckoutsResult> {
  const result: ExpireCheckoutsResult = { expired: 0, lookedUp: 0 };
  for (const gateway of ctx.gateways.list()) {
    const lifetimeMs = lifetimesMs[gateway.id];
    const room = limit - result.expired - result.lookedUp;
    if (!lifetimeMs || room <= 0) continue;
    const due = await ctx.repo.listExpiredCheckouts(gateway.id, checkoutExpiryCutoff(now, lifetimeMs), room);
    for (const { payment, approvalSent } of due) {
      if (approvalSent) {
        result.lookedUp += 1;
        const scheduled = await ctx.repo.reschedulePaymentLookup(payment.id, 'ready', now, now, payment.lookupAttempts);
        if (!scheduled) continue;
        try {
          await syncPayment(ctx, payment.id);
        } catch (err) {
          // It stays on the lookup schedule: the reconcile task asks again.
          ctx.logger.warn({ payment_id: payment.id, err }, 'lookup of an expired checkout failed');
        }
        continue;
      }
      const moved = await ctx.repo.transitionPayment(
        payment.id,
        'ready',
        'abandoned',
        now,
        { failureCode: CHECKOUT_EXPIRED, failureMessage: '결제 가능 시간이 지나 결제가 만료되었습니다. 요금은 청구되지 않았습니다.' },
        { type: 'expired', data: { provider: gateway.id, lifetime_ms: lifetimeMs, approval_sent: false } },
      );
      if (moved) result.expired += 1;
    }
  }
  return result;
}
