import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Issue 9, item 14: an approval the provider commits after our approve call timed out must
// not be lost. The first lookup (right after the timeout) still sees "not approved"; the
// payment must stay on the reconciliation schedule until the provider's answer is final.

const DAY = 86_400_000;
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack({ env: { KAKAOPAY_TIMEOUT_MS: '700', NAVERPAY_APPROVE_TIMEOUT_MS: '700' } });
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

async function waitFor(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function paymentOf(id: string) {
  return s.db.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Runs reconciliation ticks with our clock moved forward, as the worker would over the next hour. */
async function reconcileForAnHour() {
  for (let i = 0; i < 12; i++) {
    s.services.clock.advance(5 * 60_000);
    await s.services.renewals.runOnce();
  }
}

async function expectPaidOnce(userToken: string, paymentId: string) {
  const p = await paymentOf(paymentId);
  expect(p.status).toBe('approved');
  const st = await s.api('GET', '/api/subscription/status', { token: userToken });
  expect(st.body).toMatchObject({ plan: 'standard', is_active: true });
  expect(p.period_end!.getTime() - p.period_start!.getTime()).toBe(30 * DAY);
  expect(Date.parse(st.body.expire_date)).toBe(p.period_end!.getTime());
  const approvedEvents = await s.db.db
    .selectFrom('payment_events')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .where('to_status', '=', 'approved')
    .execute();
  expect(approvedEvents).toHaveLength(1);
  const paid = await s.db.db.selectFrom('subscription_events').selectAll().where('type', '=', 'period_paid').execute();
  expect(paid.length).toBeLessThanOrEqual(1);
}

describe(`late provider approvals are reconciled (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('KakaoPay: approve times out, KakaoPay approves later; reconciliation settles it exactly once', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve', method: 'CARD' });
    const pgToken = new URL(auth.redirect_url).searchParams.get('pg_token')!;
    // KakaoPay holds the approve for 1.5 s, then commits it: our 700 ms call has given up by then.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'before', delay_ms: 1500 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.status).toBe(202);
    expect(a.body.outcome).toBe('pending');
    expect(a.body.subscription.is_active).toBe(false);
    await waitFor(async () => (await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve === 1);

    await reconcileForAnHour();
    await expectPaidOnce(u.token, r.body.payment_id);
    expect((await paymentOf(r.body.payment_id)).next_lookup_at).toBeNull();
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('NaverPay: approve times out (retries get AlreadyOnGoing), NaverPay approves later; settled exactly once', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const auth = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.body.checkout.create, ...r.body.checkout.open, action: 'approve' });
    const paymentId = new URL(auth.redirect_url).searchParams.get('paymentId')!;
    await s.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'before', delay_ms: 3000 });
    const a = await s.api('POST', '/api/payment/naverpay/approve', { token: u.token, body: { payment_id: r.body.payment_id, paymentId } });
    expect(a.status).toBe(202);
    expect(a.body.outcome).toBe('pending');
    await waitFor(async () => (await s.sandbox('naverpay', 'GET', '/__sandbox/stats')).approve === 1);

    await reconcileForAnHour();
    await expectPaidOnce(u.token, r.body.payment_id);
    expect((await s.sandbox('naverpay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('the user coming back while the payment waits for its lookup gets it settled once, and the worker adds nothing', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve', method: 'CARD' });
    const pgToken = new URL(auth.redirect_url).searchParams.get('pg_token')!;
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'before', delay_ms: 1500 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.status).toBe(202);
    await waitFor(async () => (await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve === 1);
    // The user retries and the worker runs at the same time.
    const [b] = await Promise.all([
      s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } }),
      (async () => {
        s.services.clock.advance(5 * 60_000);
        await s.services.renewals.runOnce();
      })(),
    ]);
    expect(b.status).toBe(200);
    expect(b.body.outcome).toBe('approved');
    await reconcileForAnHour();
    await expectPaidOnce(u.token, r.body.payment_id);
  });

  it('a checkout sent for approval that the provider never approves ends abandoned once the tid expires', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve', method: 'CARD' });
    const pgToken = new URL(auth.redirect_url).searchParams.get('pg_token')!;
    // Unreachable: KakaoPay answers 503 (-9798): nothing was processed.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', error_code: -9798 });
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { tid: r.body.tid, pg_token: pgToken } });
    expect(a.status).toBe(503);
    expect((await paymentOf(r.body.payment_id)).status).toBe('ready');
    await reconcileForAnHour();
    expect((await paymentOf(r.body.payment_id)).status).toBe('ready');
    // The tid expires at KakaoPay (15 min on its clock): the lookup's answer is final.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/clock', { advance_ms: 16 * 60_000 });
    await reconcileForAnHour();
    const p = await paymentOf(r.body.payment_id);
    expect(p.status).toBe('abandoned');
    expect(p.next_lookup_at).toBeNull();
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(0);
  });

  it('NaverPay: a checkout it never approved stays looked up (not found) until the horizon, then ends abandoned', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const auth = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.body.checkout.create, ...r.body.checkout.open, action: 'approve' });
    const paymentId = new URL(auth.redirect_url).searchParams.get('paymentId')!;
    // Maintenance: every attempt is answered 503 and nothing is processed.
    await s.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', http_status: 503, count: 3 });
    const a = await s.api('POST', '/api/payment/naverpay/approve', { token: u.token, body: { payment_id: r.body.payment_id, paymentId } });
    expect(a.status).toBe(503);
    expect((await paymentOf(r.body.payment_id)).status).toBe('ready');
    await reconcileForAnHour();
    const waiting = await paymentOf(r.body.payment_id);
    expect(waiting.status).toBe('ready');
    expect(waiting.next_lookup_at).not.toBeNull();
    expect(waiting.lookup_attempts).toBeGreaterThan(0);
    s.services.clock.advance(24 * 60 * 60_000);
    await s.services.renewals.runOnce();
    const p = await paymentOf(r.body.payment_id);
    expect([p.status, p.failure_code, p.next_lookup_at]).toEqual(['abandoned', 'lookup_expired', null]);
  });
});
