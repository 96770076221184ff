import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from './renewal-harness.ts';

/**
 * Issue 11 item 1: the plan and price the next renewal charges have one source of truth. The
 * sequence upgrade → schedule a downgrade → 해지 예약 → 자동 결제 다시 켜기 once left the agreed
 * price at the downgrade's price, so a false consent request went out and the renewal failed.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const PERIOD = 30 * DAY;

async function renewal(u: User) {
  return (await h.api('GET', '/api/subscription/renewal', { token: u.token })).body;
}
async function mailbox(u: User) {
  return (await h.api('GET', `/api/sandbox/mailbox?email=${encodeURIComponent(u.email)}`, { token: await h.adminToken() })).body.notices as any[];
}

describe.each<Provider>(['kakaopay', 'naverpay'])(`next renewal terms with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('upgrade → downgrade scheduled → 해지 예약 → resume: renews the upgraded plan at its price, no consent request', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(2 * DAY, u);

    const up = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect(up.status).toBe(200);
    expect(up.body.change).toBe('upgraded');
    const down = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } });
    expect(down.body).toMatchObject({ change: 'downgrade_scheduled', renewal: { next_plan: 'standard', next_charge_krw: 29000 } });
    const off = await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    expect(off.body.changed).toBe(true);

    const on = await h.api('POST', '/api/subscription/resume', { token: u.token, body: {} });
    expect(on.status).toBe(200);
    if (!on.body.resumed) await h.completeCheckout(provider, u, on.body.payment_id, on.body.checkout);

    // What the status API says the next renewal charges: the upgraded plan at its price.
    const r = await renewal(u);
    expect(r).toMatchObject({ auto_renew: true, next_plan: 'premium', next_charge_krw: 59000, price_consent_required: false });
    expect(r.next_renewal).toMatchObject({ plan: 'premium', price_krw: 59000, consent: 'not_needed' });

    await h.advance(periodEnd - h.now().getTime() + DAY, u);
    const kinds = (await mailbox(u)).map((n) => n.kind);
    expect(kinds).not.toContain('price_change_consent');
    expect(kinds).not.toContain('renewal_failed');
    expect(kinds).toContain('renewal_upcoming');
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 59000, plan_id: 'premium' }]);
    const row = await h.subscriptionRow(u.userId);
    expect(row).toMatchObject({ status: 'active', plan_id: 'premium', pending_plan_id: null });
    expect(row.current_period_end.getTime()).toBe(periodEnd + PERIOD);
  });
});
