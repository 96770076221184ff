import type { ColumnType, Generated } from 'kysely';
import type { BillingCycleStatus } from '../domain/subscription/billing-cycle-states.ts';
import type { NoticeStatus, RevocationStatus } from '../domain/subscription/renewal-records.ts';

/** Table types of 0002-renewals; `schema.ts` adds them to `Database`. */
type Timestamp = ColumnType<Date, Date, Date>;
type Json = ColumnType<unknown, string | null, string | null>;

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
