import { sql, type Kysely } from 'kysely';

// One statement per query: the extended protocol (pg and PGlite alike) takes one at a time.
const statements = [
  sql`CREATE TABLE users (
    id text PRIMARY KEY,
    email text UNIQUE,
    password_hash text,
    role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    external_subject text UNIQUE,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE TABLE subscriptions (
    id text PRIMARY KEY,
    user_id text NOT NULL UNIQUE REFERENCES users(id),
    plan_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'active', 'past_due', 'canceled', 'expired')),
    provider text,
    billing_key text,
    auto_renew boolean NOT NULL DEFAULT true,
    current_period_start timestamptz,
    current_period_end timestamptz,
    pending_plan_id text,
    canceled_at timestamptz,
    ended_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  sql`CREATE TABLE payments (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id),
    subscription_id text REFERENCES subscriptions(id),
    provider text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('checkout', 'renewal', 'upgrade')),
    plan_id text NOT NULL,
    amount_krw bigint NOT NULL CHECK (amount_krw >= 0),
    vat_krw bigint NOT NULL CHECK (vat_krw >= 0 AND vat_krw <= amount_krw),
    refunded_krw bigint NOT NULL DEFAULT 0 CHECK (refunded_krw >= 0 AND refunded_krw <= amount_krw),
    status text NOT NULL CHECK (status IN ('ready', 'approving', 'approved', 'declined', 'abandoned', 'unknown', 'partially_refunded', 'refunded')),
    recurring boolean NOT NULL DEFAULT false,
    checkout_ref text,
    provider_ref text,
    method_kind text,
    method_label text,
    billing_cycle_id text,
    period_start timestamptz,
    period_end timestamptz,
    failure_code text,
    failure_message text,
    expires_at timestamptz,
    approved_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  sql`CREATE UNIQUE INDEX payments_provider_ref_key ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL`,
  sql`CREATE UNIQUE INDEX payments_checkout_ref_key ON payments (provider, checkout_ref) WHERE checkout_ref IS NOT NULL`,
  sql`CREATE INDEX payments_user_created_idx ON payments (user_id, created_at DESC)`,
  sql`CREATE INDEX payments_unsettled_idx ON payments (status, updated_at) WHERE status IN ('approving', 'unknown')`,
  sql`CREATE TABLE payment_events (
    id bigserial PRIMARY KEY,
    payment_id text NOT NULL REFERENCES payments(id),
    type text NOT NULL,
    from_status text,
    to_status text,
    data jsonb,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX payment_events_payment_idx ON payment_events (payment_id, id)`,
  sql`CREATE TABLE subscription_events (
    id bigserial PRIMARY KEY,
    subscription_id text NOT NULL REFERENCES subscriptions(id),
    type text NOT NULL,
    from_status text,
    to_status text,
    data jsonb,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX subscription_events_subscription_idx ON subscription_events (subscription_id, id)`,
  sql`CREATE TABLE idempotency_keys (
    user_id text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    response_status integer,
    response_body jsonb,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['idempotency_keys', 'subscription_events', 'payment_events', 'payments', 'subscriptions', 'users']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
