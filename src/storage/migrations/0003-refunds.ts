import { sql, type Kysely } from 'kysely';

// Refunds are rows of their own (a payment only keeps the running refunded_krw total),
// and usage_events records paid-feature use, which decides 청약철회 (withdrawal).
const statements = [
  sql`CREATE TABLE refunds (
    id text PRIMARY KEY,
    payment_id text NOT NULL REFERENCES payments(id),
    kind text NOT NULL CHECK (kind IN ('admin', 'withdrawal', 'cancel_now')),
    amount_krw bigint NOT NULL CHECK (amount_krw > 0),
    vat_krw bigint NOT NULL CHECK (vat_krw >= 0 AND vat_krw <= amount_krw),
    reason text NOT NULL,
    requested_by text NOT NULL,
    status text NOT NULL CHECK (status IN ('requested', 'succeeded', 'failed', 'unknown')),
    provider_refund_ref text,
    failure_code text,
    failure_message text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    settled_at timestamptz
  )`,
  sql`CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at)`,
  sql`CREATE INDEX refunds_unsettled_idx ON refunds (status, updated_at) WHERE status IN ('requested', 'unknown')`,
  sql`CREATE INDEX refunds_settled_idx ON refunds (settled_at) WHERE status = 'succeeded'`,
  sql`CREATE TABLE usage_events (
    id bigserial PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id),
    feature text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_by text NOT NULL
  )`,
  sql`CREATE INDEX usage_events_user_idx ON usage_events (user_id, occurred_at DESC)`,
  // Reports group approved payments by approval time.
  sql`CREATE INDEX payments_approved_at_idx ON payments (approved_at) WHERE approved_at IS NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS payments_approved_at_idx`.execute(db);
  for (const t of ['usage_events', 'refunds']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
