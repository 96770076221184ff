import { sql, type Kysely } from 'kysely';

// Billing-key lifecycle (issue 11 items 2-4): the subscription screen shows whether the key given
// up last is still being revoked at the provider or revoked (the newest revocation of a
// subscription), so revocations are looked up by subscription.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS billing_key_revocations_subscription_idx
    ON billing_key_revocations (subscription_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS billing_key_revocations_subscription_idx`.execute(db);
}
