import { sql, type Kysely } from 'kysely';

// Operator console lists and search by any id (issue 14.1, 14.2): the all-payments list pages
// newest first (keyset on created_at, id); a provider transaction id (KakaoPay tid, NaverPay
// paymentId) or billing key (SID, recurrentId) is looked up without knowing the provider (the
// unique indexes of 0001 lead with provider); queues read retrying cycles and past-due
// subscriptions by status.
const statements = [
  sql`CREATE INDEX payments_created_idx ON payments (created_at DESC, id DESC)`,
  sql`CREATE INDEX payments_provider_ref_idx ON payments (provider_ref) WHERE provider_ref IS NOT NULL`,
  sql`CREATE INDEX payments_checkout_ref_idx ON payments (checkout_ref) WHERE checkout_ref IS NOT NULL`,
  sql`CREATE INDEX subscriptions_billing_key_idx ON subscriptions (billing_key) WHERE billing_key IS NOT NULL`,
  sql`CREATE INDEX subscriptions_status_idx ON subscriptions (status, grace_until)`,
  sql`CREATE INDEX billing_key_revocations_key_idx ON billing_key_revocations (billing_key)`,
  sql`CREATE INDEX billing_cycles_retrying_idx ON billing_cycles (next_attempt_at) WHERE status = 'retrying'`,
  sql`CREATE INDEX refunds_provider_ref_idx ON refunds (provider_refund_ref) WHERE provider_refund_ref IS NOT NULL`,
];

const INDEXES = [
  'payments_created_idx',
  'payments_provider_ref_idx',
  'payments_checkout_ref_idx',
  'subscriptions_billing_key_idx',
  'subscriptions_status_idx',
  'billing_key_revocations_key_idx',
  'billing_cycles_retrying_idx',
  'refunds_provider_ref_idx',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of INDEXES) await sql`DROP INDEX IF EXISTS ${sql.ref(name)}`.execute(db);
}
