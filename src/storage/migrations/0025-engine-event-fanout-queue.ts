import { sql, type Kysely } from 'kysely';

// Events not yet fanned out into webhook deliveries are rows of a narrow queue table instead of
// a mark on the event (issue 15). Marking `engine_events.fanned_out_at` rewrote the whole event
// (payload included) with a new entry in each of its indexes, since the mark was the predicate
// of the fan-out index: about 40 µs of PostgreSQL per event, two events per renewal. Now an
// event's insert queues (position, event id, user, seq) by a statement trigger, so every writer
// (the repositories, engine_reserve/engine_commit, tests) queues its events in the same
// transaction, and the fan-out deletes the queue rows it takes (webhook-repository.ts).
// No foreign key to engine_events (its check would cost as much as the saving): a queue row
// whose event is gone (its user deleted) is dropped by the fan-out without deliveries.
const statements = [
  sql`CREATE TABLE engine_event_fanout (
    position bigint PRIMARY KEY,
    event_id text NOT NULL,
    user_id text NOT NULL,
    seq bigint NOT NULL
  )`,
  // The delivery claim's "no earlier event of this user still to fan out".
  sql`CREATE INDEX engine_event_fanout_user_seq ON engine_event_fanout (user_id, seq)`,
  sql`CREATE FUNCTION engine_events_queue_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO engine_event_fanout (position, event_id, user_id, seq) SELECT position, id, user_id, seq FROM new_events;
      RETURN NULL;
    END $$`,
  sql`CREATE TRIGGER engine_events_fanout AFTER INSERT ON engine_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION engine_events_queue_fanout()`,
  sql`INSERT INTO engine_event_fanout (position, event_id, user_id, seq)
    SELECT position, id, user_id, seq FROM engine_events WHERE fanned_out_at IS NULL`,
  sql`DROP INDEX engine_events_fan_out`,
  sql`ALTER TABLE engine_events DROP COLUMN fanned_out_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE engine_events ADD COLUMN fanned_out_at timestamptz`.execute(db);
  await sql`UPDATE engine_events SET fanned_out_at = created_at WHERE id NOT IN (SELECT event_id FROM engine_event_fanout)`.execute(db);
  await sql`CREATE INDEX engine_events_fan_out ON engine_events (position) WHERE fanned_out_at IS NULL`.execute(db);
  await sql`DROP TRIGGER IF EXISTS engine_events_fanout ON engine_events`.execute(db);
  await sql`DROP FUNCTION IF EXISTS engine_events_queue_fanout()`.execute(db);
  await sql`DROP TABLE IF EXISTS engine_event_fanout`.execute(db);
}
