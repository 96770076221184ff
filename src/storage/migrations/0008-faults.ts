import { sql, type Kysely } from 'kysely';

// Issue 9, items 14 and 16 (docs/faults.md).
// - payments.next_lookup_at / lookup_attempts: a checkout that was ever sent to the provider for
//   approval stays on the reconciliation schedule until the provider's answer is final.
// - idempotency_keys.claimed_at: an in-flight claim is a lease; a later request may take over an
//   expired one with compare-and-set on this column.
const statements = [
  sql`ALTER TABLE payments
    ADD COLUMN next_lookup_at timestamptz,
    ADD COLUMN lookup_attempts integer NOT NULL DEFAULT 0 CHECK (lookup_attempts >= 0)`,
  sql`CREATE INDEX payments_next_lookup_idx ON payments (next_lookup_at) WHERE next_lookup_at IS NOT NULL`,
  // Rows left unsettled before this migration: unknown / approving ones, and ready checkouts that
  // were once claimed for approval (their answer may have been lost, issue 9 item 14).
  sql`UPDATE payments SET next_lookup_at = updated_at
    WHERE (kind = 'checkout' OR checkout_ref IS NOT NULL) AND status IN ('approving', 'unknown')`,
  sql`UPDATE payments SET next_lookup_at = updated_at
    WHERE (kind = 'checkout' OR checkout_ref IS NOT NULL) AND status = 'ready'
      AND EXISTS (SELECT 1 FROM payment_events e WHERE e.payment_id = payments.id AND e.to_status = 'approving')`,
  sql`DROP INDEX IF EXISTS payments_unsettled_idx`,
  sql`ALTER TABLE idempotency_keys ADD COLUMN claimed_at timestamptz`,
  sql`UPDATE idempotency_keys SET claimed_at = created_at`,
  sql`ALTER TABLE idempotency_keys ALTER COLUMN claimed_at SET NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS claimed_at`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS payments_unsettled_idx ON payments (status, updated_at) WHERE status IN ('approving', 'unknown')`.execute(db);
  await sql`DROP INDEX IF EXISTS payments_next_lookup_idx`.execute(db);
  await sql`ALTER TABLE payments DROP COLUMN IF EXISTS lookup_attempts, DROP COLUMN IF EXISTS next_lookup_at`.execute(db);
}
