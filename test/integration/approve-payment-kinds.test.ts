import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

/**
 * Approval from the browser accepts only the payments a user starts (checkout, upgrade,
 * registration), and only with the provider reference bound to that payment: KakaoPay's tid
 * from ready; NaverPay's paymentId, which arrives with the return, from the first approval on.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });
const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

/** A renewal whose charge the provider did not process: it waits in `ready` for the next attempt. */
async function readyRenewal(provider: Provider): Promise<{ user: User; renewal: any }> {
  const user = await h.signup();
  await h.subscribe(provider, user);
  if (provider === 'kakaopay') await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', error_code: -9798, count: 1 });
  else await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'recurrent_pay_approve', code: 'BankCheckTime', message: '점검', count: 1 });
  await h.advance(30 * DAY + 60_000);
  const renewal = (await h.payments(user.userId)).find((p) => p.kind === 'renewal');
  expect(renewal?.status).toBe('ready');
  return { user, renewal };
}

async function claimEvents(paymentId: string) {
  return h.db.db.selectFrom('payment_events').selectAll().where('payment_id', '=', paymentId).where('to_status', '=', 'approving').execute();
}

describe(`browser approval accepts only user-started payments (${label})`, () => {
  it('KakaoPay: a renewal payment id with a foreign tid is refused before the provider is asked', async () => {
    const { user, renewal } = await readyRenewal('kakaopay');
    const before = (await h.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve;
    const claimsBefore = (await claimEvents(renewal.id)).length;
    const r = await h.api('POST', '/api/payment/kakaopay/approve', {
      token: user.token,
      body: { payment_id: renewal.id, tid: 'T0000000000000000001', pg_token: 'abcdef0123456789abcd' },
    });
    expect([r.status, r.body.error?.code]).toEqual([409, 'PAYMENT_NOT_APPROVABLE']);
    expect((await claimEvents(renewal.id)).length).toBe(claimsBefore);
    expect((await h.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(before);
    expect((await h.payments(user.userId)).find((p) => p.id === renewal.id)?.status).toBe('ready');
  });

  it('NaverPay: a renewal payment id with a foreign paymentId is refused before the provider is asked', async () => {
    const { user, renewal } = await readyRenewal('naverpay');
    const claimsBefore = (await claimEvents(renewal.id)).length;
    const r = await h.api('POST', '/api/payment/naverpay/approve', {
      token: user.token,
      body: { payment_id: renewal.id, paymentId: '20260101NP1234567890' },
    });
    expect([r.status, r.body.error?.code]).toEqual([409, 'PAYMENT_NOT_APPROVABLE']);
    expect((await claimEvents(renewal.id)).length).toBe(claimsBefore);
    expect((await h.payments(user.userId)).find((p) => p.id === renewal.id)?.status).toBe('ready');
  });

  it('a cancel or fail return for a renewal payment does not close it', async () => {
    const { user, renewal } = await readyRenewal('kakaopay');
    for (const outcome of ['cancel', 'fail']) {
      const ret = await h.api('GET', `/api/payment/kakaopay/return?payment_id=${renewal.id}&outcome=${outcome}`, { token: user.token });
      expect(ret.status).toBe(303);
    }
    expect((await h.payments(user.userId)).find((p) => p.id === renewal.id)?.status).toBe('ready');
  });

  it('KakaoPay: a checkout approves only with the tid it got at ready', async () => {
    const user = await h.signup();
    const a = await h.api('POST', '/api/payment/kakaopay/ready', { token: user.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const tid = (await h.payments(user.userId))[0].checkout_ref as string;
    const auth = await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${tid}/authorize`, { action: 'approve', method: 'CARD' });
    const pgToken = new URL(auth.redirect_url).searchParams.get('pg_token')!;
    const forged = await h.api('POST', '/api/payment/kakaopay/approve', {
      token: user.token,
      body: { payment_id: a.body.payment_id, tid: 'T9999999999999999999', pg_token: pgToken },
    });
    expect([forged.status, forged.body.error?.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    expect((await h.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(0);
    const ok = await h.api('POST', '/api/payment/kakaopay/approve', { token: user.token, body: { payment_id: a.body.payment_id, pg_token: pgToken } });
    expect([ok.status, ok.body.outcome]).toEqual([200, 'approved']);
  });

  it('NaverPay: once an approval bound a paymentId, another paymentId is refused', async () => {
    const user = await h.signup();
    const a = await h.api('POST', '/api/payment/naverpay/ready', { token: user.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    expect(a.status).toBe(200);
    const auth = await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...a.body.checkout.create, ...a.body.checkout.open, action: 'approve' });
    const paymentId = new URL(auth.redirect_url).searchParams.get('paymentId')!;
    // NaverPay answers 503 (maintenance) to the first approval: nothing processed, the payment
    // is ready again with this paymentId bound.
    await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', http_status: 503, count: 5 });
    const first = await h.api('POST', '/api/payment/naverpay/approve', { token: user.token, body: { payment_id: a.body.payment_id, paymentId } });
    expect(first.status).toBe(503);
    await h.sandbox('naverpay', 'DELETE', '/__sandbox/script');
    const bound = (await h.payments(user.userId)).find((p) => p.id === a.body.payment_id);
    expect([bound?.status, bound?.provider_ref]).toEqual(['ready', paymentId]);
    const other = await h.api('POST', '/api/payment/naverpay/approve', {
      token: user.token,
      body: { payment_id: a.body.payment_id, paymentId: '20260101NP0000000001' },
    });
    expect([other.status, other.body.error?.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    const ok = await h.api('POST', '/api/payment/naverpay/approve', { token: user.token, body: { payment_id: a.body.payment_id, paymentId } });
    expect([ok.status, ok.body.outcome]).toEqual([200, 'approved']);
  });
});

describe(`a retry after a refusal NaverPay did not process (${label})`, () => {
  it('approves with a fresh idempotency key: NaverPay replays a stored failure for the same key', async () => {
    const user = await h.signup();
    const a = await h.api('POST', '/api/payment/naverpay/ready', { token: user.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const auth = await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...a.body.checkout.create, ...a.body.checkout.open, action: 'approve' });
    const paymentId = new URL(auth.redirect_url).searchParams.get('paymentId')!;
    await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', code: 'MaintenanceOngoing', message: '점검', count: 1 });
    const first = await h.api('POST', '/api/payment/naverpay/approve', { token: user.token, body: { payment_id: a.body.payment_id, paymentId } });
    expect([first.status, first.body.error?.code]).toEqual([503, 'PROVIDER_UNAVAILABLE']);
    const again = await h.api('POST', '/api/payment/naverpay/approve', { token: user.token, body: { payment_id: a.body.payment_id, paymentId } });
    expect([again.status, again.body.outcome]).toEqual([200, 'approved']);
    expect((await h.sandbox('naverpay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });
});
