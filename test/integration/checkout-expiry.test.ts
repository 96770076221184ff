import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { krw } from '../../src/domain/money.ts';
import { startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Issue 11 item 5: a checkout the user abandoned at the provider expires after the provider's
 * lifetime (KAKAOPAY_TID_LIFETIME_MS 15 min, NAVERPAY_CHECKOUT_LIFETIME_MS 30 min by default)
 * through the worker's job runner; a checkout whose approval may have reached the provider is
 * looked up first, never guessed. 결제 내역 tells the attempts apart (`outcome`).
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });
const MIN = 60_000;
const LIFETIME: Record<Provider, number> = { kakaopay: 15 * MIN, naverpay: 30 * MIN };

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function ready(provider: Provider, u: User, plan = 'standard') {
  const r = await h.api('POST', `/api/payment/${provider}/ready`, { token: u.token, body: { plan, auto_renew: false } });
  expect(r.status).toBe(200);
  return r.body as { payment_id: string; checkout: any };
}

async function row(id: string) {
  return h.db.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Authorizes a one-time checkout at the sandbox and approves it, as the browser would. */
async function pay(provider: Provider, u: User, r: { payment_id: string; checkout: any }): Promise<string> {
  let params: Record<string, string>;
  if (provider === 'kakaopay') {
    const tid = (await row(r.payment_id)).checkout_ref!;
    const a = await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${tid}/authorize`, { action: 'approve', method: 'CARD' });
    params = { tid, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
  } else {
    const a = await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.checkout.create, ...r.checkout.open, action: 'approve' });
    params = Object.fromEntries(new URL(a.redirect_url).searchParams);
  }
  const res = await h.api('POST', `/api/payment/${provider}/approve`, { token: u.token, body: { ...params, payment_id: r.payment_id } });
  return res.body.outcome;
}

async function listed(u: User, id: string) {
  const r = await h.api('GET', '/api/payments', { token: u.token });
  return (r.body.payments as any[]).find((p) => p.id === id);
}

describe.each<Provider>(['kakaopay', 'naverpay'])(`checkout expiry with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('an abandoned checkout stays pending within the provider lifetime, then expires and frees the open-checkout slot', async () => {
    const u = await h.signup();
    const first = await ready(provider, u);
    expect(await listed(u, first.payment_id)).toMatchObject({ status: 'ready', outcome: 'pending' });

    await h.advance(LIFETIME[provider] - 2 * MIN);
    expect((await row(first.payment_id)).status).toBe('ready');

    // Past the lifetime and the minute of slack: the worker's tick closes it.
    await h.advance(4 * MIN);
    const expired = await row(first.payment_id);
    expect(expired).toMatchObject({ status: 'abandoned', failure_code: 'checkout_expired', approved_at: null });
    expect(await listed(u, first.payment_id)).toMatchObject({ status: 'abandoned', outcome: 'expired' });
    // No approval was ever sent: closed without asking the provider.
    const events = await h.db.db.selectFrom('payment_events').selectAll().where('payment_id', '=', first.payment_id).execute();
    expect(events.map((e) => [e.type, e.to_status])).toContainEqual(['expired', 'abandoned']);
    expect(events.find((e) => e.type === 'expired')!.data).toMatchObject({ approval_sent: false, lifetime_ms: LIFETIME[provider] });

    // The slot is free: nothing open for the user, and a new checkout does not supersede the expired one.
    expect(await h.services.ctx.repo.findOpenCheckouts(u.userId)).toEqual([]);
    const second = await ready(provider, u);
    expect((await row(first.payment_id)).failure_code).toBe('checkout_expired');
    expect(await pay(provider, u, second)).toBe('approved');
    // An expired attempt is never approvable afterwards.
    const late = await h.api('POST', `/api/payment/${provider}/approve`, { token: u.token, body: { payment_id: first.payment_id, tid: 'x', pg_token: 'x', paymentId: 'x' } });
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect((await row(first.payment_id)).status).toBe('abandoned');
  });

  it('a checkout whose approval reached the provider is looked up at expiry and settled as paid, not expired', async () => {
    const u = await h.signup();
    const r = await ready(provider, u);
    const paymentId = r.payment_id;
    // The user authorizes at the provider, and our approval reaches it, but its answer and the
    // lookup schedule were lost (only the claim's audit row is left).
    let providerRef: string;
    let approvalToken: string | null = null;
    if (provider === 'kakaopay') {
      providerRef = (await row(paymentId)).checkout_ref!;
      const a = await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${providerRef}/authorize`, { action: 'approve', method: 'CARD' });
      approvalToken = new URL(a.redirect_url).searchParams.get('pg_token');
    } else {
      const a = await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.checkout.create, ...r.checkout.open, action: 'approve' });
      providerRef = new URL(a.redirect_url).searchParams.get('paymentId')!;
    }
    await h.services.gateways.get(provider)!.approveCheckout({
      paymentId,
      userRef: u.userId,
      providerRef,
      approvalToken,
      amountKrw: krw(29_000),
      recurring: false,
      idempotencyKey: `approve-${paymentId}`,
    });
    await h.db.db
      .insertInto('payment_events')
      .values({ payment_id: paymentId, type: 'transition', from_status: 'ready', to_status: 'approving', data: null, created_at: h.now() })
      .execute();

    await h.advance(LIFETIME[provider] + 2 * MIN);
    const settled = await row(paymentId);
    expect(settled.status).toBe('approved');
    expect(settled.failure_code).toBeNull();
    expect(await listed(u, paymentId)).toMatchObject({ outcome: 'paid', amount_krw: 29_000 });
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ plan: 'standard', is_active: true });
  });

  it('결제 내역 tells cancelled and superseded attempts apart from payments', async () => {
    const u = await h.signup();
    const a = await ready(provider, u);
    const b = await ready(provider, u, 'premium');
    expect(await listed(u, a.payment_id)).toMatchObject({ status: 'abandoned', outcome: 'superseded' });
    // The user cancels at the provider (the provider agrees: nothing approved).
    if (provider === 'kakaopay') await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${(await row(b.payment_id)).checkout_ref}/authorize`, { action: 'cancel' });
    const cancel = await h.api('GET', `/api/payment/${provider}/return?payment_id=${b.payment_id}&outcome=cancel`, { token: u.token });
    expect(cancel.status).toBe(303);
    expect(await listed(u, b.payment_id)).toMatchObject({ status: 'abandoned', outcome: 'canceled', amount_krw: 59_000 });
  });
});
