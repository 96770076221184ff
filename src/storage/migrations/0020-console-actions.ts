import { sql, type Kysely } from 'kysely';

// Operator console actions, audit log and settlement reconciliation (issue 14 items 4, 5, 7;
// docs/operator-console-actions.md).
// - admin_audit_log: one row per staff action (who, what, on what, why, before/after), written in
//   the transaction of the change it records.
// - settlement_imports / settlement_differences: a provider settlement file imported by staff and
//   the differences found against our ledger.
const statements = [
  sql`CREATE TABLE admin_audit_log (
    id text PRIMARY KEY,
    actor_user_id text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NOT NULL,
    reason text,
    before jsonb,
    after jsonb,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX admin_audit_log_created ON admin_audit_log (created_at DESC, id DESC)`,
  sql`CREATE INDEX admin_audit_log_actor ON admin_audit_log (actor_user_id, created_at DESC)`,
  sql`CREATE INDEX admin_audit_log_action ON admin_audit_log (action, created_at DESC)`,
  sql`CREATE INDEX admin_audit_log_target ON admin_audit_log (target_type, target_id, created_at DESC)`,
  sql`CREATE TABLE settlement_imports (
    id text PRIMARY KEY,
    provider text NOT NULL,
    settlement_date text NOT NULL,
    file_name text NOT NULL,
    line_count integer NOT NULL,
    file_amount_krw bigint NOT NULL,
    file_fee_krw bigint NOT NULL,
    ledger_amount_krw bigint NOT NULL,
    ledger_fee_krw bigint NOT NULL,
    difference_count integer NOT NULL,
    imported_by text NOT NULL,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX settlement_imports_created ON settlement_imports (created_at DESC, id DESC)`,
  sql`CREATE TABLE settlement_differences (
    id text PRIMARY KEY,
    import_id text NOT NULL REFERENCES settlement_imports(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'fee_mismatch', 'status_mismatch')),
    line_kind text NOT NULL CHECK (line_kind IN ('payment', 'cancel')),
    provider_ref text,
    transaction_ref text,
    payment_id text,
    refund_id text,
    file_value jsonb,
    ledger_value jsonb,
    created_at timestamptz NOT NULL
  )`,
  sql`CREATE INDEX settlement_differences_import ON settlement_differences (import_id, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS settlement_differences`.execute(db);
  await sql`DROP TABLE IF EXISTS settlement_imports`.execute(db);
  await sql`DROP TABLE IF EXISTS admin_audit_log`.execute(db);
}
