import type { ColumnType, Kysely } from 'kysely';
import type { NewSession, SessionState, SessionStore } from '../../domain/session-store.ts';
import type { Database } from '../schema.ts';

type Timestamp = ColumnType<Date, Date, Date>;

/** Table of migration 0004 (kept here so that schema.ts stays the other areas' file). */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

// A type alias (not an interface) so that it satisfies withTables' record constraint.
export type SessionTables = {
  auth_sessions: AuthSessionsTable;
};

export class KyselySessionRepository implements SessionStore {
  private readonly db: Kysely<Database & SessionTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<SessionTables>();
  }

  async createSession(s: NewSession): Promise<void> {
    await this.db
      .insertInto('auth_sessions')
      .values({ id: s.id, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt, revoked_at: null })
      .execute();
  }

  async findSession(id: string): Promise<SessionState | null> {
    const r = await this.db
      .selectFrom('auth_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.user_id', 's.revoked_at', 'u.role'])
      .where('s.id', '=', id)
      .executeTakeFirst();
    return r ? { userId: r.user_id, role: r.role, revokedAt: r.revoked_at } : null;
  }

  async revokeSession(id: string, at: Date): Promise<void> {
    await this.db.updateTable('auth_sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }
}
