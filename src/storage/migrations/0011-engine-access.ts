import { sql, type Kysely } from 'kysely';

// The trading engine's access (issue 10, docs/trading-engine.md): service API keys, the monthly
// auto-trading cap's usage and reservations, and the outbox column the entitlements change feed
// pages by.
//
// engine_events.xid: the writing transaction's id. The change feed hands out only rows whose
// transaction is older than every transaction still running (pg_snapshot_xmin), ordered by
// (xid, position): identities are given at insert, not at commit, so paging by position alone
// could skip a row that commits late with a lower position.
const statements = [
  sql`CREATE TABLE api_keys (
    id text PRIMARY KEY,
    name text NOT NULL,
    scopes jsonb NOT NULL,
    prefix text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz,
    expires_at timestamptz,
    replaced_by text
  )`,
  sql`CREATE TABLE usage_months (
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period_start timestamptz NOT NULL,
    used_krw bigint NOT NULL DEFAULT 0 CHECK (used_krw >= 0),
    threshold_80_at timestamptz,
    threshold_100_at timestamptz,
    PRIMARY KEY (user_id, period_start)
  )`,
  sql`CREATE TABLE usage_reservations (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    trade_id text NOT NULL,
    period_start timestamptz NOT NULL,
    amount_krw bigint NOT NULL CHECK (amount_krw > 0),
    committed_krw bigint CHECK (committed_krw >= 0),
    status text NOT NULL CHECK (status IN ('reserved', 'committed', 'released', 'expired')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    settled_at timestamptz,
    UNIQUE (user_id, trade_id)
  )`,
  sql`CREATE INDEX usage_reservations_open ON usage_reservations (user_id, period_start) WHERE status = 'reserved'`,
  sql`ALTER TABLE engine_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`,
  sql`CREATE INDEX engine_events_xid_position ON engine_events (xid, position)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS engine_events_xid_position`.execute(db);
  await sql`ALTER TABLE engine_events DROP COLUMN IF EXISTS xid`.execute(db);
  for (const t of ['usage_reservations', 'usage_months', 'api_keys']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
