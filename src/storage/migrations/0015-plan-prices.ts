import { sql, type Kysely } from 'kysely';

// Versioned plan prices (issue 11 item 9, docs/pricing.md). A plan's price is the version with
// the latest effective_at at or before an instant; plans.json gives the initial version, and
// later versions are added by the admin action (never by editing configuration).
// announced_at: when every affected subscriber had been sent the notice of an increase (the
// announcement job's progress; null while it is still going, or for a version needing none).
//
// On subscriptions: pending_price_krw is the price agreed for pending_plan_id (the scheduled
// downgrade), apart from agreed_price_krw, the price agreed for plan_id; consented_price_id is
// the higher price version the subscriber consented to.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const q of [
    sql`CREATE TABLE plan_prices (
      id text PRIMARY KEY,
      plan_id text NOT NULL,
      price_krw bigint NOT NULL CHECK (price_krw >= 0),
      effective_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text,
      announced_at timestamptz,
      UNIQUE (plan_id, effective_at)
    )`,
    sql`CREATE INDEX plan_prices_unannounced_idx ON plan_prices (created_at) WHERE announced_at IS NULL`,
    sql`ALTER TABLE subscriptions
      ADD COLUMN pending_price_krw bigint CHECK (pending_price_krw >= 0),
      ADD COLUMN consented_price_id text`,
    // Before this, a scheduled downgrade overwrote agreed_price_krw with its own price: move it
    // to pending_price_krw. The current plan's agreed price is not known any more; null means
    // its price on sale applies (no increase could have been agreed to without versions).
    sql`UPDATE subscriptions SET pending_price_krw = agreed_price_krw, agreed_price_krw = NULL WHERE pending_plan_id IS NOT NULL`,
  ]) {
    await q.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE subscriptions DROP COLUMN pending_price_krw, DROP COLUMN consented_price_id`.execute(db);
  await sql`DROP TABLE IF EXISTS plan_prices`.execute(db);
}
