import type { PlanCatalog, Plan } from '../domain/plans.ts';
import type { Subscription } from '../domain/records.ts';
import { prorate, type Proration } from '../domain/subscription/proration.ts';

/** What choosing `target` does to a running subscription (the branches of `changePlan`). */
export type PlanChangeKind = 'unchanged' | 'downgrade_canceled' | 'downgrade' | 'upgrade';

export function planChangeKind(plans: PlanCatalog, sub: Subscription, target: Plan): PlanChangeKind {
  if (target.id === sub.planId) return sub.pendingPlanId ? 'downgrade_canceled' : 'unchanged';
  const current = plans.find(sub.planId);
  return current && target.rank < current.rank ? 'downgrade' : 'upgrade';
}

/**
 * The prorated charge of an upgrade of `sub` to `target` taking effect at `at`: the one rule both
 * the quote (`GET /api/subscription/change/quote`) and the change itself (`changePlan`) use, so
 * the amount shown is the amount charged (issue 11 item 6). Credit for the unused rest of the
 * current plan at its configured price (`prorate`).
 */
export function priceUpgrade(plans: PlanCatalog, sub: Subscription, target: Plan, at: Date): Proration {
  const current = plans.find(sub.planId);
  return prorate({
    oldPriceKrw: current?.priceKrw ?? sub.agreedPriceKrw ?? target.priceKrw,
    newPriceKrw: target.priceKrw,
    periodEnd: sub.currentPeriodEnd!,
    periodMs: plans.periodMs,
    at,
  });
}
