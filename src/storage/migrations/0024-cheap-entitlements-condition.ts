import { sql, type Kysely } from 'kysely';

// The condition of 0022's trigger built two jsonb documents of the whole row per subscription
// UPDATE (`to_jsonb(OLD) - … IS DISTINCT FROM to_jsonb(NEW) - …`): about 30 µs of PostgreSQL's
// time per row, as much as the UPDATE itself, on every renewal lease and settlement (issue 15).
// The same test as a row comparison of the columns themselves costs next to nothing.
// Every column but the renewal schedule (next_renewal_at, updated_at) is listed: a column added
// to `subscriptions` later must be added here too (a new migration recreating the trigger);
// test/integration/entitlements-notify.test.ts reads the columns from the catalog and fails
// until it is.
const LOUD = [
  'id',
  'user_id',
  'plan_id',
  'status',
  'provider',
  'billing_key',
  'auto_renew',
  'current_period_start',
  'current_period_end',
  'pending_plan_id',
  'canceled_at',
  'ended_at',
  'created_at',
  'grace_until',
  'agreed_price_krw',
  'pending_price_krw',
  'consented_price_id',
];
const row = (alias: 'OLD' | 'NEW') => LOUD.map((c) => `${alias}.${c}`).join(', ');

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER subscriptions_entitlements_update ON subscriptions`.execute(db);
  await sql
    .raw(
      `CREATE TRIGGER subscriptions_entitlements_update AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN ((${row('OLD')}) IS DISTINCT FROM (${row('NEW')}))
    EXECUTE FUNCTION entitlements_changed('s')`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER subscriptions_entitlements_update ON subscriptions`.execute(db);
  await sql`CREATE TRIGGER subscriptions_entitlements_update AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'next_renewal_at' - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'next_renewal_at' - 'updated_at'))
    EXECUTE FUNCTION entitlements_changed('s')`.execute(db);
}
