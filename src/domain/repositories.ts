import type { Payment, Subscription, User, Role } from './records.ts';
import type { PaymentStatus } from './payment/payment-states.ts';
import type { SubscriptionStatus } from './subscription/subscription-states.ts';
import type { BillingCycleStatus } from './subscription/billing-cycle-states.ts';
import type {
  BillingCycle,
  BillingCyclePatch,
  BillingKeyRevocation,
  NewBillingCycle,
  NewNotice,
  Notice,
  RenewalSettlement,
  SubscriptionSchedulePatch,
} from './subscription/renewal-records.ts';
import type { PriceRepository, PriceVersion } from './plan-prices.ts';
import type { Consent } from './legal/legal-documents.ts';
import type { RefundStore } from './payment/refund-store.ts';
import type { EngineEvent, NewEngineEvent } from './engine/engine-events.ts';
import type { AdminAuditEntry } from './admin-audit.ts';
import type { AccountStore } from './account-store.ts';

export interface NewUser {
  id: string;
  email: string | null;
  passwordHash: string | null;
  role: Role;
  externalSubject: string | null;
  createdAt: Date;
}

/** One hit of a fixed-window rate-limit counter: its key, window length and the wall-clock time. */
export interface RateLimitHit {
  key: string;
  windowMs: number;
  now: Date;
}

/** A counter after a hit: the hits in the current window and when it ends. */
export interface RateLimitCount {
  hits: number;
  windowEndsAt: Date;
}

type PricedFields = 'pricedPeriodStart' | 'pricedPeriodEnd' | 'pricedFromPlanId';
export type NewPaymentRecord = Omit<Payment, 'refundedKrw' | 'updatedAt' | 'nextLookupAt' | 'lookupAttempts' | PricedFields | 'approvalNo'> &
  Partial<Pick<Payment, PricedFields | 'approvalNo'>>;

export type PaymentPatch = Partial<
  Pick<
    Payment,
    | 'subscriptionId'
    | 'checkoutRef'
    | 'providerRef'
    | 'methodKind'
    | 'methodLabel'
    | 'periodStart'
    | 'periodEnd'
    | 'failureCode'
    | 'failureMessage'
    | 'approvedAt'
    | 'expiresAt'
    | 'refundedKrw'
    | 'nextLookupAt'
    | 'lookupAttempts'
    | 'approvalNo'
  >
>;

export type SubscriptionPatch = Partial<Omit<Subscription, 'id' | 'userId' | 'createdAt' | 'status' | 'updatedAt'>>;

export interface AuditEvent {
  type: string;
  from: string | null;
  to: string | null;
  data?: unknown;
  at: Date;
}

/** Storage seen from use cases. Every method runs inside the repository's transaction, if any. */
export interface BillingRepository {
  /**
   * Appends an event to the trading engine's outbox with the user's next `seq`. Call it inside
   * `transaction(...)` with the change it describes, so both commit or neither does.
   */
  appendEngineEvent(e: NewEngineEvent): Promise<EngineEvent>;
  insertUser(u: NewUser): Promise<User>;
  findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | undefined>;
  findUserById(id: string): Promise<User | undefined>;
  /** Creates the user for an external subject on first sight; returns the existing one after. */
  upsertExternalUser(u: NewUser): Promise<User>;

