import { sql, type Kysely } from 'kysely';

// The entitlements NOTIFY of migration 0021 no longer fires for a subscription UPDATE that only
// moves its schedule (next_renewal_at, updated_at): the renewal worker's leases and wake-ups
// write those on every claim (issue 15), and no entitlement depends on them. PostgreSQL
// serializes notifying commits, so each claim batch of 64 leases queued behind the others'.
// A process whose cache still holds the row at its old version finds out at its next
// reservation or commit (engine_reserve / engine_commit compare xmin: 'stale', then it reads again).
// Inserts, deletes and every other change notify as before.
const statements = [
  sql`DROP TRIGGER subscriptions_entitlements ON subscriptions`,
  sql`CREATE TRIGGER subscriptions_entitlements AFTER INSERT OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION entitlements_changed('s')`,
  sql`CREATE TRIGGER subscriptions_entitlements_update AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'next_renewal_at' - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'next_renewal_at' - 'updated_at'))
    EXECUTE FUNCTION entitlements_changed('s')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS subscriptions_entitlements_update ON subscriptions`.execute(db);
  await sql`DROP TRIGGER IF EXISTS subscriptions_entitlements ON subscriptions`.execute(db);
  await sql`CREATE TRIGGER subscriptions_entitlements AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION entitlements_changed('s')`.execute(db);
}
