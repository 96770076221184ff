import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

const DAY = 86_400_000;
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

async function ready(token: string, plan = 'standard', autoRenew = false) {
  return s.api('POST', '/api/payment/naverpay/ready', { token, body: { ...ORDER_CONSENT, plan, auto_renew: autoRenew } });
}

/** The browser runs the SDK and the user decides on NaverPay's page. */
async function authorizeSdk(checkout: any, action = 'approve'): Promise<string> {
  const r = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...checkout.create, ...checkout.open, action });
  return r.redirect_url;
}

async function follow(url: string, token: string) {
  return fetch(url, { redirect: 'manual', headers: { cookie: `smts_session=${token}` } });
}

describe(`NaverPay checkout end to end (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('SDK flow: ready gives the browser what opens the NaverPay window; return URL approves', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    expect(r.status).toBe(200);
    expect(r.body.checkout.style).toBe('sdk');
    expect(r.body.checkout.sdkUrl).toBe(`${s.naverpayUrl}/sdk/js/naverpay.min.js`);
    expect(r.body.checkout.open).toMatchObject({ merchantPayKey: r.body.payment_id, totalPayAmount: 29000 });
    expect(r.body.checkout.open.returnUrl).toContain(`/api/payment/naverpay/return?payment_id=${r.body.payment_id}`);
    const redirect = await authorizeSdk(r.body.checkout);
    expect(new URL(redirect).searchParams.get('resultCode')).toBe('Success');
    const back = await follow(redirect, u.token);
    expect(back.headers.get('location')).toBe(`/payment/success?payment_id=${r.body.payment_id}&method=naverpay`);
    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.body).toMatchObject({ plan: 'standard', is_active: true, auto_trading_enabled: true, provider: 'naverpay' });
    expect(Date.parse(st.body.expire_date) - Date.now()).toBeGreaterThan(30 * DAY - 60_000);
  });

  it('POST /approve {payment_id, paymentId}: owner only, once under concurrency, same answer', async () => {
    const owner = await s.signup();
    const other = await s.signup();
    const r = await ready(owner.token, 'premium');
    const paymentId = new URL(await authorizeSdk(r.body.checkout)).searchParams.get('paymentId')!;
    const denied = await s.api('POST', '/api/payment/naverpay/approve', { token: other.token, body: { payment_id: r.body.payment_id, paymentId } });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        s.api('POST', '/api/payment/naverpay/approve', { token: owner.token, body: { payment_id: r.body.payment_id, paymentId } }),
      ),
    );
    expect(all.map((x) => x.status)).toEqual(Array(20).fill(200));
    expect(new Set(all.map((x) => JSON.stringify(x.body.payment))).size).toBe(1);
    const stats = await s.sandbox('naverpay', 'GET', '/__sandbox/stats');
    expect(stats.approve).toBe(1);
    expect(all[0].body.subscription).toMatchObject({ plan: 'premium', is_active: true });
    expect(all[0].body.payment).toMatchObject({ status: 'approved', amount_krw: 59000, vat_krw: 5364, provider: 'naverpay' });
  });

  it('reserve flow (server-side reserve) is selectable and ends the same way', async () => {
    const r = await startTestStackWith({ NAVERPAY_CHECKOUT_FLOW: 'reserve' }, async (t) => {
      const u = await t.signup();
      const x = await t.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'pro', auto_renew: false } });
      expect(x.body.checkout.style).toBe('redirect');
      expect(x.body.checkout.redirect_url).toMatch(new RegExp(`^${t.naverpayUrl}/payments/`));
      const reserveId = decodeURIComponent(new URL(x.body.checkout.redirect_url).pathname.split('/').pop()!);
      const a = await t.sandbox('naverpay', 'POST', `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, { action: 'approve' });
      await follow(a.redirect_url, u.token);
      return (await t.api('GET', '/api/subscription/status', { token: u.token })).body;
    });
    expect(r).toMatchObject({ plan: 'pro', is_active: true });
  });

  it('auto-renew: recurrent registration, first period charged, billing key kept', async () => {
    const u = await s.signup();
    const r = await ready(u.token, 'standard', true);
    expect(r.body.auto_renew).toBe(true);
    expect(r.body.checkout.style).toBe('redirect');
    const reserveId = decodeURIComponent(new URL(r.body.checkout.redirect_url).pathname.split('/').pop()!);
    const a = await s.sandbox('naverpay', 'POST', `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, { action: 'approve' });
    const back = await follow(a.redirect_url, u.token);
    expect(back.headers.get('location')).toMatch(/^\/payment\/success/);
    const sub = await s.db.db.selectFrom('subscriptions').selectAll().executeTakeFirstOrThrow();
    expect(sub.auto_renew).toBe(true);
    expect(sub.billing_key).toBeTruthy();
    const stats = await s.sandbox('naverpay', 'GET', '/__sandbox/stats');
    expect(Object.values(stats.charges_by_recurrent_id)).toEqual([1]);
  });

  it('user cancel and OwnerAuthFail land on the cancel and fail pages', async () => {
    const u = await s.signup();
    for (const [action, page, status] of [['cancel', 'cancel', 'abandoned'], ['fail', 'fail', 'declined']] as const) {
      const r = await ready(u.token);
      const back = await follow(await authorizeSdk(r.body.checkout, action), u.token);
      expect(back.headers.get('location')).toMatch(new RegExp(`^/payment/${page}\\?payment_id=${r.body.payment_id}`));
      expect((await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token })).body.status).toBe(status);
    }
  });

  it('a decline (NotEnoughAccountBalance) is mapped and the payment declined', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const redirect = await authorizeSdk(r.body.checkout);
    await s.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', code: 'NotEnoughAccountBalance', message: '잔액 부족' });
    const back = await follow(redirect, u.token);
    expect(back.headers.get('location')).toMatch(/^\/payment\/fail\?.*code=PROVIDER_DECLINED/);
    expect((await s.api('GET', `/api/payments/${r.body.payment_id}`, { token: u.token })).body.status).toBe('declined');
  });

  it('the approval window (10 minutes) expiring abandons the attempt', async () => {
    const u = await s.signup();
    const r = await ready(u.token);
    const redirect = await authorizeSdk(r.body.checkout);
    await s.sandbox('naverpay', 'POST', '/__sandbox/clock', { advance_ms: 11 * 60_000 });
    const paymentId = new URL(redirect).searchParams.get('paymentId')!;
    const a = await s.api('POST', '/api/payment/naverpay/approve', { token: u.token, body: { payment_id: r.body.payment_id, paymentId } });
    expect([a.status, a.body.error.code]).toEqual([409, 'PAYMENT_EXPIRED']);
  });

  it('unknown methods get 400 UNKNOWN_PAYMENT_METHOD, the same for approve', async () => {
    const u = await s.signup();
    for (const path of ['/api/payment/tosspay/ready', '/api/payment/__proto__/ready', '/api/payment/tosspay/approve']) {
      const r = await s.api('POST', path, { token: u.token, body: { plan: 'standard', payment_id: 'pay_x' } });
      expect([r.status, r.body.error.code]).toEqual([400, 'UNKNOWN_PAYMENT_METHOD']);
    }
  });
});

async function startTestStackWith<T>(env: Record<string, string>, fn: (t: TestStack) => Promise<T>): Promise<T> {
  const t = await startTestStack({ env });
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}
