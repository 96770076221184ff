import { sql, type Kysely } from 'kysely';

// Checkout scope (docs/checkout-rules.md):
// - A plan-change payment records what it was priced for (the subscription's period and the
//   plan it changes from); approval refuses it when the subscription moved on since.
// - One open user checkout (checkout, upgrade, registration) per user at a time. A new one
//   abandons the user's earlier `ready` ones; while one is approving or unknown a new one is
//   refused. Renewal charges have their own per-cycle index (0002).
const OPEN_CHECKOUT = sql`kind IN ('checkout', 'upgrade', 'registration') AND status IN ('ready', 'approving', 'unknown')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE payments ADD COLUMN priced_period_start timestamptz`.execute(db);
  await sql`ALTER TABLE payments ADD COLUMN priced_period_end timestamptz`.execute(db);
  await sql`ALTER TABLE payments ADD COLUMN priced_from_plan_id text`.execute(db);
  // Existing rows may break the rule: keep each user's in-flight attempt, or else the newest
  // ready one; the other ready rows were never sent for approval and are abandoned.
  await sql`
    WITH ranked AS (
      SELECT id, status, row_number() OVER (
        PARTITION BY user_id
        ORDER BY (status <> 'ready') DESC, created_at DESC, id DESC
      ) AS n
      FROM payments
      WHERE ${OPEN_CHECKOUT}
    ), dropped AS (
      UPDATE payments SET status = 'abandoned', failure_code = 'superseded', updated_at = now()
      WHERE id IN (SELECT id FROM ranked WHERE n > 1 AND status = 'ready')
      RETURNING id, updated_at
    )
    INSERT INTO payment_events (payment_id, type, from_status, to_status, data, created_at)
    SELECT id, 'superseded', 'ready', 'abandoned', '{"reason":"migration 0007"}'::jsonb, updated_at FROM dropped
  `.execute(db);
  // Fails (and stops the migration for an operator) if a user has two attempts in flight.
  await sql`CREATE UNIQUE INDEX payments_open_checkout_per_user_key ON payments (user_id) WHERE ${OPEN_CHECKOUT}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS payments_open_checkout_per_user_key`.execute(db);
  for (const c of ['priced_from_plan_id', 'priced_period_end', 'priced_period_start']) {
    await sql`ALTER TABLE payments DROP COLUMN IF EXISTS ${sql.ref(c)}`.execute(db);
  }
}
