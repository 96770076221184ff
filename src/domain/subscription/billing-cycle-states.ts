import { assertTransition, type TransitionTable } from '../state-machine.ts';

/**
 * One row per renewal period of a subscription (unique on subscription + period start).
 * - scheduled: the next period is known (notice sent or due); not charged yet.
 * - retrying: at least one attempt failed; the subscription is past_due until it is paid or the grace period ends.
 * - paid: a renewal payment settled it; the subscription's period was extended.
 * - failed: every attempt failed and the grace period ended (the subscription expired).
 * - canceled: never charged: auto-renewal was turned off, the plan changed before the charge,
 *   or the period was paid another way (a fresh checkout).
 *
 * canceled → scheduled: a cycle canceled as `superseded` (a prepaid period was bought) is due
 * again when a refund of that prepaid period moves the subscription's end back onto its
 * start (it was never charged; the unique period start leaves no room for a second row).
 */
export const BILLING_CYCLE_STATUSES = ['scheduled', 'retrying', 'paid', 'failed', 'canceled'] as const;
export type BillingCycleStatus = (typeof BILLING_CYCLE_STATUSES)[number];

export const BILLING_CYCLE_TRANSITIONS: TransitionTable<BillingCycleStatus> = {
  scheduled: ['retrying', 'paid', 'failed', 'canceled'],
  retrying: ['retrying', 'paid', 'failed', 'canceled'],
  paid: [],
  failed: [],
  canceled: ['scheduled'],
};

/** Statuses of a cycle that still expects a charge. */
export const OPEN_CYCLE_STATUSES: readonly BillingCycleStatus[] = ['scheduled', 'retrying'];

export function assertBillingCycleTransition(id: string, from: BillingCycleStatus, to: BillingCycleStatus): void {
  assertTransition('billing_cycle', BILLING_CYCLE_TRANSITIONS, id, from, to);
}
