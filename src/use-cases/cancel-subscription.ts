import { AppError } from '../domain/errors.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { UseCaseContext } from './context.ts';
import { abandonReadyPayment, planName, queueKeyRevocation, scopeOf, writeNotice } from './renewal-transitions.ts';

export interface CancelSubscriptionResult {
  subscription: Subscription;
  /** False when auto-renewal was already off (a repeated call). */
  changed: boolean;
}

/**
 * Turns auto-renewal off (해지 예약). An active subscription keeps its entitlements and its
 * billing key to the period end: undoing a mis-click before then (`resumeSubscription`) needs no
 * provider call. The worker ends the subscription at the period end and queues the key's
 * revocation in that transaction (`endAtPeriodEnd`). A registration checkout still open (a
 * payment-method change or resume not yet approved) is abandoned, so it cannot turn
 * auto-renewal back on. A past_due one ends now (its paid period is over), stops the retries,
 * and its key's revocation is queued in the same transaction (the job runner revokes it,
 * retrying until the provider confirms). Refused while a charge is in flight. Idempotent.
 */
export async function cancelSubscription(
  ctx: UseCaseContext,
  userId: string,
  /** Runs in the cancel's transaction after a change (an operator's cancel writes its audit row here). */
  opts: { onChanged?: (repo: BillingRepository, before: Subscription, after: Subscription) => Promise<void> } = {},
): Promise<CancelSubscriptionResult> {
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await repo.findSubscriptionByUserForUpdate(userId);
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
    const alreadyOff = sub.status === 'active' ? !sub.autoRenew : !sub.autoRenew && !sub.billingKey;
    if ((sub.status !== 'active' && sub.status !== 'past_due') || alreadyOff) {
      return { subscription: sub, changed: false };
    }
    const sc = scopeOf(ctx, repo, now);
    const open = await sc.r.findOpenSubscriptionPayments([sub.id]);
    if (open.some((p) => p.status === 'approving' || p.status === 'unknown')) {
      throw new AppError('PAYMENT_IN_PROGRESS', '진행 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.');
    }
    for (const p of open) if (p.kind === 'registration') await abandonReadyPayment(sc, p, 'canceled_by_user');
    let moved: Subscription | undefined;
    if (sub.status === 'active') {
      // The open cycle and the billing key stay: the worker closes the cycle and queues the key's
      // revocation at the period end, or a resume uses both again.
      moved = await repo.transitionSubscription(
        sub.id,
        'active',
        'active',
        now,
        { autoRenew: false, canceledAt: now, pendingPlanId: null, pendingPriceKrw: null, nextRenewalAt: sub.currentPeriodEnd },
        { type: 'auto_renew_off', data: { period_end: sub.currentPeriodEnd?.toISOString() ?? null, billing_key_kept: !!sub.billingKey } },
      );
    } else {
      await queueKeyRevocation(sc, sub, 'canceled_by_user');
      for (const c of await sc.r.findOpenCycles([sub.id])) {
        await sc.r.transitionCycle(c.id, c.status, 'canceled', now, { closedReason: 'canceled_by_user', nextAttemptAt: null });
      }
      for (const p of open) if (p.kind === 'renewal') await abandonReadyPayment(sc, p, 'canceled_by_user');
      moved = await repo.transitionSubscription(
        sub.id,
        'past_due',
        'canceled',
        now,
        { autoRenew: false, billingKey: null, canceledAt: now, pendingPlanId: null, pendingPriceKrw: null, endedAt: now, nextRenewalAt: null },
        { type: 'canceled_by_user' },
      );
    }
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    if (moved.status === 'active' && moved.currentPeriodEnd) {
      await writeNotice(sc, moved, 'cancel_scheduled', { planName: planName(ctx, moved.planId), periodEnd: moved.currentPeriodEnd }, `cancel_scheduled:${sub.id}:${now.toISOString()}`);
    } else {
      await writeNotice(sc, moved, 'canceled_now', { planName: planName(ctx, moved.planId), endedAt: now, refundKrw: 0 }, `canceled_now:${sub.id}:${now.toISOString()}`);
    }
    await opts.onChanged?.(repo, sub, moved);
    return { subscription: moved, changed: true };
  });
}
