import { assertTransition, type TransitionTable } from '../state-machine.ts';

/**
 * - pending: created, first payment not settled yet.
 * - active: paid through `current_period_end`.
 * - past_due: a renewal charge failed; entitlements stay during the grace period.
 * - canceled: ended at period end because auto-renewal was off, or by a full refund.
 * - expired: ended because renewal payments kept failing.
 */
export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'past_due', 'canceled', 'expired'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const SUBSCRIPTION_TRANSITIONS: TransitionTable<SubscriptionStatus> = {
  pending: ['active', 'expired'],
  active: ['active', 'past_due', 'canceled', 'expired'],
  // past_due → past_due: a further renewal attempt failed (recorded as its own event).
  past_due: ['active', 'expired', 'canceled', 'past_due'],
  // A fresh checkout after the end starts the subscription again.
  canceled: ['active'],
  expired: ['active'],
};

/** Statuses in which the plan's entitlements apply. */
export const ENTITLED_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due'];

export function assertSubscriptionTransition(id: string, from: SubscriptionStatus, to: SubscriptionStatus): void {
  assertTransition('subscription', SUBSCRIPTION_TRANSITIONS, id, from, to);
}
