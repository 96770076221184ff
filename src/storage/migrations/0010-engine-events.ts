import { sql, type Kysely } from 'kysely';

// The trading engine's outbox (issue 10, src/domain/engine/engine-events.ts). Rows are written in
// the transaction of the change they describe. `seq` orders one user's events without gaps: the
// upsert on engine_event_sequences takes the user's row lock, so concurrent writers for one user
// queue and commit in seq order. `position` is a global identity for paging; identities are
// handed out at insert, not at commit, so a reader paging by position must not trust the newest
// few seconds (or must re-read them).
const statements = [
  sql`CREATE TABLE engine_event_sequences (
    user_id text PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
  )`,
  sql`CREATE TABLE engine_events (
    id text PRIMARY KEY,
    position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seq bigint NOT NULL CHECK (seq > 0),
    type text NOT NULL CHECK (type IN ('subscription.activated', 'subscription.renewed', 'subscription.plan_changed',
      'subscription.past_due', 'subscription.canceled', 'subscription.expired', 'payment.refunded',
      'entitlements.updated', 'usage.threshold_reached')),
    payload jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (user_id, seq)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['engine_events', 'engine_event_sequences']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
