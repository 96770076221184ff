import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { OperationsRepository } from '../../src/storage/repositories/operations-repository.ts';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';

/**
 * payment_events, subscription_events and engine_events keep no foreign key to their parent
 * (migration 0028: the checks cost a renewal four triggers and parent reads). Their writers derive
 * each row from its parent in the same statement instead; this drives checkouts, renewals, a
 * decline and its retry on both providers and requires every such row to have its parent, and a
 * lone audit row for a missing parent to be refused.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());

describe(`history rows without foreign keys (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('checkouts, renewals, a decline and its retry leave no row without its parent', async () => {
    const ops = new OperationsRepository(h.db.db);
    const a = await h.signup();
    const b = await h.signup();
    await h.subscribe('kakaopay', a);
    await h.subscribe('naverpay', b, 'premium');
    await h.advance(30 * DAY);
    await h.declineNext('kakaopay', 1);
    await h.declineNext('naverpay', 1);
    await h.advance(30 * DAY);
    await h.advance(2 * DAY);
    const counts = await sql<{ p: number; s: number; e: number }>`SELECT (SELECT count(*)::int FROM payment_events) AS p,
      (SELECT count(*)::int FROM subscription_events) AS s, (SELECT count(*)::int FROM engine_events) AS e`.execute(h.db.db);
    const c = counts.rows[0];
    // The flows above wrote history rows of each kind (so the check below is not vacuous).
    expect(Number(c.p)).toBeGreaterThan(6);
    expect(Number(c.s)).toBeGreaterThan(4);
    expect(Number(c.e)).toBeGreaterThan(4);
    expect((await h.payments(a.userId)).filter((p) => p.kind === 'renewal' && p.status === 'approved').length).toBeGreaterThanOrEqual(2);
    expect(await ops.orphanRows()).toEqual([]);
  });

  it('the check finds a row whose parent is missing', async () => {
    const ops = new OperationsRepository(h.db.db);
    await sql`INSERT INTO payment_events (payment_id, type, from_status, to_status, created_at) VALUES ('pay_gone', 'transition', 'ready', 'approved', now())`.execute(h.db.db);
    try {
      expect(await ops.orphanRows()).toEqual([{ table: 'payment_events', n: 1 }]);
    } finally {
      await sql`DELETE FROM payment_events WHERE payment_id = 'pay_gone'`.execute(h.db.db);
    }
  });

  it('a lone audit row for a missing payment or subscription is refused and nothing is written', async () => {
    const repo = h.services.ctx.repo;
    const before = await sql<{ n: number }>`SELECT (SELECT count(*) FROM payment_events) + (SELECT count(*) FROM subscription_events) AS n`.execute(h.db.db);
    const e = { type: 'transition', from: 'ready', to: 'approved', at: h.now(), data: undefined };
    await expect(repo.addPaymentEvent('pay_gone', e as never)).rejects.toThrow(/pay_gone not found/);
    await expect(repo.addSubscriptionEvent('sub_gone', e as never)).rejects.toThrow(/sub_gone not found/);
    const after = await sql<{ n: number }>`SELECT (SELECT count(*) FROM payment_events) + (SELECT count(*) FROM subscription_events) AS n`.execute(h.db.db);
    expect(Number(after.rows[0].n)).toBe(Number(before.rows[0].n));
  });
});
