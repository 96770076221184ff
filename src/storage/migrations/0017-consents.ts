import { sql, type Kysely } from 'kysely';

// Issue 11, items 10 and 12 (docs/legal.md): consents given at sign-up (이용약관, 개인정보 수집·이용)
// and at checkout (주문 내용 확인 및 결제 동의, stored with its payment attempt), and password-reset
// tokens (only their SHA-256 is stored; single use; real-time expiry).
const statements = [
  sql`CREATE TABLE consents (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    document text NOT NULL CHECK (document IN ('terms', 'privacy', 'order')),
    version text NOT NULL,
    agreed_at timestamptz NOT NULL,
    payment_id text REFERENCES payments(id),
    CHECK ((document = 'order') = (payment_id IS NOT NULL))
  )`,
  sql`CREATE INDEX consents_user_idx ON consents (user_id, agreed_at)`,
  sql`CREATE UNIQUE INDEX consents_payment_key ON consents (payment_id) WHERE payment_id IS NOT NULL`,
  sql`CREATE TABLE password_reset_tokens (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
  )`,
  sql`CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id, created_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['password_reset_tokens', 'consents']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
