import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { subscribedUser as subscribedUserOf } from '../helpers/engine-fixtures.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';
import type { Subscription } from '../../src/domain/records.ts';
import { capPeriodOf, reservationIdOf, reservationOwnerOf } from '../../src/domain/engine/entitlements.ts';
import { commitReservation, reserveUsage, type EngineDeps } from '../../src/use-cases/engine-access.ts';

const DAY = 86_400_000;
let s: TestStack;
let admin: string;
let engineKey: string;
let readOnlyKey: string;

beforeAll(async () => {
  s = await startTestStack();
  admin = (await issueSandboxAdminToken(s.services)).token;
  const k = await s.api('POST', '/api/admin/api-keys', { token: admin, body: { name: 'engine', scopes: ['entitlements:read', 'usage:write'] } });
  expect(k.status).toBe(201);
  engineKey = k.body.key;
  readOnlyKey = (await s.api('POST', '/api/admin/api-keys', { token: admin, body: { name: 'reader', scopes: ['entitlements:read'] } })).body.key;
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const subscribedUser = (planId = 'standard', periodDays = 40) => subscribedUserOf(s, planId, periodDays);

const ent = (userId: string, key = engineKey) => s.api('GET', `/api/v1/entitlements/${userId}`, { token: key });
const reserve = (body: { user_id: string; trade_id: string; amount_krw: number }, key = engineKey) =>
  s.api('POST', '/api/v1/usage/reservations', { token: key, body });

/**
 * Reads the change feed from `cursor` until `done` holds for the users seen (or 30 s). The feed
 * holds back while any writing transaction on the server is older than the newest events (other
 * test files share the server), so a page may come later than the change.
 */
async function feedUntil(cursor: string | undefined, done: (ids: string[]) => boolean) {
  const seen: any[] = [];
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await s.api('GET', `/api/v1/entitlements/changes?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token: engineKey });
    expect(r.status).toBe(200);
    // One page lists each changed user once; a user who changed again later may show up on a later page.
    const ids = r.body.entitlements.map((e: any) => e.user_id);
    expect(new Set(ids).size).toBe(ids.length);
    seen.push(...r.body.entitlements);
    cursor = r.body.next_cursor;
    if (done(seen.map((e) => e.user_id)) || Date.now() > until) return { seen, cursor };
    if (r.body.entitlements.length === 0) await new Promise((res) => setTimeout(res, 200));
  }
}

async function eventTypes(userId: string): Promise<string[]> {
  const r = await sql<{ type: string }>`SELECT type FROM engine_events WHERE user_id = ${userId} ORDER BY seq`.execute(s.db.db);
  return r.rows.map((x) => x.type);
}

describe('API keys', () => {
  it('refuses a key without the scope (403), unknown and revoked keys (401), and keeps a rotated key for the overlap', async () => {
    const { userId } = await s.signup();
    expect((await ent(userId, readOnlyKey)).status).toBe(200);
    const noScope = await reserve({ user_id: userId, trade_id: 't1', amount_krw: 1000 }, readOnlyKey);
    expect(noScope.status).toBe(403);
    expect(noScope.body.error).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'usage:write' } });
    expect((await ent(userId, 'smts_sk_nope')).status).toBe(401);
    expect((await ent(userId)).status).toBe(200);
    // A user token is not an API key.
    const user = await s.signup();
    expect((await ent(userId, user.token)).status).toBe(401);

    const made = await s.api('POST', '/api/admin/api-keys', { token: admin, body: { name: 'temp', scopes: ['entitlements:read'] } });
    const rotated = await s.api('POST', `/api/admin/api-keys/${made.body.id}/rotate`, { token: admin, body: { overlap_seconds: 3600 } });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).not.toBe(made.body.key);
    expect((await ent(userId, made.body.key)).status).toBe(200);
    expect((await ent(userId, rotated.body.key)).status).toBe(200);
    const list = await s.api('GET', '/api/admin/api-keys', { token: admin });
    const old = list.body.api_keys.find((k: any) => k.id === made.body.id);
    expect(old.expires_at).not.toBeNull();
    expect(old.last_used_at).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    // Rotation with no overlap: the old key stops at once.
    const again = await s.api('POST', `/api/admin/api-keys/${rotated.body.id}/rotate`, { token: admin, body: { overlap_seconds: 0 } });
    expect((await ent(userId, rotated.body.key)).status).toBe(401);
    expect((await ent(userId, again.body.key)).status).toBe(200);

    const revoked = await s.api('POST', `/api/admin/api-keys/${again.body.id}/revoke`, { token: admin });
    expect(revoked.body.revoked_at).not.toBeNull();
    const r = await ent(userId, again.body.key);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
    // Only admins manage keys.
    expect((await s.api('GET', '/api/admin/api-keys', { token: user.token })).status).toBe(403);
  });
});

describe('entitlements and the monthly cap', () => {
  it('answers free users as disabled and refuses their reservations', async () => {
    const { userId } = await s.signup();
    const r = await ent(userId);
    expect(r.body).toMatchObject({ user_id: userId, plan: 'free', status: 'free', auto_trading_enabled: false, version: 0, in_grace: false });
    const x = await reserve({ user_id: userId, trade_id: 'a', amount_krw: 1 });
    expect(x.status).toBe(409);
    expect(x.body.error.code).toBe('AUTO_TRADING_DISABLED');
    expect((await ent('usr_unknown')).status).toBe(404);
  });

  it('reserves within the cap, replays by trade_id, refuses another amount and the cap, commits and releases', async () => {
    const { userId } = await subscribedUser('standard');
    const e0 = await ent(userId);
    expect(e0.body).toMatchObject({ plan: 'standard', auto_trading_enabled: true, monthly_limit_krw: 5_000_000, remaining_krw: 5_000_000 });
    const a = await reserve({ user_id: userId, trade_id: 'trade-1', amount_krw: 3_000_000 });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ trade_id: 'trade-1', status: 'reserved', amount_krw: 3_000_000, remaining_krw: 2_000_000 });
    const replay = await reserve({ user_id: userId, trade_id: 'trade-1', amount_krw: 3_000_000 });
    expect(replay.status).toBe(200);
    expect(replay.body.reservation_id).toBe(a.body.reservation_id);
    const reused = await reserve({ user_id: userId, trade_id: 'trade-1', amount_krw: 1 });
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const over = await reserve({ user_id: userId, trade_id: 'trade-2', amount_krw: 2_000_001 });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('LIMIT_EXCEEDED');

    const c = await s.api('POST', `/api/v1/usage/reservations/${a.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 2_500_000 } });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: 'committed', amount_krw: 2_500_000, remaining_krw: 2_500_000 });
    const c2 = await s.api('POST', `/api/v1/usage/reservations/${a.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 2_500_000 } });
    expect(c2.body).toMatchObject({ status: 'committed', remaining_krw: 2_500_000 });

    const b = await reserve({ user_id: userId, trade_id: 'trade-3', amount_krw: 1_500_000 });
    expect(b.body.remaining_krw).toBe(1_000_000);
    const rel = await s.api('POST', `/api/v1/usage/reservations/${b.body.reservation_id}/release`, { token: engineKey });
    expect(rel.body).toMatchObject({ status: 'released', remaining_krw: 2_500_000 });
    expect((await ent(userId)).body).toMatchObject({ used_krw: 2_500_000, reserved_krw: 0, remaining_krw: 2_500_000 });

    // 80% reached once: one usage.threshold_reached event.
    const d = await reserve({ user_id: userId, trade_id: 'trade-4', amount_krw: 1_500_000 });
    await s.api('POST', `/api/v1/usage/reservations/${d.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 1_500_000 } });
    expect((await eventTypes(userId)).filter((t) => t === 'usage.threshold_reached')).toHaveLength(1);
    const view = await s.api('GET', `/api/admin/users/${userId}/usage`, { token: admin });
    expect(view.body.entitlements.used_krw).toBe(4_000_000);
    expect(view.body.reservations).toHaveLength(3);
  });

  it('expires an unreleased reservation with the test clock: it stops counting and cannot be committed', async () => {
    const { userId } = await subscribedUser('standard');
    const a = await reserve({ user_id: userId, trade_id: 'exp-1', amount_krw: 5_000_000 });
    expect(a.status).toBe(201);
    expect((await reserve({ user_id: userId, trade_id: 'exp-2', amount_krw: 1 })).body.error.code).toBe('LIMIT_EXCEEDED');
    s.services.clock.advance(301_000);
    expect((await ent(userId)).body).toMatchObject({ reserved_krw: 0, remaining_krw: 5_000_000 });
    expect((await reserve({ user_id: userId, trade_id: 'exp-2', amount_krw: 1 })).status).toBe(201);
    const late = await s.api('POST', `/api/v1/usage/reservations/${a.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 1 } });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'RESERVATION_NOT_ACTIVE', details: { status: 'expired' } });
  });
});

describe('commits anywhere', () => {
  it('commits a reservation in a process that never saw it without first reading whose it is; a forged or unknown id is 404, an older id still commits', async () => {
    const { userId } = await subscribedUser('standard');
    const other = await subscribedUser('standard');
    const a = await reserve({ user_id: userId, trade_id: 'anywhere-1', amount_krw: 100_000 });
    expect(a.status).toBe(201);
    expect(reservationOwnerOf(a.body.reservation_id)).toEqual({ userId, periodStart: capPeriodOf(s.services.ctx.clock.now()).start });
    // Another process: its own deps, nothing cached (no entitlement cache at all).
    const elsewhere: EngineDeps = { ...s.services.engine, entitlementCache: undefined };
    const before = s.db.statements();
    const c = await commitReservation(s.services.ctx, elsewhere, a.body.reservation_id, 100_000);
    // The subscription's read and the commit: no lookup of the reservation's owner.
    expect(s.db.statements() - before).toBe(2);
    expect(c).toMatchObject({ replayed: false, reservation: { status: 'committed', committedKrw: 100_000 } });

    // The id names user and month; naming another user is another id, which does not exist.
    const random = a.body.reservation_id.slice(0, 'rsv_'.length + 24);
    const forged = reservationIdOf(random, other.userId, capPeriodOf(s.services.ctx.clock.now()).start);
    for (const id of [forged, 'rsv_nowhere', `${random}_209912_${Buffer.from(userId).toString('base64url')}`]) {
      const r = await s.api('POST', `/api/v1/usage/reservations/${id}/commit`, { token: engineKey, body: { amount_krw: 1 } });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    expect((await ent(other.userId)).body).toMatchObject({ used_krw: 0, reserved_krw: 0 });

    // A reservation made before ids named their owner: found by a lookup.
    const old = await reserve({ user_id: userId, trade_id: 'anywhere-2', amount_krw: 200_000 });
    const oldId = s.services.ctx.ids.next('rsv');
    await sql`UPDATE usage_reservations SET id = ${oldId} WHERE id = ${old.body.reservation_id}`.execute(s.db.db);
    const oc = await s.api('POST', `/api/v1/usage/reservations/${oldId}/commit`, { token: engineKey, body: { amount_krw: 150_000 } });
    expect(oc.status).toBe(200);
    expect((await ent(userId)).body).toMatchObject({ used_krw: 250_000, reserved_krw: 0 });
  });
});

describe('a subscription changing under a reservation or commit', () => {
  it('retries with the subscription read afresh while the statement finds another version, then answers SUBSCRIPTION_STATE_CONFLICT', async () => {
    const { userId } = await subscribedUser('standard');
    const staleTimes = (n: number) => {
      const calls: string[] = [];
      const store = s.services.engine.engine;
      const engine = Object.assign(Object.create(store), {
        reserve: async (x: any) => (calls.push(`reserve@${x.subscriptionVersion}`), calls.length <= n ? { kind: 'stale' } : store.reserve(x)),
        commit: async (x: any) => (calls.push(`commit@${x.subscriptionVersion}`), calls.length <= n ? { kind: 'stale' } : store.commit(x)),
      });
      return { calls, deps: { ...s.services.engine, engine, entitlementCache: undefined } as EngineDeps };
    };
    const once = staleTimes(1);
    const r = await reserveUsage(s.services.ctx, once.deps, { userId, tradeId: 'stale-1', amountKrw: 1_000 });
    expect(r).toMatchObject({ replayed: false, reservation: { status: 'reserved', amountKrw: 1_000 } });
    expect(once.calls).toHaveLength(2);
    const c = staleTimes(1);
    expect(await commitReservation(s.services.ctx, c.deps, r.reservation.id, 1_000)).toMatchObject({ reservation: { status: 'committed' } });
    expect(c.calls).toHaveLength(2);

    const always = staleTimes(Infinity);
    await expect(reserveUsage(s.services.ctx, always.deps, { userId, tradeId: 'stale-2', amountKrw: 1_000 })).rejects.toMatchObject({
      code: 'SUBSCRIPTION_STATE_CONFLICT',
      details: { user_id: userId },
    });
    expect(always.calls).toHaveLength(5);
    const never = staleTimes(Infinity);
    await expect(commitReservation(s.services.ctx, never.deps, r.reservation.id, 1_000)).rejects.toMatchObject({
      code: 'SUBSCRIPTION_STATE_CONFLICT',
      details: { reservation_id: r.reservation.id },
    });
    expect(never.calls).toHaveLength(5);
    expect((await ent(userId)).body).toMatchObject({ used_krw: 1_000, reserved_krw: 0 });
  });
});

describe('subscription changes', () => {
  it('upgrade, downgrade at the period change, past_due, lapse and refund each change the answer and write one event (plus entitlements.updated)', async () => {
    const { userId, sub } = await subscribedUser('standard');
    const repo = s.services.ctx.repo;
    const at = () => s.services.ctx.clock.now();
    expect(await eventTypes(userId)).toEqual(['subscription.activated', 'entitlements.updated']);
    expect((await ent(userId)).body).toMatchObject({ plan: 'standard', version: 2 });

    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'active', at(), { planId: 'premium' }, { type: 'plan_upgraded' }));
    expect((await ent(userId)).body).toMatchObject({ plan: 'premium', monthly_limit_krw: 10_000_000, version: 4 });
    // A downgrade scheduled for later changes nothing now and writes nothing.
    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'active', at(), { pendingPlanId: 'standard' }, { type: 'downgrade_scheduled' }));
    expect((await ent(userId)).body).toMatchObject({ plan: 'premium', version: 4 });
    const end = new Date(at().getTime() + 70 * DAY);
    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'active', at(), { planId: 'standard', pendingPlanId: null, currentPeriodEnd: end }, { type: 'renewed' }));
    expect((await ent(userId)).body).toMatchObject({ plan: 'standard', monthly_limit_krw: 5_000_000, paid_through: end.toISOString(), version: 6 });

    const grace = new Date(at().getTime() + 3 * DAY);
    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'past_due', at(), { graceUntil: grace }, { type: 'renewal_failed' }));
    expect((await ent(userId)).body).toMatchObject({ status: 'past_due', auto_trading_enabled: true, in_grace: true, grace_until: grace.toISOString() });
    await repo.transaction((r) => r.transitionSubscription(sub.id, 'past_due', 'expired', at(), { endedAt: at() }, { type: 'expired' }));
    expect((await ent(userId)).body).toMatchObject({ status: 'expired', plan: 'free', auto_trading_enabled: false, in_grace: false, version: 10 });

    await repo.transaction((r) => r.transitionSubscription(sub.id, 'expired', 'active', at(), { currentPeriodEnd: end, endedAt: null }, { type: 'period_paid' }));
    await repo.transaction((r) => r.transitionSubscription(sub.id, 'active', 'canceled', at(), { currentPeriodEnd: at(), endedAt: at() }, { type: 'ended_by_refund', data: { payment_id: 'pay_x' } }));
    expect((await ent(userId)).body).toMatchObject({ status: 'canceled', auto_trading_enabled: false, version: 14 });
    expect(await eventTypes(userId)).toEqual([
      'subscription.activated', 'entitlements.updated',
      'subscription.plan_changed', 'entitlements.updated',
      'subscription.plan_changed', 'entitlements.updated',
      'subscription.past_due', 'entitlements.updated',
      'subscription.expired', 'entitlements.updated',
      'subscription.activated', 'entitlements.updated',
      'payment.refunded', 'entitlements.updated',
    ]);
    const last = await sql<{ payload: any }>`SELECT payload FROM engine_events WHERE user_id = ${userId} AND type = 'payment.refunded'`.execute(s.db.db);
    expect(last.rows[0]!.payload).toMatchObject({ user_id: userId, plan: 'free', auto_trading_enabled: false, limit: 0, status: 'canceled', ended_by_refund: true, payment_id: 'pay_x' });
  });

  it('lists changed users in the change feed once each, then nothing new', async () => {
    const before = await subscribedUser('standard');
    const first = await feedUntil(undefined, (ids) => ids.includes(before.userId));
    expect(first.seen.length).toBeGreaterThan(0);
    const { userId } = await subscribedUser('pro');
    const next = await feedUntil(first.cursor, (ids) => ids.includes(userId));
    expect(next.seen.map((e: any) => e.user_id)).toEqual([userId]);
    expect(next.seen[0]).toMatchObject({ plan: 'pro', monthly_limit_krw: null, remaining_krw: null });
    const bulk = await s.api('POST', '/api/v1/entitlements/bulk', { token: engineKey, body: { user_ids: [userId, 'usr_nobody'] } });
    expect(bulk.body.entitlements).toHaveLength(1);
  });
});

describe('month rollover (Asia/Seoul)', () => {
  it('starts a new cap month at 2026-12-31T15:00Z (January 1st in Seoul)', async () => {
    const now = s.services.ctx.clock.now();
    const newYear = Date.parse('2026-12-31T15:00:00Z');
    if (now.getTime() >= newYear - 60_000) return; // the machine's clock is past the date the test is about
    s.services.clock.advance(newYear - 60_000 - now.getTime());
    const { userId } = await subscribedUser('standard');
    const a = await reserve({ user_id: userId, trade_id: 'dec', amount_krw: 5_000_000 });
    await s.api('POST', `/api/v1/usage/reservations/${a.body.reservation_id}/commit`, { token: engineKey, body: { amount_krw: 5_000_000 } });
    const dec = (await ent(userId)).body;
    expect(dec).toMatchObject({ used_krw: 5_000_000, remaining_krw: 0, cap_period_start: '2026-11-30T15:00:00.000Z', cap_period_end: '2026-12-31T15:00:00.000Z' });
    s.services.clock.advance(60_000);
    const jan = (await ent(userId)).body;
    expect(jan).toMatchObject({ used_krw: 0, remaining_krw: 5_000_000, cap_period_start: '2026-12-31T15:00:00.000Z', cap_period_end: '2027-01-31T15:00:00.000Z' });
  });
});

describe('POST /api/usage', () => {
  it('refuses free users and an amount', async () => {
    const { token } = await s.signup();
    const r = await s.api('POST', '/api/usage', { token, body: { feature: 'auto_trading' } });
    expect(r.status).toBe(403);
    const withAmount = await s.api('POST', '/api/usage', { token, body: { feature: 'auto_trading', amount_krw: 100 } });
    expect(withAmount.status).toBe(400);
  });
});

describe('concurrency', () => {
  it('200 concurrent reservations for one user never pass the cap', async () => {
    const { userId } = await subscribedUser('standard');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => reserve({ user_id: userId, trade_id: `c-${i}`, amount_krw: 30_000 + (i % 7) * 1_000 })),
    );
    const granted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(granted.length + refused.length).toBe(200);
    expect(refused.every((r) => r.body.error.code === 'LIMIT_EXCEEDED')).toBe(true);
    const total = granted.reduce((sum, r) => sum + r.body.amount_krw, 0);
    expect(total).toBeLessThanOrEqual(5_000_000);
    expect(granted.length).toBeGreaterThan(100);
    expect((await ent(userId)).body.reserved_krw).toBe(total);
  }, 120_000);
});

describe.skipIf(!process.env.DATABASE_URL)('change feed and late commits (PostgreSQL)', () => {
  it('never skips an event whose transaction commits after a later position was handed out', async () => {
    // Move the cursor past everything so far.
    const marker = await subscribedUser('standard');
    const { cursor } = await feedUntil(undefined, (ids) => ids.includes(marker.userId));
    const a = await s.signup();
    const b = await s.signup();
    const event = (userId: string) => ({ id: s.services.ctx.ids.next('evt'), userId, type: 'entitlements.updated' as const, payload: { user_id: userId }, occurredAt: new Date() });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const inA = new Promise<void>((r) => (appended = r));
    // A takes a position first and commits last.
    const txA = s.services.ctx.repo.transaction(async (repo) => {
      await repo.appendEngineEvent(event(a.userId));
      appended();
      await held;
    });
    await inA;
    await s.services.ctx.repo.transaction((repo) => repo.appendEngineEvent(event(b.userId)));
    const whileOpen = await s.api('GET', `/api/v1/entitlements/changes?cursor=${cursor}`, { token: engineKey });
    expect(whileOpen.body.entitlements.map((e: any) => e.user_id)).toEqual([]);
    release();
    await txA;
    const after = await feedUntil(whileOpen.body.next_cursor, (ids) => ids.includes(a.userId) && ids.includes(b.userId));
    expect(after.seen.map((e: any) => e.user_id).sort()).toEqual([a.userId, b.userId].sort());
  });
});
