import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { compose } from '../../src/composition.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { createTestDb } from '../helpers/test-db.ts';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });

beforeAll(async () => {
  h = await startRenewalHarness({ env: { KAKAOPAY_TIMEOUT_MS: '1000', RENEWAL_SYNC_DELAY_SECONDS: '30' } });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function oneOffSubscription(plan = 'standard') {
  const u = await h.signup();
  const r = await h.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan, auto_renew: false } });
  await h.completeCheckout('kakaopay', u, r.body.payment_id, r.body.checkout);
  return u;
}

describe(`plan change, cancel and resume over the API (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('an upgrade without a billing key returns a checkout for the prorated amount; approving it switches the plan', async () => {
    const u = await oneOffSubscription();
    expect((await h.subscriptionRow(u.userId)).billing_key).toBeNull();
    await h.advance(15 * DAY, u);
    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ change: 'checkout_required', proration: { credit_krw: 14500, new_plan_krw: 49500, charge_krw: 35000 } });
    expect(r.body.checkout.style).toBe('redirect');
    expect(r.body.subscription.plan).toBe('standard');
    const approved = await h.completeCheckout('kakaopay', u, r.body.payment_id, r.body.checkout);
    expect(approved.payment).toMatchObject({ kind: 'upgrade', status: 'approved', amount_krw: 35000 });
    expect(approved.subscription).toMatchObject({ plan: 'pro', is_active: true });
    expect((await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } })).body.change).toBe('unchanged');
  });

  it('a declined upgrade charge answers 402 and leaves the plan as it was', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.declineNext('kakaopay', 1);
    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect([r.status, r.body.error.code]).toEqual([402, 'PROVIDER_DECLINED']);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body.plan).toBe('standard');
    const upgrade = (await h.payments(u.userId)).find((p) => p.kind === 'upgrade');
    expect(upgrade?.status).toBe('declined');
  });

  it('an upgrade charge that times out answers 202 pending; the worker looks it up and switches the plan', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(10 * DAY, u);
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', delay: 'after', delay_ms: 2500 });
    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ change: 'pending', payment: { status: 'unknown' }, subscription: { plan: 'standard' } });
    const busy = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    await new Promise((res) => setTimeout(res, 1600));
    await h.advance(31_000, u);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body.plan).toBe('premium');
    expect((await h.charges('kakaopay'))[key]).toBe(1);
  });

  it('cancel and resume honour Idempotency-Key; resume after the period end is refused', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const hdr = { 'idempotency-key': 'cancel-key-0001' };
    const a = await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {}, headers: hdr });
    const b = await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {}, headers: hdr });
    expect(a.body.changed).toBe(true);
    expect(b.body).toEqual(a.body);
    await h.advance(31 * DAY, u);
    const r = await h.api('POST', '/api/subscription/resume', { token: u.token, body: {} });
    expect([r.status, r.body.error.code]).toEqual([409, 'SUBSCRIPTION_STATE_CONFLICT']);
    expect((await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} })).body.changed).toBe(false);
  });

  it('refuses a change to the free plan, an unknown plan, and changes without a subscription', async () => {
    const u = await h.signup();
    const none = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } });
    expect([none.status, none.body.error.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
    await h.subscribe('kakaopay', u);
    expect((await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'free' } })).body.error.code).toBe('PLAN_NOT_PURCHASABLE');
    expect((await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'gold' } })).body.error.code).toBe('UNKNOWN_PLAN');
    expect((await h.api('POST', '/api/subscription/change', { token: u.token, body: {} })).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('sandbox tools', () => {
  it('the test clock needs an admin and one of advance_ms / advance_days', async () => {
    const anon = await h.api('POST', '/api/sandbox/clock', { body: { advance_days: 1 } });
    expect(anon.status).toBe(401);
    const u = await h.signup();
    const asUser = await h.api('POST', '/api/sandbox/clock', { token: u.token, body: { advance_days: 1 } });
    expect([asUser.status, asUser.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const admin = await h.adminToken();
    const both = await h.api('POST', '/api/sandbox/clock', { token: admin, body: { advance_days: 1, advance_ms: 5 } });
    expect([both.status, both.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const before = h.now().getTime();
    const ok = await h.api('POST', '/api/sandbox/clock', { token: admin, body: { advance_days: 2 } });
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.body.now) - before).toBe(2 * DAY);
    expect(ok.body.providers).toEqual({ kakaopay: expect.objectContaining({ ok: true }), naverpay: expect.objectContaining({ ok: true }) });
    expect(ok.body.tick).toMatchObject({ claimed: 0 });
    const kakaoClock = await h.sandbox('kakaopay', 'GET', '/__sandbox/clock');
    expect(kakaoClock.offset_ms).toBe(h.services.clock.offset);
  });

  it('the mailbox page lists notices in Korean, escaped', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.advance(23 * DAY, u);
    const headers = { authorization: `Bearer ${await h.adminToken()}` };
    const res = await h.app.inject({ method: 'GET', url: `/sandbox/mailbox?email=${encodeURIComponent(u.email)}`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('샌드박스 우편함');
    expect(res.body).toContain('[ShowMeTheStock] 정기결제 예정 안내');
    expect(res.body).toContain('29,000원');
    const xss = await h.app.inject({ method: 'GET', url: `/sandbox/mailbox?email=${encodeURIComponent('<script>x</script>')}`, headers });
    expect(xss.body).not.toContain('<script>x</script>');
  });

  it('does not exist outside sandbox mode', async () => {
    const db = await createTestDb();
    const config = loadConfig(process.env, { SANDBOX_MODE: 'false', LOG_LEVEL: 'silent' });
    const services = await compose(config, { db, skipMigrations: true });
    const app = await buildApp(services, { webDir: null });
    try {
      for (const [method, url] of [['POST', '/api/sandbox/clock'], ['GET', '/api/sandbox/mailbox'], ['GET', '/sandbox/mailbox']] as const) {
        expect((await app.inject({ method, url, payload: method === 'POST' ? { advance_days: 1 } : undefined })).statusCode).toBe(404);
      }
    } finally {
      await app.close();
      await db.close();
    }
  });
});
