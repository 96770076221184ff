import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { SIGNUP_CONSENTS, ORDER_CONSENT } from '../helpers/consents.ts';

const DAY = 86_400_000;
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack({ env: { KAKAOPAY_TIMEOUT_MS: '700', HOST_JWT_HS256_SECRET: 'host-app-shared-secret-0123456789' } });
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

async function ready(token: string, plan = 'standard', extra: Record<string, unknown> = {}) {
  return s.api('POST', '/api/payment/kakaopay/ready', { token, body: { ...ORDER_CONSENT, plan, ...extra } });
}

/** What the hosted page does when the user approves: returns the pg_token. */
async function authorize(tid: string): Promise<{ redirectUrl: string; pgToken: string }> {
  const r = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${tid}/authorize`, { action: 'approve', method: 'CARD' });
  return { redirectUrl: r.redirect_url, pgToken: new URL(r.redirect_url).searchParams.get('pg_token')! };
}

async function paymentRows() {
  return s.db.db.selectFrom('payments').selectAll().execute();
}

describe(`KakaoPay checkout end to end (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('lists the four plans from configuration', async () => {
    const r = await s.api('GET', '/api/plans');
    expect(r.status).toBe(200);
    expect(r.body.plans.map((p: any) => [p.id, p.price_krw, p.vat_krw])).toEqual([
      ['free', 0, 0],
      ['standard', 29000, 2636],
      ['premium', 59000, 5364],
      ['pro', 99000, 9000],
    ]);
    expect(r.body.plans[1].entitlements.auto_trading_monthly_limit_krw).toBe(5_000_000);
    expect(r.body.plans[3].entitlements.auto_trading_monthly_limit_krw).toBeNull();
    expect(r.body.methods.map((m: any) => m.id)).toContain('kakaopay');
  });

  it('sign-up → ready → approve on the sandbox → our approval URL → active for 30 days', async () => {
    const u = await s.signup();
    const before = Date.now();
    const r = await ready(u.token);
    expect(r.status).toBe(200);
    expect(r.body.tid).toMatch(/^T[0-9a-f]{19}$/);
    expect(r.body.amount_krw).toBe(29000);
    expect(r.body.payment_url).toContain(s.kakaopayUrl);
    expect(r.body.mobile_url).toContain('/mInfo');

    // The hosted page the browser is sent to renders.
    const page = await fetch(r.body.payment_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('29,000원');

    const { redirectUrl } = await authorize(r.body.tid);
    expect(redirectUrl.startsWith(`${s.url}/api/payment/kakaopay/return?payment_id=${r.body.payment_id}`)).toBe(true);
    // The browser follows the redirect with its session cookie.
    const back = await fetch(redirectUrl, { redirect: 'manual', headers: { cookie: `smts_session=${u.token}` } });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/payment/success?payment_id=${r.body.payment_id}&method=kakaopay`);

    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({
      plan: 'standard',
      is_active: true,
      auto_trading_enabled: true,
      entitlements: { auto_trading_monthly_limit_krw: 5_000_000, realtime_alerts: false },
    });
    const expire = Date.parse(st.body.expire_date);
    expect(expire - before).toBeGreaterThanOrEqual(30 * DAY);
    expect(expire - Date.now()).toBeLessThanOrEqual(30 * DAY);
    expect(Date.parse(st.body.current_period.end)).toBe(expire);

    const pay = await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token });
    expect(pay.body).toMatchObject({ status: 'approved', amount_krw: 29000, vat_krw: 2636, supply_krw: 26364, method_kind: 'card' });
  });

  it('approves through POST /approve with {tid, pg_token} and answers a repeat the same way', async () => {
    const u = await s.signup();
    const r = await ready(u.token, 'premium');
    const { pgToken } = await authorize(r.body.tid);
    const a1 = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a1.status).toBe(200);
    expect(a1.body.outcome).toBe('approved');
    expect(a1.body.subscription).toMatchObject({ plan: 'premium', is_active: true });
    const a2 = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a2.status).toBe(200);
    expect(a2.body.payment).toEqual(a1.body.payment);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('refuses a tampered amount with 400 and writes nothing', async () => {
    const u = await s.signup();
    const r = await ready(u.token, 'pro', { amount: 100 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('AMOUNT_MISMATCH');
    expect(r.body.error.details).toMatchObject({ expected_krw: 99000, received_krw: 100 });
    expect(await paymentRows()).toHaveLength(0);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).ready).toBe(0);
    // The right amount is accepted; the amount is still the server's.
    expect((await ready(u.token, 'pro', { amount: 99000 })).status).toBe(200);
  });

  it('refuses bad input with clear codes', async () => {
    const u = await s.signup();
    expect((await ready(u.token, 'gold')).body.error.code).toBe('UNKNOWN_PLAN');
    expect((await ready(u.token, 'free')).body.error.code).toBe('PLAN_NOT_PURCHASABLE');
    const m = await s.api('POST', '/api/payment/paypal/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    expect([m.status, m.body.error.code]).toEqual([400, 'UNKNOWN_PAYMENT_METHOD']);
    const v = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 42 } });
    expect([v.status, v.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const anon = await s.api('POST', '/api/payment/kakaopay/ready', { body: { ...ORDER_CONSENT, plan: 'standard' } });
    expect([anon.status, anon.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await paymentRows()).toHaveLength(0);
  });

  it("refuses to approve another user's tid", async () => {
    const owner = await s.signup();
    const thief = await s.signup();
    const r = await ready(owner.token);
    const { pgToken } = await authorize(r.body.tid);
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: thief.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.status).toBe(403);
    expect(a.body.error.code).toBe('FORBIDDEN');
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(0);
    const st = await s.api('GET', '/api/subscription/status', { token: thief.token });
    expect(st.body.is_active).toBe(false);
    // The owner can still approve.
    const ok = await s.api('POST', '/api/payment/kakaopay/approve', { token: owner.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(ok.body.outcome).toBe('approved');
  });

  it("refuses a tid that belongs to another of our payments", async () => {
    const u = await s.signup();
    const a = await ready(u.token);
    const b = await ready(u.token);
    const { pgToken } = await authorize(b.body.tid);
    const x = await s.api('POST', '/api/payment/kakaopay/approve', {
      token: u.token,
      body: { payment_id: a.body.payment_id, tid: b.body.tid, pg_token: pgToken },
    });
    expect([x.status, x.body.error.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(0);
  });

  it('50 concurrent approves of one payment: one approval, one 30-day extension, one answer', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const { pgToken } = await authorize(r.body.tid);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } }),
      ),
    );
    expect(results.map((x) => x.status)).toEqual(Array(50).fill(200));
    expect(new Set(results.map((x) => JSON.stringify(x.body.payment))).size).toBe(1);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
    const subs = await s.db.db.selectFrom('subscriptions').selectAll().execute();
    expect(subs).toHaveLength(1);
    const p = results[0].body.payment;
    expect(Date.parse(p.period_end) - Date.parse(p.period_start)).toBe(30 * DAY);
    expect(subs[0].current_period_end!.getTime()).toBe(Date.parse(p.period_end));
    const events = await s.db.db.selectFrom('payment_events').selectAll().where('to_status', '=', 'approved').execute();
    expect(events).toHaveLength(1);
  });

  it('a second paid period extends from the current end, not from today', async () => {
    const u = await s.signup();
    const first = await ready(u.token);
    const t1 = await authorize(first.body.tid);
    const a1 = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: first.body.tid, pg_token: t1.pgToken } });
    const end1 = Date.parse(a1.body.subscription.expire_date);
    const second = await ready(u.token);
    const t2 = await authorize(second.body.tid);
    const a2 = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: second.body.tid, pg_token: t2.pgToken } });
    expect(Date.parse(a2.body.payment.period_start)).toBe(end1);
    expect(Date.parse(a2.body.subscription.expire_date)).toBe(end1 + 30 * DAY);
  });

  it('buying another plan while one runs is refused (plan change is its own operation)', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const t = await authorize(r.body.tid);
    await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: t.pgToken } });
    const other = await ready(u.token, 'pro');
    expect([other.status, other.body.error.code]).toEqual([409, 'SUBSCRIPTION_STATE_CONFLICT']);
  });

  it('an expired tid is refused and the attempt abandoned', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const { pgToken } = await authorize(r.body.tid);
    await s.sandbox('kakaopay', 'POST', '/__sandbox/clock', { advance_ms: 16 * 60_000 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect([a.status, a.body.error.code]).toEqual([409, 'PAYMENT_EXPIRED']);
    const p = await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token });
    expect(p.body.status).toBe('abandoned');
    expect(p.body.failure_code).toBe('kakaopay:-723');
  });

  it.each([
    [-780, 402, 'PROVIDER_DECLINED', 'declined'],
    [-9798, 503, 'PROVIDER_UNAVAILABLE', 'ready'],
    [-401, 500, 'PROVIDER_CONFIG_INVALID', 'ready'],
  ])('KakaoPay error %i on approve → HTTP %i %s, payment %s', async (code, status, appCode, paymentStatus) => {
    const u = await s.signup();
    const r = await ready(u.token);
    const { pgToken } = await authorize(r.body.tid);
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', error_code: code });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect([a.status, a.body.error.code]).toEqual([status, appCode]);
    expect(a.body.error.details.provider_code).toBe(String(code));
    const p = await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token });
    expect(p.body.status).toBe(paymentStatus);
  });

  it('a timeout on approve leaves the payment unknown and the lookup settles it, never guessing', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const { pgToken } = await authorize(r.body.tid);
    // KakaoPay approves, but the answer arrives after our 700 ms timeout; the lookup is slow too.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'after', delay_ms: 1500 });
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'order', delay: 'before', delay_ms: 1500, count: 5 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.status).toBe(202);
    expect(a.body.outcome).toBe('pending');
    expect(a.body.payment.status).toBe('unknown');
    expect(a.body.subscription.is_active).toBe(false);
    await s.sandbox('kakaopay', 'DELETE', '/__sandbox/script');
    // The user (or the worker) comes back: the lookup finds the approval.
    const b = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(b.status).toBe(200);
    expect(b.body.outcome).toBe('approved');
    expect(b.body.subscription.is_active).toBe(true);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('the worker reconciles an unknown checkout payment later, without the user', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const { pgToken } = await authorize(r.body.tid);
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'after', delay_ms: 1500 });
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'order', delay: 'before', delay_ms: 1500, count: 5 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.body.payment.status).toBe('unknown');
    await s.sandbox('kakaopay', 'DELETE', '/__sandbox/script');
    // Not stale yet: the worker leaves it alone.
    await s.services.renewals.runOnce();
    expect((await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token })).body.status).toBe('unknown');
    s.services.clock.advance(6 * 60_000);
    await s.services.renewals.runOnce();
    const p = await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token });
    expect(p.body.status).toBe('approved');
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.is_active).toBe(true);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('user cancel and failure on the provider page land on our pages and close the attempt', async () => {
    const u = await s.signup();
    for (const [action, page, status] of [['cancel', 'cancel', 'abandoned'], ['fail', 'fail', 'declined']] as const) {
      const r = await ready(u.token);
      const x = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action });
      const back = await fetch(x.redirect_url, { redirect: 'manual', headers: { cookie: `smts_session=${u.token}` } });
      expect(back.headers.get('location')).toMatch(new RegExp(`^/payment/${page}\\?payment_id=${r.body.payment_id}`));
      const p = await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token });
      expect(p.body.status).toBe(status);
    }
  });

  it('replays a ready with the same Idempotency-Key and refuses the key with another body', async () => {
    const u = await s.signup();
    const h = { 'idempotency-key': 'ready-key-0001' };
    const a = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    const b = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await paymentRows()).toHaveLength(1);
    const c = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'pro' }, headers: h });
    expect([c.status, c.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('accounts', () => {
  it('logs in with the right password only, and rate-limits guessing', async () => {
    const u = await s.signup('limit@example.com');
    const ok = await s.api('POST', '/api/auth/login', { body: { email: 'limit@example.com', password: 'correct horse battery' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/smts_session=.*HttpOnly/);
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const r = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'wrong password' } });
      codes.push(r.body.error.code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(codes[5]).toBe('RATE_LIMITED');
    const dup = await s.api('POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email: 'LIMIT@example.com', password: 'another password' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'EMAIL_TAKEN']);
  });

  it('stores scrypt hashes, never the password', async () => {
    await s.signup('hash@example.com');
    const row = await s.db.db.selectFrom('users').selectAll().where('email', '=', 'hash@example.com').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('correct horse');
  });

  it('accepts a bearer JWT issued by the host application', async () => {
    const jwt = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('host-user-42')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('host-app-shared-secret-0123456789'));
    const st = await s.api('GET', '/api/subscription/status', { token: jwt });
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ plan: 'free', is_active: false, auto_trading_enabled: false });
    const r = await ready(jwt);
    expect(r.status).toBe(200);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(new TextEncoder().encode('wrong-secret-wrong-secret-000000'));
    expect((await s.api('GET', '/api/subscription/status', { token: forged })).status).toBe(401);
  });
});
