import { assertTransition, type TransitionTable } from '../state-machine.ts';

/**
 * One row per payment attempt.
 * - ready: checkout prepared at the provider, the user has not come back yet.
 * - approving: one request has claimed the approval and is calling the provider.
 * - unknown: a money call's outcome is unknown (timeout); only a sync settles it.
 */
export const PAYMENT_STATUSES = [
  'ready',
  'approving',
  'approved',
  'declined',
  'abandoned',
  'unknown',
  'partially_refunded',
  'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_TRANSITIONS: TransitionTable<PaymentStatus> = {
  // ready → approved: a lookup finds an approval we sent earlier whose answer was lost (or
  // that the provider committed after our call timed out), see domain/payment/payment-lookup.ts.
  ready: ['approving', 'abandoned', 'declined', 'unknown', 'approved'],
  // Back to ready only when the provider proves nothing happened (request never
  // processed, or a lookup shows the checkout still waiting for approval).
  approving: ['approved', 'declined', 'abandoned', 'unknown', 'ready'],
  unknown: ['approved', 'declined', 'abandoned', 'ready'],
  approved: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  declined: [],
  abandoned: [],
  refunded: [],
};

/** registration: a 0-won checkout that only registers a billing key (resuming auto-renewal). */
export const PAYMENT_KINDS = ['checkout', 'renewal', 'upgrade', 'registration'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/** The provider's answer to an approval is final: nothing is left to look up (ends `next_lookup_at`). */
export const APPROVAL_SETTLED_STATUSES: readonly PaymentStatus[] = ['approved', 'declined', 'abandoned'];

/** A money call was sent (or claimed) and has no final answer yet: the payment may still be charged. */
export const IN_FLIGHT_STATUSES: readonly PaymentStatus[] = ['approving', 'unknown'];

/** Statuses in which the money was taken (possibly partly refunded since). */
export const PAID_STATUSES: readonly PaymentStatus[] = ['approved', 'partially_refunded', 'refunded'];

/**
 * Paid and not wholly refunded: some money is still held, so the payment can be refunded
 * (further) and the period it paid for still counts (cancel-now lines, subscriber counts).
 */
export const REFUNDABLE_STATUSES: readonly PaymentStatus[] = ['approved', 'partially_refunded'];

export function assertPaymentTransition(id: string, from: PaymentStatus, to: PaymentStatus): void {
  assertTransition('payment', PAYMENT_TRANSITIONS, id, from, to);
}
