import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { subscribedUser as subscribedUserOf } from '../helpers/engine-fixtures.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';
import type { Subscription } from '../../src/domain/records.ts';
import { getEntitlement, type EngineDeps } from '../../src/use-cases/engine-access.ts';
import { EntitlementCache, entitlementFeed } from '../../src/use-cases/entitlement-cache.ts';

// The entitlement cache (docs/trading-engine.md, "Performance"): reads are answered without a
// query until a change, made here or by another process, is announced.
const DAY = 86_400_000;
let s: TestStack;
let engineKey: string;

beforeAll(async () => {
  s = await startTestStack();
  const admin = (await issueSandboxAdminToken(s.services)).token;
  engineKey = (await s.api('POST', '/api/admin/api-keys', { token: admin, body: { name: 'engine', scopes: ['entitlements:read', 'usage:write'] } })).body.key;
  await s.services.engine.entitlementCache!.ready();
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const subscribedUser = (planId: string) => subscribedUserOf(s, planId);

const ent = async (userId: string) => {
  const r = await s.api('GET', `/api/v1/entitlements/${userId}`, { token: engineKey });
  expect(r.status).toBe(200);
  return r.body;
};

/** The statements `fn` sent to the database (this file's handle only). */
async function statementsOf(fn: () => Promise<unknown>): Promise<number> {
  // The service's pending usage announcement (one NOTIFY, batched) is sent first, not counted.
  await s.services.engine.entitlementCache!.flush();
  const before = s.db.statements();
  await fn();
  return s.db.statements() - before;
}

/**
 * Statements of a read once it is answered from the cache (0) or after 5 s. A change's NOTIFY
 * (PostgreSQL: it comes on another connection, a moment after the commit) drops the entry a
 * read stored before it arrived, so the first reads after a change may still query.
 */
const cachedRead = (userId: string) => eventually(() => statementsOf(() => ent(userId)), (n) => n === 0);

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 5_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe('entitlement cache in the serving process', () => {
  it('answers a repeated read without a query; a plan change and a refund are seen by the next read', async () => {
    const { userId, sub } = await subscribedUser('standard');
    const repo = s.services.ctx.repo;
    const at = () => s.services.ctx.clock.now();
    expect(await ent(userId)).toMatchObject({ plan: 'standard', version: 2 });
    expect(await cachedRead(userId)).toBe(0);

    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'active', at(), { planId: 'premium' }, { type: 'plan_upgraded' }));
    expect(await ent(userId)).toMatchObject({ plan: 'premium', monthly_limit_krw: 10_000_000, version: 4 });
    expect(await cachedRead(userId)).toBe(0);

    await repo.transaction((r) =>
      r.transitionSubscription(sub.id, 'active', 'canceled', at(), { currentPeriodEnd: at(), endedAt: at() }, { type: 'ended_by_refund', data: { payment_id: 'pay_x' } }),
    );
    expect(await ent(userId)).toMatchObject({ status: 'canceled', auto_trading_enabled: false, monthly_limit_krw: 0, version: 6 });
  });

  it('counts a reservation, its commit and its release in the next read', async () => {
    const { userId } = await subscribedUser('standard');
    expect(await ent(userId)).toMatchObject({ reserved_krw: 0, used_krw: 0 });
    const r = await s.api('POST', '/api/v1/usage/reservations', { token: engineKey, body: { user_id: userId, trade_id: 't1', amount_krw: 1_000_000 } });
    expect(r.status).toBe(201);
    expect(await ent(userId)).toMatchObject({ reserved_krw: 1_000_000, remaining_krw: 4_000_000 });
    // The commit is the second statement of the pair (the subscription and the reservation's user are cached).
    await cachedRead(userId);
    expect(
      await statementsOf(() => s.api('POST', `/api/v1/usage/reservations/${r.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 400_000 } })),
    ).toBe(1);
    expect(await ent(userId)).toMatchObject({ reserved_krw: 0, used_krw: 400_000, remaining_krw: 4_600_000 });
    const r2 = await s.api('POST', '/api/v1/usage/reservations', { token: engineKey, body: { user_id: userId, trade_id: 't2', amount_krw: 4_000_000 } });
    expect(await ent(userId)).toMatchObject({ reserved_krw: 4_000_000, remaining_krw: 600_000 });
    await s.api('POST', `/api/v1/usage/reservations/${r2.body.reservation_id}/release`, { token: engineKey });
    expect(await ent(userId)).toMatchObject({ reserved_krw: 0, remaining_krw: 4_600_000 });
  });

  it('stops counting a cached reservation when it expires (test clock)', async () => {
    const { userId } = await subscribedUser('standard');
    await s.api('POST', '/api/v1/usage/reservations', { token: engineKey, body: { user_id: userId, trade_id: 't1', amount_krw: 1_000_000 } });
    expect(await ent(userId)).toMatchObject({ reserved_krw: 1_000_000 });
    expect(await cachedRead(userId)).toBe(0);
    s.services.clock.advance(s.services.config.usageReservationTtlMs + 1000);
    expect(await ent(userId)).toMatchObject({ reserved_krw: 0, remaining_krw: 5_000_000 });
  });
});

describe('entitlement cache of another process', () => {
  it('drops a user when a subscription change commits (NOTIFY from its transaction) or another process announces usage', async () => {
    // "Another process": its own cache, listening on the same database.
    const other = new EntitlementCache({ feed: entitlementFeed(s.db), maxAgeMs: 60_000 });
    const deps: EngineDeps = { ...s.services.engine, entitlementCache: other };
    await other.ready();
    try {
      const { userId, sub } = await subscribedUser('standard');
      const read = () => getEntitlement(s.services.ctx, deps, userId);
      expect(await read()).toMatchObject({ plan: 'standard', reservedKrw: 0 });
      // The NOTIFY of the subscription's own insert may arrive after the first read (which then is not kept).
      expect(await eventually(() => statementsOf(read), (n) => n === 0)).toBe(0);

      // A reservation through the service: announced by the service, in a batch, soon after it commits.
      const r = await s.api('POST', '/api/v1/usage/reservations', { token: engineKey, body: { user_id: userId, trade_id: 't1', amount_krw: 2_000_000 } });
      expect(r.status).toBe(201);
      expect(await eventually(read, (a) => a.reservedKrw === 2_000_000)).toMatchObject({ reservedKrw: 2_000_000, remainingKrw: 3_000_000 });

      // A plan change written elsewhere: the trigger's NOTIFY reaches this cache when it commits.
      const at = s.services.ctx.clock.now();
      await s.services.ctx.repo.transaction((x) => x.transitionSubscription(sub.id, 'active', 'active', at, { planId: 'premium' }, { type: 'plan_upgraded' }));
      expect(await eventually(read, (a) => a.plan === 'premium')).toMatchObject({ plan: 'premium', monthlyLimitKrw: 10_000_000, remainingKrw: 8_000_000 });
      expect(await eventually(() => statementsOf(read), (n) => n === 0)).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('re-reads a row that is read past half its age behind the answer, so a busy user does not wait for its expiry', async () => {
    // Usage is served for at most 30 s (the bound if another process's announcement is lost).
    // Rows stored at once (an engine's warm-up) used to expire at once, and every user's next read
    // went to the database together: the bench's read p99 went from 4 to 105 ms when they did.
    let wall = Date.now();
    const cache = new EntitlementCache({ feed: entitlementFeed(s.db), maxAgeMs: 60_000, usageMaxAgeMs: 30_000, wallNow: () => wall });
    // Which users' rows were read from the database; `hold` keeps those reads waiting.
    const dbReads: string[] = [];
    let hold: Promise<void> | null = null;
    const store = s.services.engine.engine;
    const engine = Object.assign(Object.create(store), {
      entitlementRows: async (ids: readonly string[], periodStart: Date, now: Date) => {
        dbReads.push(...ids);
        if (hold) await hold;
        return store.entitlementRows(ids, periodStart, now);
      },
    });
    const deps: EngineDeps = { ...s.services.engine, engine, entitlementCache: cache };
    await cache.ready();
    const readsOf = async (userId: string, fn: () => Promise<unknown>) => {
      dbReads.length = 0;
      await fn();
      return dbReads.filter((u) => u === userId).length;
    };
    try {
      const busy = (await subscribedUser('standard')).userId;
      const idle = (await subscribedUser('standard')).userId;
      const read = (userId: string) => () => getEntitlement(s.services.ctx, deps, userId);
      for (const u of [busy, idle]) {
        await read(u)();
        expect(await eventually(() => readsOf(u, read(u)), (n) => n === 0)).toBe(0);
      }
      wall += 10_000;
      expect(await readsOf(busy, async () => (await read(busy)(), await cache.idle()))).toBe(0); // young: no re-read
      wall += 10_000; // 20 s old: answered from the cache at once, and re-read behind the answer
      let release!: () => void;
      hold = new Promise((ok) => (release = ok));
      dbReads.length = 0;
      const answer = await Promise.race([read(busy)(), new Promise((_, no) => setTimeout(() => no(new Error('the read waited for the re-read')), 2_000))]);
      expect(answer).toMatchObject({ plan: 'standard' });
      expect(await eventually(async () => dbReads, (r) => r.length > 0)).toEqual([busy]); // the re-read, gathered for 10 ms
      expect(await readsOf(busy, read(busy))).toBe(0); // one re-read at a time
      hold = null;
      release();
      await cache.idle();
      wall += 14_000; // 34 s after the first read (expired, without the re-read), 14 s after the re-read
      expect(await readsOf(busy, read(busy))).toBe(0);
      expect(await readsOf(idle, read(idle))).toBe(1); // not read meanwhile: expired, read from the database
    } finally {
      await cache.close();
    }
  });

  it('serves nothing from the cache while not listening', async () => {
    let state: (on: boolean) => void = () => {};
    const feed = {
      start: async (_: unknown, onState: (on: boolean) => void) => {
        state = onState;
        onState(true);
        return async () => {};
      },
      announce: async () => {},
    };
    const cache = new EntitlementCache({ feed, maxAgeMs: 60_000 });
    const deps: EngineDeps = { ...s.services.engine, entitlementCache: cache };
    await cache.ready();
    const { userId } = await subscribedUser('pro');
    const read = () => getEntitlement(s.services.ctx, deps, userId);
    await read();
    expect(await statementsOf(read)).toBe(0);
    state(false);
    expect(await statementsOf(read)).toBe(1);
    expect(await statementsOf(read)).toBe(1);
    await cache.close();
  });
});
