import type { Kysely } from 'kysely';
import type { NewSession, SessionState, SessionStore } from '../../domain/session-store.ts';
import type { Database } from '../schema.ts';

export class KyselySessionRepository implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

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
