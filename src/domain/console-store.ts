import type { Payment, Subscription, User } from './records.ts';
import type { PaymentFilter, UserSummary } from './report-store.ts';
import type { Refund, RefundStatus } from './payment/refund-states.ts';
import type { BillingCycle } from './subscription/renewal-records.ts';
import type { SubscriptionStatus } from './subscription/subscription-states.ts';

/** One page of a list and how many rows match in all (not just on this page). */
export interface CountedPage<T> {
  rows: T[];
  total: number;
}

/** Offset paging for lists an operator pages through by number. */
export interface PageRequest {
  limit: number;
  offset: number;
}

/** What an operator's search term matched (issue 14.2). */
export const SEARCH_MATCHES = [
  'user_id',
  'email',
  'payment_id',
  /** KakaoPay tid, NaverPay paymentId (or the checkout's reserve id). */
  'provider_ref',
  /** KakaoPay SID, NaverPay recurrentId: current or revoked. */
  'billing_key',
  'subscription_id',
  'refund_id',
] as const;
export type SearchMatch = (typeof SEARCH_MATCHES)[number];

export interface UserSearchHit extends UserSummary {
  matchedBy: SearchMatch;
  /** The payment / subscription / refund whose id matched, when not the user itself. */
  matchedRef: string | null;
}

export interface DunningEntry {
  cycle: BillingCycle;
  subscription: Subscription;
  user: User;
}

export interface SubscriptionEntry {
  subscription: Subscription;
  user: User;
  /** The period a renewal will charge next (scheduled or retrying cycle), if one exists. */
  openCycle: BillingCycle | null;
}

export interface SubscriptionListFilter {
  status?: SubscriptionStatus;
  /** past_due only: `in` grace_until later than `now`, `over` grace ended (expiry pending). */
  grace?: 'in' | 'over';
  planId?: string;
  provider?: string;
  now: Date;
}

export interface RefundEntry {
  refund: Refund;
  payment: Payment;
  user: User;
}

/** Where a timeline entry comes from; each source is one query (storage/repositories/timeline-sources.ts). */
export const TIMELINE_SOURCES = ['payment', 'refund', 'subscription_event', 'notice', 'webhook_delivery', 'usage', 'consent', 'admin_action'] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

/** One thing that happened to a user, from any source, in a common shape. */
export interface TimelineEntry {
  source: TimelineSource;
  /** The row's id in its own table (unique within the source). */
  id: string;
  at: Date;
  /** The row's own type or kind (payment kind, event type, notice kind, feature…). */
  type: string;
  status: string | null;
  amountKrw: number | null;
  /** Source-specific fields for display (snake_case keys). */
  detail: Record<string, unknown>;
}

/** Keyset position in a timeline: entries strictly before (at, `source:id`) in newest-first order. */
export interface TimelineCursor {
  at: Date;
  key: string;
}

/** Operator lists with true totals, search by any id, and the per-user timeline (issue 14.1–14.3). */
export interface ConsoleStore {
  /** Users matched by id, e-mail part, payment id, provider transaction id, billing key, subscription or refund id; newest users first. */
  searchUsers(query: string, page: PageRequest): Promise<CountedPage<UserSearchHit>>;
  /** How many payments `filter` matches in all (its `before` and `limit` are ignored). */
  countPayments(filter: PaymentFilter): Promise<number>;
  /** Billing cycles whose charge failed and is being retried, next attempt first. */
  dunningQueue(page: PageRequest): Promise<CountedPage<DunningEntry>>;
  listSubscriptions(filter: SubscriptionListFilter, page: PageRequest): Promise<CountedPage<SubscriptionEntry>>;
  /** Active auto-renewing subscriptions whose period ends in [from, to), soonest first. */
  upcomingRenewals(from: Date, to: Date, page: PageRequest): Promise<CountedPage<SubscriptionEntry>>;
  listRefunds(statuses: readonly RefundStatus[], page: PageRequest): Promise<CountedPage<RefundEntry>>;
  /** Newest first, merged over `sources`; `total` counts every entry of those sources. */
  timeline(userId: string, opts: { sources: readonly TimelineSource[]; before?: TimelineCursor; limit: number }): Promise<CountedPage<TimelineEntry>>;
  setRole(userId: string, role: User['role']): Promise<User | undefined>;
}
