import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { subscribedUser } from '../helpers/engine-fixtures.ts';
import { capPeriodOf } from '../../src/domain/engine/entitlements.ts';
import type { CommitInput, CommitResult, ReserveInput, ReserveResult } from '../../src/domain/engine/engine-store.ts';
import { EngineRepository } from '../../src/storage/repositories/engine-repository.ts';

// Concurrent reservations and commits go to the database as one statement per batch
// (engine_reserve_many / engine_commit_many, migration 0023): each answers what it answers alone.
let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const LIMIT = 100_000;
const TTL = 600_000;

/** Inputs for the user's reservations and commits, made against its subscription's version now. */
async function userInputs(repo: EngineRepository, userId: string) {
  const now = s.services.ctx.clock.now();
  const period = capPeriodOf(now).start;
  const [row] = await repo.entitlementRows([userId], period, now);
  const version = row!.subscriptionVersion;
  const reserve = (tradeId: string, amountKrw: number, o: Partial<ReserveInput> = {}): ReserveInput => ({
    id: s.services.ctx.ids.next('rsv'),
    userId,
    tradeId,
    periodStart: period,
    amountKrw,
    createdAt: now,
    expiresAt: new Date(now.getTime() + TTL),
    now,
    subscriptionVersion: version,
    limitKrw: LIMIT,
    allowed: true,
    ...o,
  });
  const commit = (id: string, amountKrw: number, o: Partial<CommitInput> = {}): CommitInput => ({
    id,
    userId,
    periodStart: period,
    amountKrw,
    now,
    subscriptionVersion: version,
    limitKrw: LIMIT,
    thresholdEvents: [80, 100].map((pct) => ({
      id: s.services.ctx.ids.next('evt'),
      userId,
      type: 'usage.threshold_reached' as const,
      payload: { user_id: userId, threshold_pct: pct },
      occurredAt: now,
    })) as unknown as CommitInput['thresholdEvents'],
    ...o,
  });
  return { userId, reserve, commit };
}

/** An answer without its ids (they differ between two runs of the same requests). */
function plain(r: ReserveResult | CommitResult | Error): unknown {
  if (r instanceof Error) return { error: r.message.split(' ')[0] };
  return JSON.parse(JSON.stringify(r, (k, v) => (['id', 'userId', 'createdAt', 'expiresAt'].includes(k) ? undefined : v)));
}

/**
 * One user's requests: `send` gets every reservation at once, then every commit at once (after
 * the reservations answered). Replays, the cap, a stale version, an unknown user, thresholds,
 * a commit above the reservation, a repeated commit, another user's reservation and an unknown one.
 */
async function scenario(repo: EngineRepository, send: <I, R>(items: I[], f: (x: I) => Promise<R>) => Promise<(R | Error)[]>) {
  const { userId } = await subscribedUser(s);
  const other = await subscribedUser(s);
  const u = await userInputs(repo, userId);
  const first = u.reserve('t1', 50_000);
  const reserves = [
    first,
    { ...u.reserve('t1', 50_000) },
    u.reserve('t2', 40_000),
    u.reserve('t3', 30_000),
    u.reserve('t4', 10_000),
    u.reserve('t5', 10_000, { subscriptionVersion: 'stale' }),
    u.reserve('t6', 10_000, { userId: 'usr_nobody' }),
    u.reserve('t7', 10_000, { allowed: false }),
  ];
  const reserved = await send(reserves, (x) => repo.reserve(x));
  const id = (i: number) => (reserved[i] as any).inserted.id as string;
  const commits = [
    u.commit(id(0), 50_000),
    u.commit(id(0), 50_000),
    u.commit(id(2), 40_000),
    u.commit(id(4), 99_000),
    u.commit(id(2), 40_000, { userId: other.userId }),
    u.commit('rsv_nowhere', 1_000),
  ];
  const committed = await send(commits, (x) => repo.commit(x));
  const [row] = await repo.entitlementRows([userId], first.periodStart, first.now);
  const events = await s.services.db.db.selectFrom('engine_events').select(['type', 'seq', 'payload']).where('user_id', '=', userId).orderBy('seq').execute();
  return { reserved: reserved.map(plain), committed: committed.map(plain), used: row!.usedKrw, reservedKrw: row!.reservedKrw, events: events.map((e: any) => [e.type, Number(e.seq), e.payload.threshold_pct, e.payload.used_krw]) };
}

const oneByOne = async <I, R>(items: I[], f: (x: I) => Promise<R>) => {
  const out: (R | Error)[] = [];
  for (const x of items) out.push(await f(x).catch((err: Error) => err));
  return out;
};
const allAtOnce = <I, R>(items: I[], f: (x: I) => Promise<R>) => Promise.all(items.map((x) => f(x).catch((err: Error) => err)));

