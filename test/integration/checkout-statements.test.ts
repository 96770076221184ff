import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Issue 15: each statement a checkout sends costs the service a round trip (on a small machine
// its CPU, more than the work the statement does). These are the counts of one checkout, BEGIN
// and COMMIT included, so that a change adding one is seen (bench/checkout-statements.ts lists
// them). A change that needs another statement for a good reason updates the count here.
//
// ready: the subscription with the price versions and the rate-limit count; the open-checkout
//   rule, payment and consent (one statement); the provider's checkout reference (KakaoPay only:
//   NaverPay's SDK checkout has none).
// approve: the payment with the subscription and its row version (and, NaverPay, the reference's
//   owner); the claim; BEGIN, the subscription's change (compare-and-set on that version; audit
//   and engine events), the payment's (audit and purchase notice), COMMIT. The first checkout
//   reads the (missing) subscription locked before it inserts it: one more.

let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

/** The statements `fn` sent to the database (this file's handle only). */
async function statementsOf<T>(fn: () => Promise<T>): Promise<{ n: number; r: T }> {
  // The entitlement cache's pending announcement (a batched NOTIFY) is not the checkout's.
  await s.services.engine.entitlementCache?.flush();
  const before = s.db.statements();
  const r = await fn();
  await s.services.engine.entitlementCache?.flush();
  return { n: s.db.statements() - before, r };
}

async function checkout(provider: 'kakaopay' | 'naverpay', token: string): Promise<{ ready: number; approve: number }> {
  const ready = await statementsOf(() =>
    s.api('POST', `/api/payment/${provider}/ready`, { token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } }),
  );
  expect(ready.r.status).toBe(200);
  const body = ready.r.body;
  let approveBody: Record<string, string>;
  if (provider === 'kakaopay') {
    const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${body.tid}/authorize`, { action: 'approve' });
    approveBody = { tid: body.tid, pg_token: auth.pg_token };
  } else {
    const auth = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...body.checkout.create, ...body.checkout.open, action: 'approve' });
    approveBody = { payment_id: body.payment_id, paymentId: new URL(auth.redirect_url).searchParams.get('paymentId')! };
  }
  const approve = await statementsOf(() => s.api('POST', `/api/payment/${provider}/approve`, { token, body: approveBody }));
  expect(approve.r.status).toBe(200);
  expect(approve.r.body.outcome).toBe('approved');
  return { ready: ready.n, approve: approve.n };
}

describe(`statements per checkout (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it.each([
    ['kakaopay', 3] as const,
    ['naverpay', 2] as const,
  ])('%s: ready %i statements once the session is cached, approve 6', async (provider, ready) => {
    const u = await s.signup();
    // The first checkout creates the subscription (and reads the session: + 1).
    const first = await checkout(provider, u.token);
    expect(first).toEqual({ ready: ready + 1, approve: 7 });
    // The second extends it.
    const second = await checkout(provider, u.token);
    expect(second).toEqual({ ready, approve: 6 });
  });
});
