import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';

/**
 * A renewal charge whose answer is lost (the provider charged, then answered after our
 * timeout) is settled by a lookup, never by charging again.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });

beforeAll(async () => {
  h = await startRenewalHarness({
    env: {
      // Short enough for a scripted late answer, long enough for a busy CI machine.
      KAKAOPAY_TIMEOUT_MS: '1000',
      NAVERPAY_TIMEOUT_MS: '1000',
      NAVERPAY_APPROVE_TIMEOUT_MS: '1000',
      RENEWAL_SYNC_DELAY_SECONDS: '60',
    },
  });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function renewals(userId: string) {
  return (await h.payments(userId)).filter((p) => p.kind === 'renewal');
}

describe(`renewal charge timeouts (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('KakaoPay: the charge goes through but the answer is late → unknown → SID status lookup settles it; one charge', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', delay: 'after', delay_ms: 2500 });

    const tick = await h.advance(7 * DAY, u);
    expect(tick.outcomes.unknown).toBe(1);
    let [p] = await renewals(u.userId);
    expect(p.status).toBe('unknown');
    expect(p.provider_ref).toBeNull();
    // Entitlements: the period ended and the outcome is open; nothing was charged twice meanwhile.
    expect((await h.charges('kakaopay'))[key]).toBe(1);

    // Before the sync delay nothing happens; after it the lookup settles the payment.
    expect((await h.tick()).claimed).toBe(0);
    await new Promise((r) => setTimeout(r, 1600)); // the sandbox's late answer is sent and dropped
    const settled = await h.advance(61_000, u);
    expect(settled.outcomes.approved).toBe(1);
    [p] = await renewals(u.userId);
    expect(p.status).toBe('approved');
    expect(p.provider_ref).toMatch(/^sid:/);
    const st = (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
    expect(st).toMatchObject({ status: 'active', is_active: true });
    expect(Date.parse(st.expire_date)).toBe(Date.parse(first.payment.period_end) + 30 * DAY);
    const stats = await h.sandbox('kakaopay', 'GET', '/__sandbox/stats');
    expect(stats.charges_by_sid[key]).toBe(1);
    expect(stats.status).toBeGreaterThanOrEqual(1);
    await h.advance(1 * DAY, u);
    expect((await h.charges('kakaopay'))[key]).toBe(1);
    expect(await renewals(u.userId)).toHaveLength(1);
  });

  it('NaverPay: a late approval answer is recovered by the retry with the same idempotency key; one charge', async () => {
    const u = await h.signup();
    await h.subscribe('naverpay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'recurrent_pay_approve', delay: 'after', delay_ms: 2500 });
    const tick = await h.advance(7 * DAY, u);
    expect(tick.outcomes.approved).toBe(1);
    expect((await h.sandbox('naverpay', 'GET', '/__sandbox/stats')).idempotent_replay).toBeGreaterThanOrEqual(1);
    const [p] = await renewals(u.userId);
    expect(p).toMatchObject({ status: 'approved', amount_krw: 29000 });
    expect((await h.charges('naverpay'))[key]).toBe(2); // the first period (charged at registration) and this renewal
    await new Promise((r) => setTimeout(r, 2500));
  });

  it('a provider outage (not processed) defers the charge without counting a decline; the same payment is charged later', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', error_code: -9798 });
    const tick = await h.advance(7 * DAY, u);
    expect(tick.outcomes.deferred).toBe(1);
    let st = (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
    expect(st).toMatchObject({ status: 'past_due', is_active: true });
    expect((await h.api('GET', '/api/sandbox/mailbox', { token: await h.adminToken() })).body.notices.filter((n: any) => n.kind === 'renewal_failed')).toHaveLength(0);
    const [before] = await renewals(u.userId);
    expect(before.status).toBe('ready');
    await h.advance(31 * 60_000, u);
    const [after] = await renewals(u.userId);
    expect(after).toMatchObject({ id: before.id, status: 'approved' });
    st = (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
    expect(st).toMatchObject({ status: 'active', is_active: true });
    expect((await h.charges('kakaopay'))[key]).toBe(1);
  });

  it.each(['kakaopay', 'naverpay'] as const)('%s: a lost worker (lease expired while approving) is never charged again: the lookup decides', async (provider) => {
    const u = await h.signup();
    await h.subscribe(provider, u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    const before = (await h.charges(provider))[key] ?? 0;
    await h.advance(30 * DAY, u);
    expect((await h.charges(provider))[key]).toBe(before + 1);
    // Simulate a worker that charged, then died before settling: the payment is back to approving.
    const [p] = await renewals(u.userId);
    const sub = await h.subscriptionRow(u.userId);
    await h.db.db.updateTable('payments').set({ status: 'approving', provider_ref: null, period_start: null }).where('id', '=', p.id).execute();
    await h.db.db
      .updateTable('subscriptions')
      .set({ current_period_end: p.period_start!, next_renewal_at: new Date(h.now().getTime() + 600_000) })
      .where('id', '=', sub.id)
      .execute();
    await h.db.db.updateTable('billing_cycles').set({ status: 'scheduled' }).where('id', '=', p.billing_cycle_id!).execute();
    expect((await h.tick()).claimed).toBe(0);
    const t = await h.advance(11 * 60_000, u);
    expect(t.outcomes.approved).toBe(1);
    expect((await h.charges(provider))[key]).toBe(before + 1);
    const [again] = await renewals(u.userId);
    expect(again.status).toBe('approved');
    expect(again.provider_ref).toBeTruthy();
  });
});
