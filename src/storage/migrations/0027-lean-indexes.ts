import { sql, type Kysely } from 'kysely';

// Index entries a renewal writes that nothing reads (issue 15). A renewal writes about 50 index
// entries (WAL of the renewal bench, 2026-12-06); each costs PostgreSQL a descent of its btree.
// - engine_events.position is `GENERATED ALWAYS AS IDENTITY`: its unique index never refused a
//   row, and every reader pages by (xid, position) (engine_events_xid_position, 0011). Two entries
//   per renewal (an event and its entitlements.updated).
// - A payment's provider transaction id and checkout id each had two indexes: the unique pair
//   (provider, ref) of 0001 and (ref) of 0019, for looking a ref up without its provider. One
//   unique index leading with the ref serves both. One entry per settled payment.
// - subscriptions (status, grace_until) served the console's lists by state; active subscriptions
//   are the bulk and are never listed through it. Kept for the others only, so a renewal's two
//   updates of an active subscription write no entry in it (console-repository.ts writes the
//   state into the statement's text, so a generic plan can use the partial index).
const up_ = [
  sql`ALTER TABLE engine_events DROP CONSTRAINT engine_events_position_key`,
  sql`CREATE UNIQUE INDEX payments_provider_ref_uniq ON payments (provider_ref, provider) WHERE provider_ref IS NOT NULL`,
  sql`DROP INDEX payments_provider_ref_key`,
  sql`DROP INDEX payments_provider_ref_idx`,
  sql`CREATE UNIQUE INDEX payments_checkout_ref_uniq ON payments (checkout_ref, provider) WHERE checkout_ref IS NOT NULL`,
  sql`DROP INDEX payments_checkout_ref_key`,
  sql`DROP INDEX payments_checkout_ref_idx`,
  sql`DROP INDEX subscriptions_status_idx`,
  sql`CREATE INDEX subscriptions_status_idx ON subscriptions (status, grace_until) WHERE status <> 'active'`,
];

const down_ = [
  sql`DROP INDEX subscriptions_status_idx`,
  sql`CREATE INDEX subscriptions_status_idx ON subscriptions (status, grace_until)`,
  sql`CREATE INDEX payments_checkout_ref_idx ON payments (checkout_ref) WHERE checkout_ref IS NOT NULL`,
  sql`CREATE UNIQUE INDEX payments_checkout_ref_key ON payments (provider, checkout_ref) WHERE checkout_ref IS NOT NULL`,
  sql`DROP INDEX payments_checkout_ref_uniq`,
  sql`CREATE INDEX payments_provider_ref_idx ON payments (provider_ref) WHERE provider_ref IS NOT NULL`,
  sql`CREATE UNIQUE INDEX payments_provider_ref_key ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL`,
  sql`DROP INDEX payments_provider_ref_uniq`,
  sql`ALTER TABLE engine_events ADD CONSTRAINT engine_events_position_key UNIQUE (position)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await s.execute(db);
}
