import type { Krw } from '../money.ts';
import type { Payment, Subscription } from '../records.ts';
import type { BillingCycleStatus } from './billing-cycle-states.ts';
import type { SubscriptionStatus } from './subscription-states.ts';
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
  /** The subscription as locked for the settlement, before the change (the engine's events compare with it). */
  locked: Subscription;
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
