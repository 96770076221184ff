import { AppError } from '../domain/errors.ts';
import type { Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { abandonReadyPayment, queueKeyRevocation, scopeOf } from './renewal-transitions.ts';
import { revokeBillingKeys } from './revoke-billing-key.ts';

export interface CancelSubscriptionResult {
  subscription: Subscription;
  /** False when auto-renewal was already off (a repeated call). */
  changed: boolean;
}

/**
 * Turns auto-renewal off. An active subscription keeps its entitlements to the period end
 * (the worker ends it then); a past_due one ends now (its paid period is over) and stops the
 * retries. The billing key is dropped and its revocation queued in the same transaction, then
 * revoked at the provider at once (the worker retries if that fails). Refused while a charge
 * is in flight. Idempotent.
 */
export async function cancelSubscription(ctx: UseCaseContext, userId: string): Promise<CancelSubscriptionResult> {
  const now = ctx.clock.now();
  const { subscription, changed, revocationId } = await ctx.repo.transaction(async (repo) => {
    const sub = await repo.findSubscriptionByUserForUpdate(userId);
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
    if ((sub.status !== 'active' && sub.status !== 'past_due') || (!sub.autoRenew && !sub.billingKey)) {
      return { subscription: sub, changed: false, revocationId: null };
    }
    const sc = scopeOf(ctx, repo, now);
    const open = await sc.r.findOpenSubscriptionPayments([sub.id]);
    if (open.some((p) => p.status === 'approving' || p.status === 'unknown')) {
      throw new AppError('PAYMENT_IN_PROGRESS', '진행 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.');
    }
    const revocationId = await queueKeyRevocation(sc, sub, 'canceled_by_user');
    const off = { autoRenew: false, billingKey: null, canceledAt: now, pendingPlanId: null, pendingPriceKrw: null };
    let moved: Subscription | undefined;
    if (sub.status === 'active') {
      // The open cycle stays: the worker closes it at the period end, or a resume uses it again.
      moved = await repo.transitionSubscription(sub.id, 'active', 'active', now, { ...off, nextRenewalAt: sub.currentPeriodEnd }, {
        type: 'auto_renew_off',
        data: { period_end: sub.currentPeriodEnd?.toISOString() ?? null },
      });
    } else {
      for (const c of await sc.r.findOpenCycles([sub.id])) {
        await sc.r.transitionCycle(c.id, c.status, 'canceled', now, { closedReason: 'canceled_by_user', nextAttemptAt: null });
      }
      for (const p of open) if (p.kind === 'renewal') await abandonReadyPayment(sc, p, 'canceled_by_user');
      moved = await repo.transitionSubscription(sub.id, 'past_due', 'canceled', now, { ...off, endedAt: now, nextRenewalAt: null }, {
        type: 'canceled_by_user',
      });
    }
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    return { subscription: moved, changed: true, revocationId };
  });
  if (revocationId) {
    await revokeBillingKeys(ctx, now, 1, revocationId).catch((err) =>
      ctx.logger.warn({ err, revocation_id: revocationId }, 'immediate billing key revocation failed; the worker retries'),
    );
  }
  return { subscription, changed };
}
