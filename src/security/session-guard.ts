import type { Role } from '../domain/records.ts';
import type { SessionState, SessionStore } from '../domain/session-store.ts';

interface Entry {
  state: SessionState | null;
  /** Monotonic milliseconds when read. */
  at: number;
  /** Written by revoke(): a read that was in flight during the logout must not overwrite it. */
  revoked?: true;
}

/**
 * Checks on each request that a token's session is still live and reads the user's current
 * role, with a short per-process cache (`cacheMs`, a few seconds) so that a burst of requests
 * costs one query. Logout through this process clears the entry at once; a revocation or role
 * change made elsewhere (another replica, the database) shows within `cacheMs`.
 */
export class SessionGuard {
  private readonly cache = new Map<string, Entry>();
  private static readonly CACHE_MAX = 10_000;

  /** `now` is monotonic milliseconds (a stopwatch), not business time: the test clock must not stretch the cache. */
  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number,
    private readonly cacheMs: number,
  ) {}

  /** The role of `userId` if `sessionId` is a live session of that user; null otherwise. */
  async roleOf(sessionId: string, userId: string): Promise<Role | null> {
    const state = await this.stateOf(sessionId);
    if (!state || state.revokedAt || state.userId !== userId) return null;
    return state.role;
  }

  /**
   * Drops this process's cached sessions of `userId` (their role changed, or a password reset
   * revoked them in the database): the next request reads them again.
   */
  forgetUser(userId: string): void {
    for (const [id, e] of this.cache) if (e.state?.userId === userId && !e.revoked) this.cache.delete(id);
  }

  /** Revokes the session; this process refuses it from now on, other processes within `cacheMs`. */
  async revoke(sessionId: string, at: Date): Promise<void> {
    if (this.cacheMs > 0) this.remember(sessionId, { state: null, at: this.now(), revoked: true });
    else this.cache.delete(sessionId);
    await this.store.revokeSession(sessionId, at);
  }

  private async stateOf(sessionId: string): Promise<SessionState | null> {
    const cached = this.cache.get(sessionId);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.state;
    const state = await this.store.findSession(sessionId);
    const current = this.cache.get(sessionId);
    if (current?.revoked && this.now() - current.at < this.cacheMs) return null;
    if (this.cacheMs > 0) this.remember(sessionId, { state, at: this.now() });
    return state;
  }

  private remember(sessionId: string, entry: Entry): void {
    this.cache.delete(sessionId);
    if (this.cache.size >= SessionGuard.CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sessionId, entry);
  }
}
