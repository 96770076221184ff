import type { Payment, Subscription, User } from './records.ts';
import type { PaymentKind, PaymentStatus } from './payment/payment-states.ts';

/** `YYYY-MM` of a month in Korea time (UTC+9, no daylight saving). */
export type MonthKey = string;

/** Paid payments of one month / provider / plan / amount: fees are computed per payment from these. */
export interface GrossGroup {
  month: MonthKey;
  provider: string;
  planId: string;
  amountKrw: number;
  /** VAT included in each payment of the group. */
  vatKrw: number;
  count: number;
}

export interface RefundGroup {
  month: MonthKey;
  provider: string;
  amountKrw: number;
  /** Sum of the refunds' VAT. */
  vatKrw: number;
  count: number;
}

export interface MonthCount {
  month: MonthKey;
  count: number;
  amountKrw: number;
}

export interface PlanCountAt {
  at: Date;
  planId: string;
  count: number;
}

/** Aggregates behind the revenue report. Months are Korea-time calendar months. */
export interface ReportStore {
  /**
   * Payments of more than 0 won approved in [from, to) in a paid status (approved,
   * partially_refunded, refunded), by approval month. 0-won registrations are not payments.
   */
  grossGroups(from: Date, to: Date): Promise<GrossGroup[]>;
  /** Succeeded refunds settled in [from, to), by settlement month and the payment's provider. */
  refundGroups(from: Date, to: Date): Promise<RefundGroup[]>;
  /** Renewal payments declined, created in [from, to), by month. */
  failedRenewals(from: Date, to: Date): Promise<MonthCount[]>;
  /**
   * Paying subscribers at each instant, by plan: users with a paid (approved or partially
   * refunded) payment whose period covers the instant, whose subscription had not ended
   * by then (per its status history).
   */
  subscribersAt(instants: readonly Date[]): Promise<PlanCountAt[]>;
  /** Subscriptions that went from active / past_due to canceled / expired in [from, to), by month. */
  endedSubscriptions(from: Date, to: Date): Promise<MonthCount[]>;
  /** Subscriptions entitled now (active with time left, or past_due), by plan. */
  activeSubscriptionsByPlan(now: Date): Promise<{ planId: string; count: number }[]>;
}

export interface UserSummary {
  user: User;
  subscription: Subscription | null;
}

export interface PaymentFilter {
  userId?: string;
  status?: PaymentStatus;
  /** Any of these statuses (with `status`: both must hold). */
  statuses?: readonly PaymentStatus[];
  provider?: string;
  planId?: string;
  kind?: PaymentKind;
  /** amount_krw ≥ minKrw */
  minKrw?: number;
  /** amount_krw ≤ maxKrw */
  maxKrw?: number;
  /** created_at ≥ from */
  from?: Date;
  /** created_at < to */
  to?: Date;
  /** Keyset cursor: rows created before this (newest first). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

/** Operator look-ups across users. */
export interface AdminDirectory {
  findUserSummary(userId: string): Promise<UserSummary | undefined>;
  /** Newest first. */
  listPayments(filter: PaymentFilter): Promise<Payment[]>;
  usersByIds(ids: readonly string[]): Promise<User[]>;
}
