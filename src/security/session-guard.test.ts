import { describe, expect, it } from 'vitest';
import type { SessionState, SessionStore } from '../domain/session-store.ts';
import { SessionGuard } from './session-guard.ts';

function fakeStore() {
  const rows = new Map<string, SessionState>();
  let reads = 0;
  const store: SessionStore = {
    async createSession(s) {
      rows.set(s.id, { userId: s.userId, role: 'user', revokedAt: null });
    },
    async findSession(id) {
      reads++;
      const r = rows.get(id);
      return r ? { ...r } : null;
    },
    async revokeSession(id, at) {
      const r = rows.get(id);
      if (r && !r.revokedAt) r.revokedAt = at;
    },
  };
  return { store, rows, reads: () => reads };
}

describe('SessionGuard', () => {
  it('reads the role from the store, reuses it within the cache window, and sees a demotion after it', async () => {
    const f = fakeStore();
    f.rows.set('ses_1', { userId: 'usr_1', role: 'admin', revokedAt: null });
    let now = 0;
    const guard = new SessionGuard(f.store, () => now, 5_000);
    expect(await guard.roleOf('ses_1', 'usr_1')).toBe('admin');
    f.rows.get('ses_1')!.role = 'user';
    now = 4_999;
    expect(await guard.roleOf('ses_1', 'usr_1')).toBe('admin');
    expect(f.reads()).toBe(1);
    now = 5_000;
    expect(await guard.roleOf('ses_1', 'usr_1')).toBe('user');
    expect(f.reads()).toBe(2);
  });

  it('refuses a revoked session at once in this process, and unknown sessions or another user’s', async () => {
    const f = fakeStore();
    f.rows.set('ses_1', { userId: 'usr_1', role: 'user', revokedAt: null });
    const guard = new SessionGuard(f.store, () => 0, 5_000);
    expect(await guard.roleOf('ses_1', 'usr_1')).toBe('user');
    expect(await guard.roleOf('ses_1', 'usr_2')).toBeNull();
    expect(await guard.roleOf('ses_x', 'usr_1')).toBeNull();
    await guard.revoke('ses_1', new Date(0));
    expect(await guard.roleOf('ses_1', 'usr_1')).toBeNull();
    expect(f.rows.get('ses_1')!.revokedAt).toEqual(new Date(0));
  });

  it('a read in flight during a logout does not bring the session back', async () => {
    const f = fakeStore();
    f.rows.set('ses_1', { userId: 'usr_1', role: 'user', revokedAt: null });
    let release!: () => void;
    const slow: SessionStore = {
      ...f.store,
      findSession: async (id) => {
        const r = await f.store.findSession(id);
        await new Promise<void>((res) => (release = res));
        return r;
      },
    };
    const guard = new SessionGuard(slow, () => 0, 5_000);
    const inFlight = guard.roleOf('ses_1', 'usr_1');
    await new Promise((r) => setTimeout(r, 0));
    await guard.revoke('ses_1', new Date(0));
    release();
    expect(await inFlight).toBeNull();
    expect(await guard.roleOf('ses_1', 'usr_1')).toBeNull();
  });

  it('with a zero window reads the store on every check', async () => {
    const f = fakeStore();
    f.rows.set('ses_1', { userId: 'usr_1', role: 'user', revokedAt: null });
    const guard = new SessionGuard(f.store, () => 0, 0);
    await guard.roleOf('ses_1', 'usr_1');
    await guard.roleOf('ses_1', 'usr_1');
    expect(f.reads()).toBe(2);
  });
});
