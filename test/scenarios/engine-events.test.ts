import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DAY, startRenewalHarness, type RenewalHarness, type User } from './renewal-harness.ts';

// The trading engine's events through the real use cases (checkout, plan change, renewal worker,
// withdrawal): each change writes exactly one event of its kind, then `entitlements.updated`.
let h: RenewalHarness;
beforeAll(async () => {
  h = await startRenewalHarness();
}, 60_000);
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function events(u: User): Promise<{ type: string; payload: any }[]> {
  const r = await sql<{ type: string; payload: any }>`SELECT type, payload FROM engine_events WHERE user_id = ${u.userId} ORDER BY seq`.execute(h.db.db);
  return r.rows;
}
const kinds = async (u: User) => (await events(u)).map((e) => e.type).filter((t) => t !== 'entitlements.updated');
const usage = async (u: User) => (await h.api('GET', '/api/subscription/usage', { token: u.token })).body;

describe(`trading-engine events from the billing flows (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('checkout, upgrade, downgrade at the period change, past_due and lapse: one event each', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    expect(await kinds(u)).toEqual(['subscription.activated']);
    expect(await usage(u)).toMatchObject({ plan: 'standard', auto_trading_enabled: true, monthly_limit_krw: 5_000_000, version: 2 });

    await h.advance(5 * DAY, u);
    const up = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' }, headers: { 'idempotency-key': 'engine-up-1' } });
    expect(up.body.change).toBe('upgraded');
    expect(await kinds(u)).toEqual(['subscription.activated', 'subscription.plan_changed']);
    expect(await usage(u)).toMatchObject({ plan: 'premium', monthly_limit_krw: 10_000_000, version: 4 });

    const down = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } });
    expect(down.body.change).toBe('downgrade_scheduled');
    expect((await usage(u)).plan).toBe('premium');
    expect(await kinds(u)).toHaveLength(2);
    await h.advance(periodEnd - h.now().getTime(), u);
    expect(await usage(u)).toMatchObject({ plan: 'standard', monthly_limit_krw: 5_000_000, version: 6 });
    const changed = (await events(u)).filter((e) => e.type === 'subscription.plan_changed').at(-1)!;
    expect(changed.payload).toMatchObject({ user_id: u.userId, plan: 'standard', limit: 5_000_000, auto_trading_enabled: true, previous_plan: 'premium' });

    await h.declineNext('kakaopay', 10);
    await h.advance(30 * DAY, u); // the next renewal is declined: past_due, in grace
    const grace = await usage(u);
    expect(grace).toMatchObject({ status: 'past_due', in_grace: true, auto_trading_enabled: true });
    expect(grace.grace_until).not.toBeNull();
    for (let i = 0; i < 5; i++) await h.advance(2 * DAY, u); // retries, then the grace period ends
    expect(await usage(u)).toMatchObject({ status: 'expired', auto_trading_enabled: false, in_grace: false, plan: 'free' });
    expect(await kinds(u)).toEqual([
      'subscription.activated',
      'subscription.plan_changed',
      'subscription.plan_changed',
      'subscription.past_due',
      'subscription.expired',
    ]);
    const all = await events(u);
    expect(all.filter((e) => e.type === 'entitlements.updated')).toHaveLength(5);
  });

  it('a withdrawal (full refund) ends auto-trading with one payment.refunded event', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u, 'premium');
    await h.advance(DAY, u);
    const w = await h.api('POST', `/api/payments/${first.payment.id}/withdraw`, { token: u.token });
    expect(w.status).toBe(201);
    expect(await usage(u)).toMatchObject({ status: 'canceled', auto_trading_enabled: false, version: 4 });
    expect(await kinds(u)).toEqual(['subscription.activated', 'payment.refunded']);
    const refunded = (await events(u)).find((e) => e.type === 'payment.refunded')!;
    expect(refunded.payload).toMatchObject({ auto_trading_enabled: false, limit: 0, ended_by_refund: true, payment_id: first.payment.id });
  });
});
