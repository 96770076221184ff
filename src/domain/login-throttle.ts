/**
 * Login attempt counting: the rule as a pure function, and the port of the
 * store that applies it atomically (one row per key, shared by every replica).
 *
 * An attempt is counted *before* the password is checked, so parallel guesses
 * cannot all pass a "not locked yet" check at once. A right password gives the
 * attempt back (see `LoginAttemptStore.clear` / `release`).
 */
export interface ThrottlePolicy {
  /** Attempts allowed per window; the next one locks the key. */
  maxAttempts: number;
  windowMs: number;
  /** First lock; each further lock of the same key doubles it. */
  lockMs: number;
  /** Upper bound of a lock. */
  maxLockMs: number;
  /** A key quiet this long (after its last attempt or lock) starts over, its lock count too. */
  forgetMs: number;
}

/** Stored state of one key (an account or a client address). */
export interface AttemptCounter {
  attempts: number;
  windowStartedAt: Date;
  /** Locks so far; the next lock lasts lockMs × 2^locks. */
  locks: number;
  lockedUntil: Date | null;
  updatedAt: Date;
}

export interface AttemptDecision {
  allowed: boolean;
  /** When refused: milliseconds until the key may try again. */
  retryAfterMs: number;
  next: AttemptCounter;
}

/** Counts one attempt on `current` (null: first sight) at `now`. */
export function decideAttempt(current: AttemptCounter | null, now: Date, policy: ThrottlePolicy): AttemptDecision {
  const t = now.getTime();
  if (current && current.lockedUntil && current.lockedUntil.getTime() > t) {
    return { allowed: false, retryAfterMs: current.lockedUntil.getTime() - t, next: current };
  }
  // Quiet since the last attempt or the end of the last lock, whichever is later.
  const quietSince = current ? Math.max(current.updatedAt.getTime(), current.lockedUntil?.getTime() ?? 0) : 0;
  const forgotten = !current || t - quietSince >= policy.forgetMs;
  const locks = forgotten ? 0 : current.locks;
  // A lock that ended, or a window that passed, starts a new window.
  const fresh = forgotten || current.lockedUntil !== null || t - current.windowStartedAt.getTime() >= policy.windowMs;
  const attempts = fresh ? 1 : current.attempts + 1;
  const windowStartedAt = fresh ? now : current.windowStartedAt;
  if (attempts <= policy.maxAttempts) {
    return { allowed: true, retryAfterMs: 0, next: { attempts, windowStartedAt, locks, lockedUntil: null, updatedAt: now } };
  }
  const lockMs = Math.min(policy.maxLockMs, policy.lockMs * 2 ** Math.min(locks, 40));
  return {
    allowed: false,
    retryAfterMs: lockMs,
    next: { attempts: 0, windowStartedAt: now, locks: locks + 1, lockedUntil: new Date(t + lockMs), updatedAt: now },
  };
}

/** Gives back one counted attempt (a right password, or an attempt refused by another key). */
export function releaseAttempt(current: AttemptCounter): AttemptCounter {
  return { ...current, attempts: Math.max(0, current.attempts - 1) };
}

/** Where attempt counters live; each call is atomic per key. */
export interface LoginAttemptStore {
  /** Counts one attempt under `policy`; refused while the key is locked or over the limit. */
  attempt(key: string, now: Date, policy: ThrottlePolicy): Promise<{ allowed: boolean; retryAfterMs: number }>;
  /** Gives back one counted attempt of the key (never below zero). */
  release(key: string): Promise<void>;
  /** Forgets the key: its attempts and its lock history. */
  clear(key: string): Promise<void>;
}
