import type { Role } from './records.ts';

/** A signed-in session: one per issued token (its `jti`). */
export interface NewSession {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** What each request needs to know about its session, read fresh from the database. */
export interface SessionState {
  userId: string;
  /** The user's role now (not when the token was issued). */
  role: Role;
  revokedAt: Date | null;
}

/** Storage of sessions (auth_sessions joined with users). */
export interface SessionStore {
  createSession(s: NewSession): Promise<void>;
  /** The session and its user's current role; null when the session or the user is gone. */
  findSession(id: string): Promise<SessionState | null>;
  /** Marks the session revoked (idempotent: a second call keeps the first time). */
  revokeSession(id: string, at: Date): Promise<void>;
}
