import type { SubscriptionStatus } from './subscription-states.ts';

export interface PeriodState {
  planId: string;
  status: SubscriptionStatus;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
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
 * Where a newly paid period goes. A payment for the plan the user already has,
 * while it is still running, extends from the current end (never from today);
 * otherwise the period starts now. The caller decides whether a plan change is
 * allowed; this function only does the date arithmetic.
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
  const end = new Date(now.getTime() + periodMs);
  return { periodStart: now, periodEnd: end, subscriptionPeriodStart: now, subscriptionPeriodEnd: end };
}
