import { describe, expect, it } from 'vitest';
import { decideAttempt, releaseAttempt, type AttemptCounter, type ThrottlePolicy } from './login-throttle.ts';

const policy: ThrottlePolicy = { maxAttempts: 3, windowMs: 60_000, lockMs: 1_000, maxLockMs: 5_000, forgetMs: 3_600_000 };
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

function run(steps: number[], start: AttemptCounter | null = null) {
  let state = start;
  return steps.map((ms) => {
    const d = decideAttempt(state, at(ms), policy);
    state = d.next;
    return d.allowed ? 'ok' : d.retryAfterMs;
  });
}

describe('login attempt rule', () => {
  it('allows maxAttempts per window, then locks; the window restarts after it passes', () => {
    expect(run([0, 1, 2, 3])).toEqual(['ok', 'ok', 'ok', 1_000]);
    expect(run([0, 1, 2, 60_000, 60_001, 60_002])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('refuses while locked without extending the lock, and doubles the next lock up to the cap', () => {
    expect(run([0, 1, 2, 3, 503, 1_003, 1_004, 1_005, 1_006, 3_006, 3_007, 3_008, 3_009])).toEqual([
      'ok', 'ok', 'ok', 1_000, 500, 'ok', 'ok', 'ok', 2_000, 'ok', 'ok', 'ok', 4_000,
    ]);
    let state: AttemptCounter | null = null;
    let last = 0;
    for (let i = 0, t = 0; i < 40; i++, t += 10_000) {
      const d = decideAttempt(state, at(t), policy);
      state = d.next;
      if (!d.allowed) last = d.retryAfterMs;
    }
    expect(last).toBe(5_000);
  });

  it('forgets the lock history after a quiet period counted from the end of the last lock', () => {
    const locked = decideAttempt({ attempts: 3, windowStartedAt: at(0), locks: 4, lockedUntil: null, updatedAt: at(0) }, at(1), policy);
    expect(locked.retryAfterMs).toBe(5_000);
    expect(decideAttempt(locked.next, at(1 + 5_000 + policy.forgetMs - 1), policy).next.locks).toBe(5);
    expect(decideAttempt(locked.next, at(1 + 5_000 + policy.forgetMs), policy).next.locks).toBe(0);
  });

  it('release gives one attempt back, never below zero', () => {
    const c: AttemptCounter = { attempts: 1, windowStartedAt: at(0), locks: 0, lockedUntil: null, updatedAt: at(0) };
    expect(releaseAttempt(c).attempts).toBe(0);
    expect(releaseAttempt(releaseAttempt(c)).attempts).toBe(0);
  });
});
