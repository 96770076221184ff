import type { Krw } from '../money.ts';
import type { Refund, RefundKind, RefundStatus } from './refund-states.ts';

export type NewRefund = Omit<Refund, 'status' | 'providerRefundRef' | 'failureCode' | 'failureMessage' | 'updatedAt' | 'settledAt'>;

export type RefundPatch = Partial<Pick<Refund, 'vatKrw' | 'providerRefundRef' | 'failureCode' | 'failureMessage' | 'settledAt'>>;

/** Refund rows, seen from use cases. Methods run inside the store's transaction, if any. */
export interface RefundStore {
  insertRefund(r: NewRefund): Promise<Refund>;
  findRefund(id: string): Promise<Refund | undefined>;
  /** Oldest first. */
  listRefundsByPayment(paymentId: string): Promise<Refund[]>;
  listRefundsByPayments(paymentIds: readonly string[]): Promise<Refund[]>;
  /**
   * Compare-and-set on status (checked against the transition table); returns the
   * updated row, or undefined when another writer moved it first.
   */
  transitionRefund(id: string, from: RefundStatus, to: RefundStatus, at: Date, patch?: RefundPatch): Promise<Refund | undefined>;
  /** Updates the VAT of a refund still `requested` (computed again just before the provider call). */
  setRequestedRefundVat(id: string, vatKrw: Krw, at: Date): Promise<void>;
  /** Refunds still `requested` or `unknown` last touched before `olderThan` (for reconciliation). */
  listUnsettledRefunds(olderThan: Date, limit: number): Promise<Refund[]>;
}

export interface UsageRecord {
  userId: string;
  /** Paid feature used, e.g. `auto_trading`, `realtime_alerts`. */
  feature: string;
  occurredAt: Date;
  /** User id of the caller that reported it (the user, or an admin / host service). */
  recordedBy: string;
}

/** Paid-feature usage reported by the host application (decides 청약철회). */
export interface UsageStore {
  recordUsage(u: UsageRecord): Promise<void>;
  /** The latest usage at or after `since`, if any. */
  lastUsageSince(userId: string, since: Date): Promise<UsageRecord | undefined>;
}

export type { Refund, RefundKind, RefundStatus };
