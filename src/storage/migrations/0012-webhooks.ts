import { sql, type Kysely } from 'kysely';

// Delivery of the trading engine's outbox as Standard Webhooks (issue 10, docs/trading-engine.md
// "Webhooks (delivery)"). Each engine_events row is fanned out once (`fanned_out_at`) into one
// webhook_deliveries row per endpoint; a delivery is claimed FOR UPDATE SKIP LOCKED and leased
// (next_attempt_at pushed past the send, lease_token set), so a dispatcher that dies mid-send
// leaves it claimable again after the lease. Each attempt is logged in webhook_delivery_attempts.
const statements = [
  sql`ALTER TABLE engine_events ADD COLUMN fanned_out_at timestamptz`,
  sql`CREATE INDEX engine_events_fan_out ON engine_events (position) WHERE fanned_out_at IS NULL`,
  sql`CREATE TABLE webhook_endpoints (
    id text PRIMARY KEY,
    url text NOT NULL,
    description text,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  sql`CREATE TABLE webhook_deliveries (
    id text PRIMARY KEY,
    endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id text NOT NULL REFERENCES engine_events(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    seq bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_token text,
    first_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    succeeded_at timestamptz,
    created_at timestamptz NOT NULL,
    UNIQUE (endpoint_id, event_id)
  )`,
  sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
  sql`CREATE INDEX webhook_deliveries_user_order ON webhook_deliveries (endpoint_id, user_id, seq) WHERE status = 'pending'`,
  sql`CREATE INDEX webhook_deliveries_user ON webhook_deliveries (user_id, created_at)`,
  sql`CREATE TABLE webhook_delivery_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id text NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code integer,
    duration_ms integer NOT NULL,
    error text
  )`,
  sql`CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['webhook_delivery_attempts', 'webhook_deliveries', 'webhook_endpoints']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  await sql`DROP INDEX IF EXISTS engine_events_fan_out`.execute(db);
  await sql`ALTER TABLE engine_events DROP COLUMN IF EXISTS fanned_out_at`.execute(db);
}