describe('batched reservations and commits', () => {
  it('answer what the same requests answer one by one, in arrival order, each batch one statement', async () => {
    const batched = new EngineRepository(s.services.db.db);
    const reserveMany = vi.spyOn(batched as any, 'reserveMany');
    const commitMany = vi.spyOn(batched as any, 'commitMany');
    const single = await scenario(new EngineRepository(s.services.db.db, false), oneByOne);
    const together = await scenario(batched, allAtOnce);
    expect(together).toEqual(single);
    // The first of each goes alone; the others, arrived meanwhile, as one statement.
    expect(reserveMany.mock.calls.map((c) => (c[0] as unknown[]).length)).toEqual([7]);
    expect(commitMany.mock.calls.map((c) => (c[0] as unknown[]).length)).toEqual([5]);
    expect(single.reserved.map((r: any) => r.kind)).toEqual(['done', 'done', 'done', 'done', 'done', 'stale', 'no_user', 'done']);
    expect(single.reserved.map((r: any) => [!!r.inserted, !!r.existing])).toEqual([
      [true, false],
      [false, true],
      [true, false],
      [false, false],
      [true, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
    expect(single.committed.map((r: any) => r.kind)).toEqual(['committed', 'unchanged', 'committed', 'unchanged', 'stale', 'no_reservation']);
    expect(single.used).toBe(90_000);
    // After the subscription's own events: the 80% crossing, once.
    expect(single.events.filter((e) => e[0] === 'usage.threshold_reached')).toEqual([['usage.threshold_reached', 3, 80, 90_000]]);
  });

  it('run a failed batch one by one: only the failing request fails', async () => {
    const errors: unknown[] = [];
    const repo = new EngineRepository(s.services.db.db, { maxBatch: 64, maxInFlight: 1, onBatchError: (err) => errors.push(err) });
    const { userId } = await subscribedUser(s);
    const u = await userInputs(repo, userId);
    const taken = u.reserve('a', 1_000);
    await repo.reserve(taken);
    // The second reuses the first one's id (primary key): the batch statement fails and rolls back.
    const [b, dup, c] = await allAtOnce([u.reserve('b', 1_000), u.reserve('dup', 1_000, { id: taken.id }), u.reserve('c', 1_000)], (x) => repo.reserve(x));
    expect(errors).toHaveLength(1);
    expect(dup).toBeInstanceOf(Error);
    expect((b as any).inserted.tradeId).toBe('b');
    expect((c as any).inserted.tradeId).toBe('c');
    expect((b as any).liveReservedKrw).toBe(1_000);
    expect((c as any).liveReservedKrw).toBe(2_000);
  });

  it('fail every request of a batch whose connection was lost (it may have committed): none runs again', async () => {
    const repo = new EngineRepository(s.services.db.db);
    const { userId } = await subscribedUser(s);
    const u = await userInputs(repo, userId);
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    vi.spyOn(repo as any, 'reserveMany').mockRejectedValueOnce(lost);
    const reserveOne = vi.spyOn(repo as any, 'reserveOne');
    const [a, b, c] = await allAtOnce([u.reserve('a', 1_000), u.reserve('b', 1_000), u.reserve('c', 1_000)], (x) => repo.reserve(x));
    expect((a as any).inserted.tradeId).toBe('a');
    expect([b, c]).toEqual([lost, lost]);
    expect(reserveOne).toHaveBeenCalledTimes(1);
  });

  it('never deadlock: two processes batching the same users in opposite orders', async () => {
    const errors: unknown[] = [];
    const batching = { maxBatch: 8, maxInFlight: 2, onBatchError: (err: unknown) => errors.push(err) };
    const repos = [new EngineRepository(s.services.db.db, batching), new EngineRepository(s.services.db.db, batching)];
    const users = await Promise.all(Array.from({ length: 6 }, async () => userInputs(repos[0]!, (await subscribedUser(s)).userId)));
    const order = (k: number) => (k === 0 ? users : [...users].reverse());
    const reserved = await Promise.all(
      repos.flatMap((repo, k) => Array.from({ length: 240 }, (_, i) => repo.reserve(order(k)[i % users.length]!.reserve(`${k}-${i}`, 1_000)))),
    );
    expect(reserved.every((r) => r.kind === 'done' && r.inserted)).toBe(true);
    const committed = await Promise.all(
      reserved.map((r, i) => {
        const x = (r as Extract<ReserveResult, { kind: 'done' }>).inserted!;
        return repos[i % 2]!.commit(users.find((u) => u.userId === x.userId)!.commit(x.id, 1_000));
      }),
    );
    expect(committed.every((r) => r.kind === 'committed')).toBe(true);
    expect(errors).toEqual([]);
    const now = s.services.ctx.clock.now();
    const rows = await repos[0]!.entitlementRows(users.map((u) => u.userId), capPeriodOf(now).start, now);
    expect(rows.map((r) => r.usedKrw)).toEqual(users.map(() => 80_000));
  }, 60_000);
});
