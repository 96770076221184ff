import { assertTransition, type TransitionTable } from '../state-machine.ts';
import type { Krw } from '../money.ts';

/**
 * One row per refund request against one payment (a refund never edits the payment row's
 * amount; the payment only keeps the running `refunded_krw` total).
 * - requested: the amount is reserved against the payment; the provider has not answered yet.
 * - succeeded: the provider refunded it; counted in the payment's `refunded_krw`.
 * - failed: the provider refused it or never received it; the reservation is released.
 * - unknown: the cancel call timed out; only a lookup (`syncRefund`) settles it.
 */
export const REFUND_STATUSES = ['requested', 'succeeded', 'failed', 'unknown'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_TRANSITIONS: TransitionTable<RefundStatus> = {
  requested: ['succeeded', 'failed', 'unknown'],
  unknown: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

/** Statuses whose amount counts against what is left to refund. */
export const RESERVING_REFUND_STATUSES: readonly RefundStatus[] = ['requested', 'unknown', 'succeeded'];

/** Why the refund was made: an operator, the user's 청약철회, or a mid-period cancel. */
export const REFUND_KINDS = ['admin', 'withdrawal', 'cancel_now'] as const;
export type RefundKind = (typeof REFUND_KINDS)[number];

export interface Refund {
  /** `ref_…`; the provider call's idempotency key is `refund-<id>`. */
  id: string;
  paymentId: string;
  kind: RefundKind;
  /** VAT-inclusive amount given back. */
  amountKrw: Krw;
  /** VAT contained in `amountKrw`, as sent to the provider (see `refundVat`). */
  vatKrw: Krw;
  reason: string;
  /** User id of whoever asked (the operator, or the subscriber). */
  requestedBy: string;
  status: RefundStatus;
  providerRefundRef: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it became succeeded or failed. */
  settledAt: Date | null;
}

export function assertRefundTransition(id: string, from: RefundStatus, to: RefundStatus): void {
  assertTransition('refund', REFUND_TRANSITIONS, id, from, to);
}
