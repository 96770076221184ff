import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Issue 11 items 6 and 8: the money the browser shows comes from the API (quotes computed with
 * the operation's own rule and the test clock), and the operation given the quote charges or
 * refunds exactly the amount shown. Cancel-now inside the 7-day 청약철회 window points to
 * 청약철회 (full refund).
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });
const MIN = 60_000;

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function upgradeQuote(u: User, plan: string, method?: string) {
  const r = await h.api('GET', `/api/subscription/change/quote?plan=${plan}${method ? `&method=${method}` : ''}`, { token: u.token });
  expect(r.status).toBe(200);
  return r.body;
}

async function cancelQuote(u: User) {
  const r = await h.api('GET', '/api/subscription/cancel-now/quote', { token: u.token });
  expect(r.status).toBe(200);
  return r.body;
}

/** Pays a one-time checkout (a `/ready`-shaped answer) at the sandbox and approves it, as the browser would. */
async function pay(provider: Provider, u: User, paymentId: string, checkout: any) {
  let params: Record<string, string>;
  if (provider === 'kakaopay') {
    const tid = (await h.db.db.selectFrom('payments').select('checkout_ref').where('id', '=', paymentId).executeTakeFirstOrThrow()).checkout_ref!;
    const a = await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${tid}/authorize`, { action: 'approve', method: 'CARD' });
    params = { tid, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
  } else {
    const a = await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...checkout.create, ...checkout.open, action: 'approve' });
    params = Object.fromEntries(new URL(a.redirect_url).searchParams);
  }
  const r = await h.api('POST', `/api/payment/${provider}/approve`, { token: u.token, body: { ...params, payment_id: paymentId } });
  expect(r.status).toBe(200);
  return r.body;
}

async function payments(u: User) {
  return (await h.api('GET', '/api/payments', { token: u.token })).body.payments as any[];
}

describe.each<Provider>(['kakaopay', 'naverpay'])(`quotes with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('item 6: the upgrade charge equals the quote shown, though the clock moved while the user read it', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.advance(3 * DAY);
    const quote = await upgradeQuote(u, 'premium');
    // 59,000 − 29,000 for 27 of 30 days: floor(59,000 × 0.9) − floor(29,000 × 0.9).
    expect(quote).toMatchObject({ kind: 'upgrade', charge_krw: 27_000, remaining_days: 27, pays_with: 'billing_key', provider, next_charge_krw: 59_000 });
    expect(quote.proration).toMatchObject({ new_plan_krw: 53_100, credit_krw: 26_100, charge_krw: 27_000 });
    expect(Date.parse(quote.valid_until) - Date.parse(quote.quoted_at)).toBe(10 * MIN);

    // Ninety seconds later the same rule at "now" would charge a won less.
    await h.advance(90_000);
    expect((await upgradeQuote(u, 'premium')).charge_krw).toBe(26_999);
    const r = await h.api('POST', '/api/subscription/change', {
      token: u.token,
      body: { plan: 'premium', quote: { quoted_at: quote.quoted_at, charge_krw: quote.charge_krw } },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ change: 'upgraded', proration: { charge_krw: 27_000 }, payment: { amount_krw: 27_000, status: 'approved' } });
    expect((await payments(u)).find((p) => p.kind === 'upgrade')).toMatchObject({ amount_krw: 27_000, outcome: 'paid' });
  });

  it('item 6: an expired or outdated quote is refused and nothing is charged', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.advance(5 * DAY);
    const quote = await upgradeQuote(u, 'premium');
    await h.advance(11 * MIN);
    const late = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium', quote: { quoted_at: quote.quoted_at, charge_krw: quote.charge_krw } } });
    expect([late.status, late.body.error.code]).toEqual([409, 'QUOTE_EXPIRED']);

    // The period moves after the quote (another period bought): the charge would differ.
    const fresh = await upgradeQuote(u, 'premium');
    const ready = await h.api('POST', `/api/payment/${provider}/ready`, { token: u.token, body: { plan: 'standard', auto_renew: false } });
    await pay(provider, u, ready.body.payment_id, ready.body.checkout);
    const changed = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium', quote: { quoted_at: fresh.quoted_at, charge_krw: fresh.charge_krw } } });
    expect([changed.status, changed.body.error.code]).toEqual([409, 'QUOTE_CHANGED']);
    expect(changed.body.error.details.charge_krw).toBeGreaterThan(fresh.charge_krw);
    expect((await payments(u)).filter((p) => p.kind === 'upgrade')).toEqual([]);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body.plan).toBe('standard');
  });

  it('item 6: an upgrade paid through a checkout asks the provider for exactly the quoted amount', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    await h.advance(10 * DAY + 7 * MIN);
    const quote = await upgradeQuote(u, 'pro');
    expect(quote.pays_with).toBe('checkout');
    await h.advance(3 * MIN);
    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro', quote: { quoted_at: quote.quoted_at, charge_krw: quote.charge_krw } } });
    expect(r.body).toMatchObject({ change: 'checkout_required', payment: { amount_krw: quote.charge_krw } });
    const done = await pay(provider, u, r.body.payment_id, r.body.checkout);
    expect(done).toMatchObject({ outcome: 'approved', payment: { amount_krw: quote.charge_krw, status: 'approved' } });
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body.plan).toBe('pro');
  });

  it('item 6: the cancel-now refund equals the quote, even when a day boundary passes before the user confirms', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.advance(10 * DAY - 30_000);
    const quote = await cancelQuote(u);
    // 20 whole days left (and 30 s): floor(29,000 × 20 / 30).
    expect(quote).toMatchObject({ available: true, refund_krw: 19_333, recommended: 'cancel_now', withdrawals: [], withdrawal_krw: 0 });
    expect(quote.lines).toHaveLength(1);
    expect(quote.lines[0]).toMatchObject({ paid_krw: 29_000, remaining_days: 20, period_days: 30, refund_krw: 19_333 });
    await h.advance(MIN);
    expect((await cancelQuote(u)).refund_krw).toBe(18_366);
    const r = await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: { quote: { quoted_at: quote.quoted_at, refund_krw: quote.refund_krw } } });
    expect(r.status).toBe(200);
    expect(r.body.refunded_krw).toBe(19_333);
    expect((await payments(u))[0]).toMatchObject({ refunded_krw: 19_333, outcome: 'partially_refunded' });
    expect((await cancelQuote(u)).available).toBe(false);
  });

  it('item 6: a cancel-now quote that no longer matches is refused and nothing is refunded or cancelled', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.advance(12 * DAY);
    const quote = await cancelQuote(u);
    const r = await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: { quote: { quoted_at: quote.quoted_at, refund_krw: quote.refund_krw + 1 } } });
    expect([r.status, r.body.error.code]).toEqual([409, 'QUOTE_CHANGED']);
    await h.advance(11 * MIN);
    const late = await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: { quote: { quoted_at: quote.quoted_at, refund_krw: quote.refund_krw } } });
    expect([late.status, late.body.error.code]).toEqual([409, 'QUOTE_EXPIRED']);
    expect((await payments(u))[0].refunded_krw).toBe(0);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ is_active: true, plan: 'standard' });
  });

  it('item 8: within the 청약철회 window the cancel-now quote points to 청약철회 (full refund), until paid features are used', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    await h.advance(2 * DAY);
    const quote = await cancelQuote(u);
    // Cancel-now would keep two days' worth; 청약철회 gives everything back.
    expect(quote).toMatchObject({ refund_krw: 27_066, recommended: 'withdrawal', withdrawal_krw: 29_000 });
    expect(quote.withdrawals).toEqual([
      expect.objectContaining({ payment_id: first.payment.id, refundable_krw: 29_000, plan_name: '스탠다드', deadline: new Date(Date.parse(first.payment.approved_at) + 7 * DAY).toISOString() }),
    ]);

    // After a paid feature was used, 청약철회 no longer applies: cancel-now is the way.
    expect((await h.api('POST', '/api/usage', { token: u.token, body: { feature: 'auto_trading' } })).status).toBe(201);
    expect(await cancelQuote(u)).toMatchObject({ recommended: 'cancel_now', withdrawals: [], refund_krw: 27_066 });
  });

  it('item 8: following the quote to 청약철회 refunds the full amount', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    await h.advance(DAY);
    const quote = await cancelQuote(u);
    expect(quote.recommended).toBe('withdrawal');
    const r = await h.api('POST', `/api/payments/${quote.withdrawals[0].payment_id}/withdraw`, { token: u.token, body: {} });
    expect(r.status).toBe(201);
    expect(r.body.refund.amount_krw).toBe(quote.withdrawal_krw);
    expect((await payments(u)).find((p) => p.id === first.payment.id)).toMatchObject({ refunded_krw: 29_000, outcome: 'refunded' });
  });
});
