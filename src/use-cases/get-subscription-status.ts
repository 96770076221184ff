import { ENTITLED_STATUSES } from '../domain/subscription/subscription-states.ts';
import type { Entitlements, Plan } from '../domain/plans.ts';
import type { Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';

export interface SubscriptionStatusResult {
  plan: Plan;
  /** The paid plan, even when it no longer applies (expired / canceled). */
  subscription: Subscription | null;
  isActive: boolean;
  entitlements: Entitlements;
}

/**
 * The plan that applies now. A subscription whose period has ended counts as
 * ended even before the worker has moved its status, so entitlements never
 * outlive what was paid. past_due keeps them until `graceUntil`, also before
 * the renewal worker has expired the subscription.
 */
export async function getSubscriptionStatus(ctx: UseCaseContext, userId: string): Promise<SubscriptionStatusResult> {
  return subscriptionStatusOf(ctx, (await ctx.repo.findSubscriptionByUser(userId)) ?? null);
}

/** `getSubscriptionStatus` of a subscription already read (or just written). */
export function subscriptionStatusOf(ctx: Pick<UseCaseContext, 'clock' | 'plans'>, sub: Subscription | null): SubscriptionStatusResult {
  const now = ctx.clock.now();
  const entitled =
    sub !== null &&
    ENTITLED_STATUSES.includes(sub.status) &&
    (sub.status === 'past_due'
      ? sub.graceUntil === null || sub.graceUntil > now
      : sub.currentPeriodEnd !== null && sub.currentPeriodEnd > now);
  const plan = (entitled && ctx.plans.find(sub!.planId)) || ctx.plans.freePlan;
  return { plan, subscription: sub, isActive: entitled, entitlements: plan.entitlements };
}
