import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { kakaoCheckout } from '../helpers/refund-fixtures.ts';
import { ORDER_CONSENT, SIGNUP_CONSENTS } from '../helpers/consents.ts';

let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

/** A cookie-authenticated POST as a browser would send it, with the given fetch metadata. */
async function cookiePost(path: string, token: string, headers: Record<string, string>) {
  const res = await fetch(s.url + path, {
    method: 'POST',
    // What an HTML form can send: no preflight, no custom headers.
    headers: { cookie: `smts_session=${token}`, 'content-type': 'text/plain', ...headers },
    body: '',
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const status = async (token: string) => (await s.api('GET', '/api/subscription/status', { token })).body;

describe(`CSRF: cookie-authenticated state changes (${db})`, () => {
  // Another port on the same host is same-site: SameSite=Lax does not stop its form POSTs.
  const evil = () => ({ origin: `http://127.0.0.1:${Number(new URL(s.url).port) + 1}`, 'sec-fetch-site': 'same-site' });

  it('refuses cancel, cancel-now and withdraw from another origin and changes nothing', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token, 'standard', true);
    const before = await status(u.token);
    expect(before).toMatchObject({ is_active: true, auto_renew: true });

    for (const path of ['/api/subscription/cancel', '/api/subscription/cancel-now', `/api/payments/${paymentId}/withdraw`]) {
      const r = await cookiePost(path, u.token, evil());
      expect([path, r.status, r.body?.error?.code]).toEqual([path, 403, 'CSRF_REJECTED']);
    }
    // No Origin and no fetch metadata (an old browser, or a stripped header): refused too.
    const bare = await cookiePost('/api/subscription/cancel', u.token, {});
    expect([bare.status, bare.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
    // Origin "null" (sandboxed iframe, data: URL) is not ours.
    const nul = await cookiePost('/api/subscription/cancel', u.token, { origin: 'null' });
    expect(nul.status).toBe(403);

    expect(await status(u.token)).toEqual(before);
    const p = await s.api('GET', `/api/payments/${paymentId}`, { token: u.token });
    expect(p.body).toMatchObject({ status: 'approved', refunded_krw: 0 });
  });

  it('accepts the same request from our own origin, and Bearer calls from anywhere', async () => {
    const u = await s.signup();
    await kakaoCheckout(s, u.token, 'standard', true);
    // Our own page: the browser sends Origin on fetch POSTs.
    const own = await cookiePost('/api/subscription/cancel', u.token, { origin: new URL(s.url).origin });
    expect(own.status).toBe(200);
    expect(own.body.changed).toBe(true);
    // PUBLIC_URL is a loopback address: the other loopback names of the same port are the same server.
    const alias = await cookiePost('/api/subscription/resume', u.token, { origin: `http://localhost:${new URL(s.url).port}` });
    expect(alias.status).not.toBe(403);
    // No Origin but the browser says same-origin.
    const meta = await cookiePost('/api/subscription/resume', u.token, { 'sec-fetch-site': 'same-origin' });
    expect(meta.status).not.toBe(403);

    // A Bearer token cannot be attached by a foreign page: no Origin rule applies.
    const v = await s.signup();
    await kakaoCheckout(s, v.token, 'standard', true);
    const bearer = await s.api('POST', '/api/subscription/cancel', { token: v.token, body: {}, headers: evil() });
    expect(bearer.status).toBe(200);
  });

  it('does not apply to requests without our session cookie (sign-up, log-in)', async () => {
    const r = await s.api('POST', '/api/auth/signup', {
      body: { ...SIGNUP_CONSENTS, email: 'nocookie@example.com', password: 'correct horse battery' },
      headers: { origin: 'http://elsewhere.example' },
    });
    expect(r.status).toBe(201);
  });
});

describe(`payment return URL with outcome=cancel (${db})`, () => {
  async function kakaoReady(token: string) {
    const r = await s.api('POST', '/api/payment/kakaopay/ready', { token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    expect(r.status).toBe(200);
    return r.body as { payment_id: string; tid: string };
  }
  const paymentStatus = async (token: string, id: string) => (await s.api('GET', `/api/payments/${id}`, { token })).body.status;
  const visit = (path: string, token?: string) =>
    fetch(s.url + path, { redirect: 'manual', headers: token ? { cookie: `smts_session=${token}` } : {} });

  it('without the session: does not abandon the payment', async () => {
    const u = await s.signup();
    const r = await kakaoReady(u.token);
    const back = await visit(`/api/payment/kakaopay/return?payment_id=${r.payment_id}&outcome=cancel`);
    expect(back.status).toBe(303);
    expect(await paymentStatus(u.token, r.payment_id)).toBe('ready');
  });

  it("with the owner's session but no cancel at the provider: does not abandon, and the user can still pay", async () => {
    const u = await s.signup();
    const r = await kakaoReady(u.token);
    // The victim's browser is made to load our cancel URL while the checkout is open at KakaoPay.
    for (const outcome of ['cancel', 'fail']) {
      const back = await visit(`/api/payment/kakaopay/return?payment_id=${r.payment_id}&outcome=${outcome}`, u.token);
      expect(back.status).toBe(303);
      expect(await paymentStatus(u.token, r.payment_id)).toBe('ready');
    }
    // The user authorizes at KakaoPay (not yet approved by us): still no cancel signal.
    const x = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.tid}/authorize`, { action: 'approve', method: 'CARD' });
    await visit(`/api/payment/kakaopay/return?payment_id=${r.payment_id}&outcome=cancel`, u.token);
    expect(await paymentStatus(u.token, r.payment_id)).toBe('ready');
    // The genuine return completes the payment.
    const ok = await visit(new URL(x.redirect_url).pathname + new URL(x.redirect_url).search, u.token);
    expect(ok.headers.get('location')).toMatch(/^\/payment\/success\?/);
    expect(await paymentStatus(u.token, r.payment_id)).toBe('approved');
  });

  it("another user's session cannot close the payment", async () => {
    const u = await s.signup();
    const other = await s.signup();
    const r = await kakaoReady(u.token);
    await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.tid}/authorize`, { action: 'cancel' });
    const back = await visit(`/api/payment/kakaopay/return?payment_id=${r.payment_id}&outcome=cancel`, other.token);
    expect(back.headers.get('location')).toMatch(/code=FORBIDDEN/);
    expect(await paymentStatus(u.token, r.payment_id)).toBe('ready');
  });

  it('abandons when the provider confirms the cancel (the real flow)', async () => {
    const u = await s.signup();
    const r = await kakaoReady(u.token);
    const x = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.tid}/authorize`, { action: 'cancel' });
    const back = await fetch(x.redirect_url, { redirect: 'manual', headers: { cookie: `smts_session=${u.token}` } });
    expect(back.headers.get('location')).toMatch(/^\/payment\/cancel\?/);
    expect(await paymentStatus(u.token, r.payment_id)).toBe('abandoned');
  });
});
