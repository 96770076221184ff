import type { ColumnType, Generated, Selectable, Insertable } from 'kysely';
import type { PaymentKind, PaymentStatus } from '../domain/payment/payment-states.ts';
import type { SubscriptionStatus } from '../domain/subscription/subscription-states.ts';
import type { BillingCycleStatus } from '../domain/subscription/billing-cycle-states.ts';
import type { NoticeStatus, RevocationStatus } from '../domain/subscription/renewal-records.ts';
import type { RefundKind, RefundStatus } from '../domain/payment/refund-states.ts';
import type { DifferenceKind, SettlementLineKind } from '../domain/payment/settlement.ts';
import type { LegalDocumentId } from '../domain/legal/legal-documents.ts';

/**
 * Every table type of the service, one module (the architecture test keeps them here). `bigint` columns arrive as numbers: `create-db.ts` installs the
 * one parser for int8 (pg sends strings, PGlite numbers) and rejects values
 * beyond Number.MAX_SAFE_INTEGER.
 */
type Timestamp = ColumnType<Date, Date, Date>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface UsersTable {
  id: string;
  email: string | null;
  password_hash: string | null;
  role: 'user' | 'admin' | 'support' | 'finance';
  external_subject: string | null;
  created_at: Timestamp;
}

export interface SubscriptionsTable {
  id: string;
  user_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  provider: string | null;
  billing_key: string | null;
  auto_renew: boolean;
  current_period_start: Timestamp | null;
  current_period_end: Timestamp | null;
  pending_plan_id: string | null;
  canceled_at: Timestamp | null;
  ended_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Renewal worker's calendar (0002-renewals); see renewal-repository.ts. */
  next_renewal_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  grace_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  agreed_price_krw: ColumnType<number | null, number | null | undefined, number | null>;
  /** Price versions (0015-plan-prices): the price agreed for pending_plan_id, and the consented version. */
  pending_price_krw: ColumnType<number | null, number | null | undefined, number | null>;
  consented_price_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PaymentsTable {
  id: string;
  user_id: string;
  subscription_id: string | null;
  provider: string;
  kind: PaymentKind;
  plan_id: string;
  amount_krw: number;
  vat_krw: number;
  refunded_krw: ColumnType<number, number | undefined, number>;
  status: PaymentStatus;
  recurring: boolean;
  checkout_ref: string | null;
  provider_ref: string | null;
  method_kind: string | null;
  method_label: string | null;
  billing_cycle_id: string | null;
  period_start: Timestamp | null;
  period_end: Timestamp | null;
  failure_code: string | null;
  failure_message: string | null;
  expires_at: Timestamp | null;
  approved_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Reconciliation schedule of an approval sent to the provider (0008-faults). */
  next_lookup_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lookup_attempts: ColumnType<number, number | undefined, number>;
  priced_period_start: ColumnType<Date | null, Date | null | undefined, Date | null>;
  priced_period_end: ColumnType<Date | null, Date | null | undefined, Date | null>;
  priced_from_plan_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Card approval number (승인번호) of the approval (0018-receipts); null for other methods. */
  approval_no: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  from_status: string | null;
  to_status: string | null;
  data: Json;
  created_at: Timestamp;
}

export interface PaymentEventsTable extends EventsTable {
  payment_id: string;
}

export interface SubscriptionEventsTable extends EventsTable {
  subscription_id: string;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  response_status: number | null;
  response_body: Json;
  created_at: Timestamp;
  /** When the current holder claimed the key; the claim is a lease (0008-faults). */
  claimed_at: Timestamp;
}


export interface Database {
  users: UsersTable;
  subscriptions: SubscriptionsTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  subscription_events: SubscriptionEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  billing_cycles: BillingCyclesTable;
  notices: NoticesTable;
  billing_key_revocations: BillingKeyRevocationsTable;
  refunds: RefundsTable;
  usage_events: UsageEventsTable;
  auth_sessions: AuthSessionsTable;
  rate_limit_counters: RateLimitCountersTable;
  login_attempts: LoginAttemptsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  test_clock: TestClockTable;
  engine_event_sequences: EngineEventSequencesTable;
  engine_events: EngineEventsTable;
  engine_event_fanout: EngineEventFanoutTable;
  webhook_backoffs: WebhookBackoffsTable;
  plan_prices: PlanPricesTable;
  consents: ConsentsTable;
  password_reset_tokens: PasswordResetTokensTable;
  admin_audit_log: AdminAuditLogTable;
  settlement_imports: SettlementImportsTable;
  settlement_differences: SettlementDifferencesTable;
  api_keys: ApiKeysTable;
  usage_months: UsageMonthsTable;
  usage_reservations: UsageReservationsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

/** Trading-engine API keys, stored hashed (0011-engine-access). */
export interface ApiKeysTable {
  id: string;
  name: string;
  scopes: Json;
  prefix: string;
  key_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expires_at: Timestamp | null;
  replaced_by: string | null;
}

/** Auto-trading used against the monthly cap, per user and KST calendar month (0011-engine-access). */
export interface UsageMonthsTable {
  user_id: string;
  period_start: Timestamp;
  used_krw: Generated<number>;
  threshold_80_at: Timestamp | null;
  threshold_100_at: Timestamp | null;
}

/** Reservations against the cap, one per (user, trade_id) (0011-engine-access; written by engine_reserve/engine_commit, 0021). */
export interface UsageReservationsTable {
  id: string;
  user_id: string;
  trade_id: string;
  period_start: Timestamp;
  amount_krw: number;
  committed_krw: number | null;
  status: 'reserved' | 'committed' | 'released' | 'expired';
  created_at: Timestamp;
  expires_at: Timestamp;
  settled_at: Timestamp | null;
}

/** Standard Webhooks endpoints of the trading engine (0012-webhooks). */
export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One delivery of an engine event to an endpoint, leased while in flight (0012-webhooks). */
export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  user_id: string;
  seq: number;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_token: string | null;
  first_attempt_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: Timestamp | null;
  created_at: Timestamp;
}

/** The delivery log: one row per attempt (0012-webhooks). */
export interface WebhookDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  attempted_at: Timestamp;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

/** Versioned plan prices (0015-plan-prices, docs/pricing.md). */
export interface PlanPricesTable {
  id: string;
  plan_id: string;
  price_krw: number;
  effective_at: Timestamp;
  created_at: Timestamp;
  created_by: string | null;
  announced_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** The trading engine's outbox (0010-engine-events). */
export interface EngineEventSequencesTable {
  user_id: string;
  last_seq: number;
}

export interface EngineEventsTable {
  id: string;
  position: Generated<number>;
  user_id: string;
  seq: number;
  type: string;
  payload: Json;
  occurred_at: Timestamp;
  created_at: Timestamp;
}

/** Events not yet fanned out into webhook deliveries (0025; queued by a trigger on engine_events). */
export interface EngineEventFanoutTable {
  position: number;
  event_id: string;
  user_id: string;
  seq: number;
}

/** A user's deliveries at an endpoint waiting for a failed delivery's retry (0026). */
export interface WebhookBackoffsTable {
  endpoint_id: string;
  user_id: string;
  until: Timestamp;
}

/** Renewals (0002-renewals). */
export interface BillingCyclesTable {
  id: string;
  subscription_id: string;
  plan_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  amount_krw: number;
  status: BillingCycleStatus;
  attempt_count: Generated<number>;
  next_attempt_at: Timestamp | null;
  notice_sent_at: Timestamp | null;
  failure_code: string | null;
  closed_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NoticesTable {
  id: string;
  user_id: string;
  subscription_id: string | null;
  kind: string;
  dedupe_key: string;
  subject: string;
  body: string;
  data: Json;
  status: NoticeStatus;
  channel: string | null;
  recipient: string | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BillingKeyRevocationsTable {
  id: string;
  subscription_id: string;
  provider: string;
  billing_key: string;
  reason: string;
  status: RevocationStatus;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  done_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Refunds and the usage that limits them (0003-refunds). */
export interface RefundsTable {
  id: string;
  payment_id: string;
  kind: RefundKind;
  amount_krw: number;
  vat_krw: number;
  reason: string;
  requested_by: string;
  status: RefundStatus;
  provider_refund_ref: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  settled_at: Timestamp | null;
}

export interface UsageEventsTable {
  id: Generated<number>;
  user_id: string;
  feature: string;
  occurred_at: Timestamp;
  recorded_by: string;
}

/** Login sessions (0004-access). */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** Counters of 0005-web-security. */
export interface RateLimitCountersTable {
  key: string;
  hits: number;
  window_ends_at: Date;
}

export interface LoginAttemptsTable {
  key: string;
  attempts: number;
  window_started_at: Date;
  locks: number;
  locked_until: Date | null;
  updated_at: Date;
}

/** Operations (0009-operations). */
export interface WorkerHeartbeatsTable {
  worker_id: string;
  host: string;
  pid: number;
  started_at: Date;
  beat_at: Date;
}

export interface TestClockTable {
  id: number;
  offset_ms: number;
  updated_at: Date;
}

/** Consents and password resets (0017-consents). */
export interface ConsentsTable {
  id: string;
  user_id: string;
  document: LegalDocumentId;
  version: string;
  agreed_at: Timestamp;
  payment_id: string | null;
}

export interface PasswordResetTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** Staff actions and settlement imports (0020-console-actions). */
export interface AdminAuditLogTable {
  id: string;
  actor_user_id: string;
  action: string;
  target_type: string;
  target_id: string;
  reason: string | null;
  before: Json;
  after: Json;
  created_at: Timestamp;
}

export interface SettlementImportsTable {
  id: string;
  provider: string;
  settlement_date: string;
  file_name: string;
  line_count: number;
  file_amount_krw: number;
  file_fee_krw: number;
  ledger_amount_krw: number;
  ledger_fee_krw: number;
  difference_count: number;
  imported_by: string;
  created_at: Timestamp;
}

export interface SettlementDifferencesTable {
  id: string;
  import_id: string;
  kind: DifferenceKind;
  line_kind: SettlementLineKind;
  provider_ref: string | null;
  transaction_ref: string | null;
  payment_id: string | null;
  refund_id: string | null;
  file_value: Json;
  ledger_value: Json;
  created_at: Timestamp;
}

export type UserRow = Selectable<UsersTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
