import type { SubscriptionStatus } from './subscription-states.ts';

export interface PeriodState {
  planId: string;
  status: SubscriptionStatus;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** past_due: when the grace period (access without payment) ends. */
  graceUntil?: Date | null;
  /** canceled / expired: when access ended (for an expiry, the end of the grace period). */
  endedAt?: Date | null;
}

export interface PaidPeriod {
  /** The period this payment pays for. */
  periodStart: Date;
  periodEnd: Date;
  /** The subscription's period after the payment. */
  subscriptionPeriodStart: Date;
  subscriptionPeriodEnd: Date;
}

/**
 * How long the subscriber had access after the paid period ended without paying for it (the
 * grace period of a failed renewal), in ms, still owed by the next paid period
 * (docs/checkout-rules.md, rule 3):
 *
 * - past_due (in grace, access continues): from the paid period's end until now (or until the
 *   grace end, if the worker has not expired it yet).
 * - expired after a grace period: from the paid period's end until access ended (`endedAt`),
 *   unless access ended at least `periodMs` ago: a subscription that lapsed that long ago owes
 *   nothing and starts over now.
 * - anything else (active, canceled at the period end, never paid): 0.
 */
export function graceUsedMs(current: PeriodState | null, now: Date, periodMs: number): number {
  if (!current?.currentPeriodEnd) return 0;
  const paidEnd = current.currentPeriodEnd.getTime();
  const t = now.getTime();
  if (paidEnd >= t) return 0;
  let accessEnd: number;
  if (current.status === 'past_due') accessEnd = Math.min(t, current.graceUntil?.getTime() ?? t);
  else if (current.status === 'expired' && current.endedAt) accessEnd = Math.min(t, current.endedAt.getTime());
  else return 0;
  if (accessEnd <= paidEnd || t - accessEnd >= periodMs) return 0;
  return accessEnd - paidEnd;
}

/**
 * Where a newly paid period goes. A payment for the plan the user already has,
 * while it is still running, extends from the current end (never from today).
 * Otherwise the period starts now, less the grace days used since the paid period
 * ended (`graceUsedMs`): paying during grace continues from where the paid period
 * ended, so the grace days are not free. The caller decides whether a plan change
 * is allowed; this function only does the date arithmetic.
 */
export function nextPaidPeriod(current: PeriodState | null, planId: string, now: Date, periodMs: number): PaidPeriod {
  const running =
    current !== null &&
    (current.status === 'active' || current.status === 'past_due') &&
    current.currentPeriodEnd !== null &&
    current.currentPeriodEnd.getTime() > now.getTime();
  if (running && current.planId === planId) {
    const start = current.currentPeriodEnd!;
    const end = new Date(start.getTime() + periodMs);
    return {
      periodStart: start,
      periodEnd: end,
      subscriptionPeriodStart: current.currentPeriodStart ?? now,
      subscriptionPeriodEnd: end,
    };
  }
  const start = new Date(now.getTime() - graceUsedMs(current, now, periodMs));
  const end = new Date(start.getTime() + periodMs);
  return { periodStart: start, periodEnd: end, subscriptionPeriodStart: start, subscriptionPeriodEnd: end };
}

/** What an upgrade payment was priced for (see `Payment.priced*`). */
export interface PricedScope {
  pricedPeriodStart: Date | null;
  pricedPeriodEnd: Date | null;
  pricedFromPlanId: string | null;
  /** Before migration 0007 only this was recorded: the period end the proration ran to. */
  periodEnd: Date | null;
}

/**
 * Whether a plan-change payment may still apply: the subscription must be active, still in
 * the very period the proration priced (same start and end), still on the plan it changes
 * from, and that period must not have ended. Returns what differs, or null when it applies.
 * Both the billing-key charge and a checkout with any provider settle through this check.
 */
export function planChangeMismatch(priced: PricedScope, sub: PeriodState, now: Date): string | null {
  const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
  if (sub.status !== 'active') return 'status';
  if (!sub.currentPeriodEnd || sub.currentPeriodEnd.getTime() <= now.getTime()) return 'period_ended';
  const pricedEnd = priced.pricedPeriodEnd ?? priced.periodEnd;
  if (!same(pricedEnd, sub.currentPeriodEnd)) return 'period_end';
  if (priced.pricedPeriodStart && !same(priced.pricedPeriodStart, sub.currentPeriodStart)) return 'period_start';
  if (priced.pricedFromPlanId && priced.pricedFromPlanId !== sub.planId) return 'plan';
  return null;
}
