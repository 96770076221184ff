import { sql, type Kysely } from 'kysely';

// Abuse limits shared by every replica (docs/web-security.md): login attempt
// counters per account and per client address, and the fixed-window counters of
// @fastify/rate-limit (sign-up, checkout start).
const statements = [
  sql`CREATE TABLE login_attempts (
    key text PRIMARY KEY,
    attempts integer NOT NULL CHECK (attempts >= 0),
    window_started_at timestamptz NOT NULL,
    locks integer NOT NULL CHECK (locks >= 0),
    locked_until timestamptz,
    updated_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX login_attempts_updated_idx ON login_attempts (updated_at)`,
  sql`CREATE TABLE rate_limit_counters (
    key text PRIMARY KEY,
    hits integer NOT NULL CHECK (hits >= 0),
    window_ends_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_ends_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['rate_limit_counters', 'login_attempts']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
