import type { Krw } from '../domain/money.ts';
import type { PriceBook } from '../domain/plan-prices.ts';
import type { PlanCatalog, Plan } from '../domain/plans.ts';
import type { Subscription } from '../domain/records.ts';
import { prorate, type Proration } from '../domain/subscription/proration.ts';
import { nextRenewalTerms } from '../domain/subscription/renewal-terms.ts';

/** What choosing `target` does to a running subscription (the branches of `changePlan`). */
export type PlanChangeKind = 'unchanged' | 'downgrade_canceled' | 'downgrade' | 'upgrade';

export function planChangeKind(plans: PlanCatalog, sub: Subscription, target: Plan): PlanChangeKind {
  if (target.id === sub.planId) return sub.pendingPlanId ? 'downgrade_canceled' : 'unchanged';
  const current = plans.find(sub.planId);
  return current && target.rank < current.rank ? 'downgrade' : 'upgrade';
}

/**
 * The price of `target` a plan change at `at` agrees to: the version on sale then (price book,
 * docs/pricing.md), else plans.json's price.
 */
export function targetPriceAt(book: PriceBook, target: Plan, at: Date): Krw {
  return book.priceAt(target.id, at) ?? target.priceKrw;
}

/** An upgrade's prorated charge and the price the subscriber agrees to for the new plan. */
export interface UpgradePrice extends Proration {
  /** The new plan's price at the pricing instant: the subscription's agreed price after the upgrade. */
  newPriceKrw: Krw;
}

/**
 * The prorated charge of an upgrade of `sub` to `target` taking effect at `at`: the one rule both
 * the quote (`GET /api/subscription/change/quote`) and the change itself (`changePlan`) use, so
 * the amount shown is the amount charged (issue 11 item 6). Credit for the unused rest of the
 * current plan at the price the subscriber agreed to for it (else the price book's price then);
 * the new plan at the price book's price at `at` (docs/pricing.md), not plans.json's.
 */
export function priceUpgrade(plans: PlanCatalog, book: PriceBook, sub: Subscription, target: Plan, at: Date): UpgradePrice {
  const current = plans.find(sub.planId);
  const newPriceKrw = targetPriceAt(book, target, at);
  const proration = prorate({
    oldPriceKrw: sub.agreedPriceKrw ?? book.priceAt(sub.planId, at) ?? current?.priceKrw ?? newPriceKrw,
    newPriceKrw,
    periodEnd: sub.currentPeriodEnd!,
    periodMs: plans.periodMs,
    at,
  });
  return { ...proration, newPriceKrw };
}

/**
 * The subscription as `changePlan` leaves it for each kind (the fields the renewal terms read), so
 * a quote can say what the next renewal then charges with `nextRenewalTerms`.
 */
export function afterPlanChange(plans: PlanCatalog, book: PriceBook, sub: Subscription, target: Plan, at: Date): Subscription {
  switch (planChangeKind(plans, sub, target)) {
    case 'unchanged':
      return sub;
    case 'downgrade_canceled':
      return { ...sub, pendingPlanId: null, pendingPriceKrw: null };
    case 'downgrade':
      return sub.pendingPlanId === target.id ? sub : { ...sub, pendingPlanId: target.id, pendingPriceKrw: targetPriceAt(book, target, at) };
    case 'upgrade':
      return { ...sub, planId: target.id, pendingPlanId: null, pendingPriceKrw: null, agreedPriceKrw: targetPriceAt(book, target, at) };
  }
}

/**
 * What the next renewal charges after the change (the price book's version at the period end;
 * a higher one still waiting for consent is named at its price).
 */
export function renewalPriceAfter(plans: PlanCatalog, book: PriceBook, sub: Subscription, target: Plan, at: Date): Krw {
  const terms = nextRenewalTerms(afterPlanChange(plans, book, sub, target, at), book);
  return terms ? (terms.chargeKrw ?? terms.version.priceKrw) : targetPriceAt(book, target, at);
}

/**
 * Whether an upgrade is charged to the subscription's billing key (else it needs a checkout): the
 * one rule for the quote and the change. A key kept only until the period end (auto-renewal off,
 * 해지 예약) is not charged for new things; asking for another method needs a checkout.
 */
export function upgradeChargesKey(sub: Pick<Subscription, 'billingKey' | 'autoRenew' | 'provider'>, method?: string): boolean {
  return !!sub.billingKey && sub.autoRenew && !!sub.provider && (!method || method === sub.provider);
}
