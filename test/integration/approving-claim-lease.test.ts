import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { APPROVING_CLAIM_MS, lookupAfterClaim } from '../../src/domain/payment/payment-lookup.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Found by the chaos run (issue 12): the API process killed while it approved a checkout left
// the payment `approving`. For the next 5 minutes the user's approve answered 202 and a new
// checkout 409 PAYMENT_IN_PROGRESS, until the worker's lookup. The claim is now a lease that its
// request renews while it calls the provider; a claim past its lease belongs to nobody, and the
// user's next approve asks the provider at once (never approving twice).

let s: TestStack;

beforeAll(async () => {
  s = await startTestStack({ env: { APPROVE_WAIT_MS: '300' } });
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

const paymentOf = (id: string) => s.db.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** What a request does before it calls the provider: claims the approval (and then dies). */
async function claimAndDie(paymentId: string) {
  const now = s.services.clock.now();
  const claimed = await s.services.ctx.repo.transitionPayment(paymentId, 'ready', 'approving', now, { nextLookupAt: lookupAfterClaim(now) });
  expect(claimed?.status).toBe('approving');
}

describe(`an approval claim left by a dead request (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('KakaoPay: approved at the provider by the dead request; the user retry after the lease settles it once', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve' });
    await claimAndDie(r.body.payment_id);
    // The dead request's approve reached KakaoPay.
    const wire = await fetch(`${s.kakaopayUrl}/online/v1/payment/approve`, {
      method: 'POST',
      headers: { authorization: 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET', 'content-type': 'application/json' },
      body: JSON.stringify({ cid: 'TC0ONETIME', tid: r.body.tid, partner_order_id: r.body.payment_id, partner_user_id: u.userId, pg_token: auth.pg_token }),
    });
    expect(wire.status).toBe(200);
    const body = { tid: r.body.tid, pg_token: auth.pg_token };

    // Within the lease the claim may still be live: the retry waits, then answers pending.
    const early = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body });
    expect([early.status, early.body.outcome]).toEqual([202, 'pending']);

    s.services.clock.advance(APPROVING_CLAIM_MS + 1000);
    const late = await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body });
    expect([late.status, late.body.outcome]).toEqual([200, 'approved']);
    expect(late.body.subscription).toMatchObject({ plan: 'standard', is_active: true });
    expect((await paymentOf(r.body.payment_id)).next_lookup_at).toBeNull();
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).approve).toBe(1);
  });

  it('NaverPay: the dead request never reached the provider; after the lease the retry approves, and a new checkout is allowed', async () => {
    const u = await s.signup();
    const r = await s.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const auth = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.body.checkout.create, ...r.body.checkout.open, action: 'approve' });
    const paymentId = new URL(auth.redirect_url).searchParams.get('paymentId')!;
    await claimAndDie(r.body.payment_id);
    const blocked = await s.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    expect([blocked.status, blocked.body.error.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);

    s.services.clock.advance(APPROVING_CLAIM_MS + 1000);
    const late = await s.api('POST', '/api/payment/naverpay/approve', { token: u.token, body: { payment_id: r.body.payment_id, paymentId } });
    expect([late.status, late.body.outcome]).toEqual([200, 'approved']);
    expect((await s.sandbox('naverpay', 'GET', '/__sandbox/stats')).approve).toBe(1);
    const next = await s.api('POST', '/api/payment/naverpay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    expect(next.status).toBe(200);
  });
});