  insertPayment(p: NewPaymentRecord): Promise<Payment>;
  findPayment(id: string): Promise<Payment | undefined>;
  findPaymentForUpdate(id: string): Promise<Payment | undefined>;
  findPaymentByRef(provider: string, ref: string): Promise<Payment | undefined>;
  /**
   * The payment (by our id, or by a provider reference as `findPaymentByRef`) with its user's
   * subscription (null: none) and its row version, read in one statement; with `ownerOfRef`, also the id of the
   * payment `findPaymentByRef(payment's provider, ownerOfRef)` would find (null: none).
   */
  findPaymentWithSubscription(
    by: { id: string } | { provider: string; ref: string },
    ownerOfRef?: string,
  ): Promise<{ payment: Payment; subscription: Subscription | null; subscriptionVersion: string | null; refOwnerId?: string | null } | undefined>;
  /**
   * Compare-and-set: moves the payment from `from` to `to` (checked against the
   * transition table) and applies `patch`, only if its status is still `from`.
   * Returns the updated payment, or undefined when another writer got there first.
   */
  transitionPayment(
    id: string,
    from: PaymentStatus,
    to: PaymentStatus,
    at: Date,
    patch?: PaymentPatch,
    event?: Omit<AuditEvent, 'from' | 'to' | 'at'>,
      /** Notices written in the same statement, only when the payment moved. */
    notices?: readonly NewNotice[],
): Promise<Payment | undefined>;
  updatePayment(id: string, at: Date, patch: PaymentPatch): Promise<void>;
  addPaymentEvent(paymentId: string, e: AuditEvent): Promise<void>;
  listPaymentsByUser(userId: string, limit: number, beforeCreatedAt?: Date): Promise<Payment[]>;
  /**
   * Payments whose approval lookup is due (`next_lookup_at <= now`), oldest first. Only rows
   * whose approval was sent to the provider and has no final answer yet carry a schedule.
   */
  listPaymentsDueForLookup(now: Date, limit: number): Promise<Payment[]>;
  /**
   * Moves the lookup schedule of a payment still in `status` (compare-and-set, no transition);
   * false when the payment moved on meanwhile.
   */
  reschedulePaymentLookup(id: string, status: PaymentStatus, at: Date, nextLookupAt: Date | null, lookupAttempts: number): Promise<boolean>;
  /**
   * The user's open checkouts: kinds the user starts (checkout, upgrade, registration) in
   * status ready, approving or unknown, oldest first. The database allows one at a time
   * (docs/checkout-rules.md, rule 2).
   */
  findOpenCheckouts(userId: string): Promise<Payment[]>;
  /**
   * Inserts a payment the user starts under "one open checkout per user" (docs/checkout-rules.md,
   * rule 2), in one statement: the user's open checkouts still `ready` are abandoned (compare-and-set,
   * failure code and audit type `superseded`), the payment is inserted, and `consents` with it. When
   * an open one is approving or unknown, or a ready one moved meanwhile, nothing is written and
   * `inProgressId` names it; a concurrent insert fails on the unique index (a unique violation).
   */
  insertUserCheckout(
    record: NewPaymentRecord,
    consents: readonly Consent[],
    superseded: { failureMessage: string; data: Record<string, unknown> },
  ): Promise<{ payment: Payment } | { inProgressId: string }>;
  /**
   * Checkouts of `provider` (kinds the user starts) still `ready`, created before `createdBefore`
   * and not on the lookup schedule, oldest first: candidates for expiry (issue 11 item 5).
   * `approvalSent` is true when an approval was ever claimed for it (a `→ approving` event).
   */
  listExpiredCheckouts(provider: string, createdBefore: Date, limit: number): Promise<{ payment: Payment; approvalSent: boolean }[]>;

