import type { Krw } from '../money.ts';
import type { Payment, Subscription } from '../records.ts';
import type { BillingCycleStatus } from './billing-cycle-states.ts';
import type { SubscriptionStatus } from './subscription-states.ts';
import type { NewPaymentRecord } from '../repositories.ts';
import type { NoticeKind } from '../notices/notice-catalog.ts';

/** One renewal period of a subscription and the attempts to charge it. */
export interface BillingCycle {
  id: string;
  subscriptionId: string;
  /** Plan the period is for (a scheduled downgrade applies here). */
  planId: string;
  periodStart: Date;
  periodEnd: Date;
  /** What the notice announced and the charge asks for, VAT included. */
  amountKrw: Krw;
  status: BillingCycleStatus;
  /** Charge attempts that ended declined (or were refused before charging). */
  attemptCount: number;
  /** When the next attempt is due; null when no attempt is left. */
  nextAttemptAt: Date | null;
  /** When the pre-renewal notice was written to the outbox. */
  noticeSentAt: Date | null;
  failureCode: string | null;
  /** Why a cycle was closed without payment (canceled / failed). */
  closedReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewBillingCycle = Omit<BillingCycle, 'updatedAt' | 'failureCode' | 'closedReason'>;
export type BillingCyclePatch = Partial<
  Pick<BillingCycle, 'planId' | 'amountKrw' | 'attemptCount' | 'nextAttemptAt' | 'noticeSentAt' | 'failureCode' | 'closedReason'>
>;

export const NOTICE_STATUSES = ['pending', 'sent', 'skipped', 'failed'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** Kinds of notices the service writes: one table, domain/notices/notice-catalog.ts. */
export type { NoticeKind };

/** One message in the outbox, written in the transaction of the state change it reports. */
export interface Notice {
  id: string;
  userId: string;
  subscriptionId: string | null;
  kind: NoticeKind;
  /** At most one notice per key (e.g. `renewal_upcoming:<cycle id>`): a repeated step writes nothing. */
  dedupeKey: string;
  subject: string;
  body: string;
  data: unknown;
  status: NoticeStatus;
  /** How it was delivered: 'smtp' or 'mailbox' (sandbox). */
  channel: string | null;
  recipient: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export type NewNotice = Pick<Notice, 'id' | 'userId' | 'subscriptionId' | 'kind' | 'dedupeKey' | 'subject' | 'body' | 'data' | 'createdAt'>;

export const REVOCATION_STATUSES = ['pending', 'done', 'failed'] as const;
export type RevocationStatus = (typeof REVOCATION_STATUSES)[number];

/** A billing key to revoke at the provider; queued in the transaction that stopped using it. */
export interface BillingKeyRevocation {
  id: string;
  subscriptionId: string;
  provider: string;
  billingKey: string;
  reason: string;
  status: RevocationStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  /** When the provider confirmed the key inactive. */
  doneAt: Date | null;
}

/** Renewal-worker fields of a subscription changed without a status transition. */
export type SubscriptionSchedulePatch = Partial<
  Pick<
    Subscription,
    | 'nextRenewalAt'
    | 'graceUntil'
    | 'agreedPriceKrw'
    | 'autoRenew'
    | 'billingKey'
    | 'provider'
    | 'canceledAt'
    | 'pendingPlanId'
    | 'planId'
    | 'pendingPriceKrw'
    | 'consentedPriceId'
  >
>;

/** One approved renewal, settled together with others of its batch (see `applyRenewalSettlements`). */
export interface RenewalSettlement {
  paymentId: string;
  subscriptionId: string;
  cycleId: string | null;
  /** The subscription's status before (it becomes active). */
  fromStatus: SubscriptionStatus;
  planId: string;
  pendingPlanId: string | null;
  /** The price charged: the one agreed for `planId` from now on. */
  agreedPriceKrw: Krw;
  periodStart: Date;
  periodEnd: Date;
  nextRenewalAt: Date;
  providerRef: string;
  methodKind: string | null;
  methodLabel: string | null;
  approvalNo: string | null;
  approvedAt: Date;
  raw: unknown;
}

/**
 * Storage of the renewal worker, seen from use cases. Methods run in the transaction of the
 * `BillingRepository` that handed out this object (`repo.renewals()`).
 */
export interface RenewalRepository {
  /**
   * Subscriptions whose `next_renewal_at` is due, oldest first, locked `FOR UPDATE SKIP LOCKED`
   * (rows another worker holds are skipped). Only meaningful inside a transaction.
   */
  claimDueSubscriptions(now: Date, limit: number, onlyId?: string): Promise<Subscription[]>;
  findSubscriptionForUpdate(id: string): Promise<Subscription | undefined>;
  /** Plain update (no status change, no audit row; callers add an event when it matters). */
  updateSubscription(id: string, at: Date, patch: SubscriptionSchedulePatch): Promise<void>;

  /** Open (scheduled / retrying) cycles of these subscriptions. */
  findOpenCycles(subscriptionIds: readonly string[]): Promise<BillingCycle[]>;
  findCycle(id: string): Promise<BillingCycle | undefined>;
  /** The cycle of this subscription for the period starting at `periodStart`, in any status. */
  findCycleByStart(subscriptionId: string, periodStart: Date): Promise<BillingCycle | undefined>;
  /** Inserts a cycle, or returns the existing one for the same subscription and period start. */
  insertCycle(c: NewBillingCycle): Promise<BillingCycle>;
  /** Compare-and-set on status, checked against the transition table. */
  transitionCycle(
    id: string,
    from: BillingCycleStatus,
    to: BillingCycleStatus,
    at: Date,
    patch?: BillingCyclePatch,
  ): Promise<BillingCycle | undefined>;
  updateCycle(id: string, at: Date, patch: BillingCyclePatch): Promise<void>;

  /** Payments of kind renewal/upgrade/registration still ready, approving or unknown. */
  findOpenSubscriptionPayments(subscriptionIds: readonly string[]): Promise<Payment[]>;

  /** Writes a notice unless one with the same dedupe key exists. */
  insertNotice(n: NewNotice): Promise<void>;
  /** Pending notices due for delivery, locked SKIP LOCKED, with the user's e-mail. */
  claimPendingNotices(now: Date, limit: number): Promise<(Notice & { email: string | null })[]>;
  markNotice(
    id: string,
    at: Date,
    patch: Partial<Pick<Notice, 'status' | 'channel' | 'recipient' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>>,
  ): Promise<void>;
  listNotices(filter: { userId?: string; email?: string; limit: number }): Promise<(Notice & { email: string | null })[]>;
  /** Marks notices still pending whose dedupe key starts with `keyPrefix` skipped (`reason` as last_error); returns how many. */
  skipPendingNotices(keyPrefix: string, at: Date, reason: string): Promise<number>;

  /** Queues a revocation (once per provider + key). Returns its id, or null if it was queued before. */
  queueRevocation(r: { id: string; subscriptionId: string; provider: string; billingKey: string; reason: string; at: Date }): Promise<string | null>;
  /** Pending revocations due now (or the one with `id`), locked SKIP LOCKED. */
  claimDueRevocations(now: Date, limit: number, id?: string): Promise<BillingKeyRevocation[]>;
  markRevocation(id: string, at: Date, patch: Partial<Pick<BillingKeyRevocation, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>>): Promise<void>;
  /** The subscription's most recently queued revocation (of its latest key given up), if any. */
  findLatestRevocation(subscriptionId: string): Promise<BillingKeyRevocation | undefined>;

  // Bulk forms of the worker's common path: one statement for a whole batch.
  insertCycles(cycles: readonly NewBillingCycle[]): Promise<void>;
  insertNotices(notices: readonly NewNotice[]): Promise<void>;
  insertPayments(payments: readonly NewPaymentRecord[]): Promise<void>;
  scheduleSubscriptions(rows: readonly { id: string; nextRenewalAt: Date | null }[], at: Date): Promise<void>;
  /** Locks the subscriptions of these users, in id order (the settle lock order: subscriptions first). */
  lockSubscriptionsOfUsers(userIds: readonly string[]): Promise<Subscription[]>;
  findPayments(ids: readonly string[]): Promise<Payment[]>;
  findCycles(ids: readonly string[]): Promise<BillingCycle[]>;
  /**
   * Settles approved renewals in one statement: each payment approving → approved (only if
   * still approving), its subscription → active with the new period, its cycle → paid, with the
   * audit rows. Returns the ids of the payments that moved.
   */
  applyRenewalSettlements(rows: readonly RenewalSettlement[], at: Date): Promise<string[]>;
  markNoticesSent(ids: readonly string[], channel: string, at: Date): Promise<void>;
}
