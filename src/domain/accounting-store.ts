import type { MonthKey } from './report-store.ts';

/** Who paid for which plan at an instant (the per-user rows behind the subscriber counts). */
export interface PayingUserAt {
  at: Date;
  userId: string;
  planId: string;
}

/** Renewal cycles that failed at least once, by the month of their first declined attempt. */
export interface DunningMonth {
  month: MonthKey;
  /** Cycles whose first declined renewal attempt fell in the month. */
  failedCycles: number;
  failedKrw: number;
  /** Of those, cycles later paid by a renewal charge (at any time up to now). */
  recoveredCycles: number;
  recoveredKrw: number;
}

/** One paid payment (more than 0 won) for the accounting exports. */
export interface PaidPaymentRow {
  id: string;
  userId: string;
  provider: string;
  providerRef: string | null;
  /** The provider's approval number (승인번호; card approvals), when it gave one. */
  approvalNo: string | null;
  kind: string;
  planId: string;
  status: string;
  amountKrw: number;
  vatKrw: number;
  refundedKrw: number;
  approvedAt: Date;
}

/** One refund that succeeded, dated by when it succeeded (VAT filing: it reduces that period). */
export interface SettledRefundRow {
  id: string;
  paymentId: string;
  userId: string;
  provider: string;
  providerRef: string | null;
  providerRefundRef: string | null;
  kind: string;
  amountKrw: number;
  vatKrw: number;
  reason: string;
  paymentApprovedAt: Date | null;
  settledAt: Date;
}

/** Reads behind the accounting report and exports (report-repository's companion). */
export interface AccountingStore {
  /** Users paying at each instant (same rule as `ReportStore.subscribersAt`), one row per user. */
  payingUsersAt(instants: readonly Date[]): Promise<PayingUserAt[]>;
  /** The earliest start of a paid period (more than 0 won) per user, for users in `userIds`. */
  firstPaidStarts(userIds: readonly string[]): Promise<Map<string, Date>>;
  /** Dunning cycles whose first decline happened in [from, to). */
  dunning(from: Date, to: Date): Promise<DunningMonth[]>;
  /** Paid payments of more than 0 won approved in [from, to), oldest first, in batches. */
  paidPayments(from: Date, to: Date): AsyncIterable<PaidPaymentRow>;
  /** Refunds that succeeded in [from, to), oldest first, in batches. */
  settledRefunds(from: Date, to: Date): AsyncIterable<SettledRefundRow>;
}
