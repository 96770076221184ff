import { sql, type Kysely } from 'kysely';

// Renewals: the worker's calendar lives on the subscription (`next_renewal_at`,
// one partial index, so a tick over a million idle subscriptions reads nothing),
// one billing_cycles row per renewal period, payments of kind renewal/upgrade/
// registration linked to them, the notice outbox and the billing-key revocations.
const statements = [
  sql`ALTER TABLE subscriptions
    ADD COLUMN next_renewal_at timestamptz,
    ADD COLUMN grace_until timestamptz,
    ADD COLUMN agreed_price_krw bigint CHECK (agreed_price_krw >= 0)`,
  sql`CREATE INDEX subscriptions_next_renewal_idx ON subscriptions (next_renewal_at) WHERE next_renewal_at IS NOT NULL`,

  sql`ALTER TABLE payments DROP CONSTRAINT payments_kind_check`,
  sql`ALTER TABLE payments ADD CONSTRAINT payments_kind_check CHECK (kind IN ('checkout', 'renewal', 'upgrade', 'registration'))`,

  sql`CREATE TABLE billing_cycles (
    id text PRIMARY KEY,
    subscription_id text NOT NULL REFERENCES subscriptions(id),
    plan_id text NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL CHECK (period_end > period_start),
    amount_krw bigint NOT NULL CHECK (amount_krw >= 0),
    status text NOT NULL CHECK (status IN ('scheduled', 'retrying', 'paid', 'failed', 'canceled')),
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    notice_sent_at timestamptz,
    failure_code text,
    closed_reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (subscription_id, period_start)
  )`,
  sql`CREATE INDEX billing_cycles_open_idx ON billing_cycles (subscription_id) WHERE status IN ('scheduled', 'retrying')`,
  sql`ALTER TABLE payments ADD CONSTRAINT payments_billing_cycle_fk FOREIGN KEY (billing_cycle_id) REFERENCES billing_cycles(id)`,
  // One payment in flight per billing cycle (Lago): a second charge for the same period cannot be created.
  sql`CREATE UNIQUE INDEX payments_cycle_in_flight_key ON payments (billing_cycle_id)
    WHERE billing_cycle_id IS NOT NULL AND status IN ('ready', 'approving', 'unknown')`,
  // One billing-key charge in flight per subscription, so a lookup by billing key is unambiguous
  // (checkouts the user approves at the provider have a checkout_ref and are not billing-key charges).
  sql`CREATE UNIQUE INDEX payments_subscription_charge_in_flight_key ON payments (subscription_id)
    WHERE kind IN ('renewal', 'upgrade') AND checkout_ref IS NULL AND status IN ('approving', 'unknown')`,
  sql`CREATE INDEX payments_subscription_open_idx ON payments (subscription_id)
    WHERE kind <> 'checkout' AND status IN ('ready', 'approving', 'unknown')`,

  sql`CREATE TABLE notices (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id),
    subscription_id text REFERENCES subscriptions(id),
    kind text NOT NULL,
    dedupe_key text NOT NULL UNIQUE,
    subject text NOT NULL,
    body text NOT NULL,
    data jsonb,
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    channel text,
    recipient text,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX notices_pending_idx ON notices (next_attempt_at) WHERE status = 'pending'`,
  sql`CREATE INDEX notices_user_idx ON notices (user_id, created_at DESC)`,
  sql`CREATE INDEX notices_created_idx ON notices (created_at DESC)`,

  sql`CREATE TABLE billing_key_revocations (
    id text PRIMARY KEY,
    subscription_id text NOT NULL REFERENCES subscriptions(id),
    provider text NOT NULL,
    billing_key text NOT NULL,
    reason text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error text,
    done_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (provider, billing_key)
  )`,
  sql`CREATE INDEX billing_key_revocations_pending_idx ON billing_key_revocations (next_attempt_at) WHERE status = 'pending'`,

  // Subscriptions from before renewals: the worker first looks at them a week before their period
  // ends (it plans from there), and they agreed to what they last paid at checkout.
  sql`UPDATE subscriptions SET next_renewal_at = current_period_end - interval '7 days'
    WHERE status IN ('active', 'past_due') AND current_period_end IS NOT NULL`,
  sql`UPDATE subscriptions s SET agreed_price_krw = (
      SELECT p.amount_krw FROM payments p
      WHERE p.subscription_id = s.id AND p.kind = 'checkout' AND p.approved_at IS NOT NULL
      ORDER BY p.approved_at DESC LIMIT 1)
    WHERE s.agreed_price_krw IS NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['billing_key_revocations', 'notices']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  await sql`DROP INDEX IF EXISTS payments_subscription_open_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS payments_subscription_charge_in_flight_key`.execute(db);
  await sql`DROP INDEX IF EXISTS payments_cycle_in_flight_key`.execute(db);
  await sql`ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_billing_cycle_fk`.execute(db);
  await sql`DROP TABLE IF EXISTS billing_cycles`.execute(db);
  await sql`ALTER TABLE payments DROP CONSTRAINT payments_kind_check`.execute(db);
  await sql`ALTER TABLE payments ADD CONSTRAINT payments_kind_check CHECK (kind IN ('checkout', 'renewal', 'upgrade'))`.execute(db);
  await sql`DROP INDEX IF EXISTS subscriptions_next_renewal_idx`.execute(db);
  await sql`ALTER TABLE subscriptions DROP COLUMN next_renewal_at, DROP COLUMN grace_until, DROP COLUMN agreed_price_krw`.execute(db);
}
