import { sql, type Kysely } from 'kysely';

// Operations: worker heartbeats (readiness, `GET /readyz`) and the sandbox test clock's offset,
// shared with worker processes (`npm run worker`) that read it before each tick.
const statements = [
  sql`CREATE TABLE worker_heartbeats (
    worker_id text PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL,
    beat_at timestamptz NOT NULL
  )`,
  sql`CREATE TABLE test_clock (
    id integer PRIMARY KEY CHECK (id = 1),
    offset_ms bigint NOT NULL CHECK (offset_ms >= 0),
    updated_at timestamptz NOT NULL
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS test_clock`.execute(db);
  await sql`DROP TABLE IF EXISTS worker_heartbeats`.execute(db);
}
