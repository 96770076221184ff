import type { ColumnType, Generated, Selectable, Insertable } from 'kysely';
import type { PaymentKind, PaymentStatus } from '../domain/payment/payment-states.ts';
import type { SubscriptionStatus } from '../domain/subscription/subscription-states.ts';
import type { BillingCyclesTable, BillingKeyRevocationsTable, NoticesTable } from './renewal-schema.ts';

/**
 * Table types. `bigint` columns arrive as numbers: `create-db.ts` installs the
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
  engine_event_sequences: EngineEventSequencesTable;
  engine_events: EngineEventsTable;
  plan_prices: PlanPricesTable;
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

export type UserRow = Selectable<UsersTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;
