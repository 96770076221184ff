import { sql, type Kysely } from 'kysely';

// Which user's deliveries are waiting, at which endpoint, for a failed delivery's retry (issue
// 10, "retried with backoff for days"). While a user's first pending delivery backs off, the ones
// behind it cannot be sent; left due, every claim read them and passed them over (an engine
// outage's whole backlog at each claim: 575 ms a claim over 100,000 waiting deliveries). A failure
// that schedules a retry writes the time here and moves the user's later deliveries to it; the
// fan-out gives a new delivery of that user that time; a success or a give-up removes the row
// (webhook-repository.ts, recordAttempts and fanOut). A row per (endpoint, user) in backoff, so
// the fan-out's look-up stays small whatever the backlog.
const statements = [
  sql`CREATE TABLE webhook_backoffs (
    endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    until timestamptz NOT NULL,
    PRIMARY KEY (endpoint_id, user_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS webhook_backoffs`.execute(db);
}
