import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness } from '../scenarios/renewal-harness.ts';

/**
 * A full refund of an upgrade payment (the prorated price difference) reverts the plan for
 * the rest of the period; the original payment still pays for the period, so its end stays.
 */
let h: RenewalHarness;

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

describe.each<Provider>(['kakaopay', 'naverpay'])(`refunding an upgrade with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('청약철회 of the upgrade payment: plan back to standard, period end kept, next renewal at the standard price', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(10 * DAY, u);

    const up = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' }, headers: { 'idempotency-key': 'upgrade-0001' } });
    expect(up.status).toBe(200);
    expect(up.body.change).toBe('upgraded');
    expect(up.body.payment).toMatchObject({ kind: 'upgrade', status: 'approved' });
    const upgradeId: string = up.body.payment.id;
    const upgradeKrw: number = up.body.payment.amount_krw;
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('premium');

    await h.advance(1 * DAY, u);
    const w = await h.api('POST', `/api/payments/${upgradeId}/withdraw`, { token: u.token });
    expect(w.status).toBe(201);
    expect(w.body.refund).toMatchObject({ kind: 'withdrawal', status: 'succeeded', amount_krw: upgradeKrw });
    expect(w.body.payment).toMatchObject({ status: 'refunded', refunded_krw: upgradeKrw });

    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'active', plan_id: 'standard', auto_renew: true, agreed_price_krw: 29000 });
    expect(sub.current_period_end.getTime()).toBe(periodEnd);
    const st = (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
    expect(st).toMatchObject({ plan: 'standard', is_active: true, status: 'active' });
    expect(Date.parse(st.expire_date)).toBe(periodEnd);
    const events = await h.db.db.selectFrom('subscription_events').select(['type', 'data']).where('subscription_id', '=', sub.id).orderBy('id').execute();
    expect(events.filter((e) => e.type === 'upgrade_refunded')).toMatchObject([
      { data: { payment_id: upgradeId, refund_id: w.body.refund.id, from_plan: 'premium', to_plan: 'standard' } },
    ]);
    const renewalView = (await h.api('GET', '/api/subscription/renewal', { token: u.token })).body;
    expect(renewalView).toMatchObject({ auto_renew: true, next_charge_krw: 29000, next_plan: 'standard' });

    // The next renewal charges the standard price and the period continues from the kept end.
    await h.advance(periodEnd - h.now().getTime(), u);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 29000, plan_id: 'standard' }]);
    expect(renewals[0].period_start.getTime()).toBe(periodEnd);
    expect(await h.subscriptionRow(u.userId)).toMatchObject({ status: 'active', plan_id: 'standard' });
  });
});