  findSubscriptionByUser(userId: string): Promise<Subscription | undefined>;
  /**
   * The user's subscription and every stored plan price version (`PriceRepository.listVersions`),
   * in one statement; with `hit`, that statement also counts a rate-limit hit (the shared counters
   * of http/plugins/rate-limits.ts) and returns the count.
   */
  findSubscriptionWithPrices(
    userId: string,
    hit?: RateLimitHit,
  ): Promise<{ subscription: Subscription | undefined; prices: PriceVersion[]; count?: RateLimitCount }>;
  findSubscriptionByUserForUpdate(userId: string): Promise<Subscription | undefined>;
  insertSubscription(
    s: Omit<Subscription, 'updatedAt' | 'nextRenewalAt' | 'graceUntil' | 'agreedPriceKrw' | 'pendingPriceKrw' | 'consentedPriceId'> &
      Partial<Pick<Subscription, 'nextRenewalAt' | 'graceUntil' | 'agreedPriceKrw' | 'pendingPriceKrw' | 'consentedPriceId'>>,
  ): Promise<Subscription>;
  /** Compare-and-set on status, as for payments. */
  transitionSubscription(
    id: string,
    from: SubscriptionStatus,
    to: SubscriptionStatus,
    at: Date,
    patch?: SubscriptionPatch,
    event?: Omit<AuditEvent, 'from' | 'to' | 'at'>,
      /**
     * The row as read under this transaction's lock (`findSubscriptionByUserForUpdate`): the
     * change and the trading engine's events for it are then written in one statement.
     */
    locked?: Subscription,
    /**
     * With `locked` read earlier without the lock: its row version (`findPaymentWithSubscription`'s
     * `subscriptionVersion`); the compare-and-set then also requires the row unchanged since.
     */
    version?: string,
): Promise<Subscription | undefined>;
  addSubscriptionEvent(subscriptionId: string, e: AuditEvent): Promise<void>;
  /**
   * The `plan_upgraded` event an upgrade payment applied (its subscription and the plans
   * it switched between), or undefined when the payment never changed a plan.
   */
  findUpgradeOrigin(paymentId: string): Promise<{ subscriptionId: string; fromPlan: string; toPlan: string } | undefined>;

  /** The renewal worker's storage, bound to the same transaction as this repository. */
  renewals(): RenewalRepository;

  /**
   * Writes one staff action to the audit log (`admin_audit_log`). Call it inside
   * `transaction(...)` with the change it records, so both commit or neither does.
   */
  recordAdminAction(entry: AdminAuditEntry): Promise<void>;
  /** Consents and password resets, bound to the same transaction as this repository. */
  accounts(): AccountStore;
  /** Plan price versions (docs/pricing.md), bound to the same transaction as this repository. */
  prices(): PriceRepository;
  /** Refund rows, bound to the same transaction as this repository. */
  refunds(): RefundStore;
  /**
   * The renewal claim's write buffer over this (transaction-bound) repository: use its `repo`
   * and `r` in place of this one and `renewals()`, then `flush()` before the transaction ends.
   */
  renewalWriteBatch(at: Date): RenewalWriteBatch;

  /**
   * The unit of work: runs `fn` in one transaction with a repository bound to it (inside a
   * transaction already, `fn` joins it). The other stores of that transaction come from the
   * bound repository: `repo.renewals()`, `repo.accounts()`, `repo.prices()`, `repo.refunds()`.
   */
  transaction<T>(fn: (repo: BillingRepository) => Promise<T>): Promise<T>;
}

/**
 * A renewal claim batch's common writes (new cycles, notices, renewal payments, `next_renewal_at`),
 * buffered and written as one statement per kind at `flush`; any other call flushes first.
 */
export interface RenewalWriteBatch {
  readonly repo: BillingRepository;
  readonly r: RenewalRepository;
  flush(): Promise<void>;
}


/** A notice's delivery state, whole (what `markNotices` writes). */
export type NoticeDeliveryState = Pick<Notice, 'id' | 'status' | 'channel' | 'recipient' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>;

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
  /** Writes each notice's delivery state as given (one statement for all). */
  markNotices(rows: readonly NoticeDeliveryState[], at: Date): Promise<void>;
  listNotices(filter: { userId?: string; email?: string; limit: number }): Promise<(Notice & { email: string | null })[]>;
  /**
   * The subscriptions whose notice with a dedupe key starting with `keyPrefix` may have reached
   * the subscriber: sent, or pending after a send was started (leased, or backing off after a
   * failure that may have been delivered all the same). Each once, by id.
   */
  subscriptionsToldBy(keyPrefix: string): Promise<Subscription[]>;
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
