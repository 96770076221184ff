import { sql, type Kysely } from 'kysely';

// One row per issued token (the token's `jti`): logout revokes it, and each request reads it
// together with the user's current role, so a token never carries authority of its own.
const statements = [
  sql`CREATE TABLE auth_sessions (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
  )`,
  sql`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id)`,
  sql`CREATE INDEX auth_sessions_expires_idx ON auth_sessions (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}
