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

/**
 * Whether an upgrade is charged to the subscription's billing key (else it needs a checkout): the
 * one rule for the quote and the change. A key kept only until the period end (auto-renewal off,
 * 해지 예약) is not charged for new things; asking for another method needs a checkout.
 */
export function upgradeChargesKey(sub: Pick<Subscription, 'billingKey' | 'autoRenew' | 'provider'>, method?: string): boolean {
  return !!sub.billingKey && sub.autoRenew && !!sub.provider && (!method || method === sub.provider);
}
