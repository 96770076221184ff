import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, kakaoCheckout, refund } from '../helpers/refund-fixtures.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Issue 9, item 16: an Idempotency-Key claimed by a process that died must not answer 409 to
// every retry forever. A claim is a lease (2 s here); a retry after it takes over, and the
// handler settles by looking at what the dead request did, never doing it twice.

let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL, IDEMPOTENCY_LEASE_SECONDS: '2' } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  admin = await s.signup(ADMIN_EMAIL);
});

/** Leaves the key as a process that died mid-request leaves it: claimed, no answer stored. */
async function forgetAnswer(key: string) {
  await sql`UPDATE idempotency_keys SET response_status = NULL, response_body = NULL WHERE key = ${key}`.execute(s.db.db);
}

describe(`Idempotency-Key claims are leases (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a key whose holder died is taken over after the lease; the retry gets an answer, then replays', async () => {
    const u = await s.signup();
    const h = { 'idempotency-key': 'dead-ready-0001' };
    const first = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(first.status).toBe(200);
    await forgetAnswer('dead-ready-0001');
    const during = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect([during.status, during.body.error?.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);

    s.services.clock.advance(3000);
    const after = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    const again = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(again.body).toEqual(after.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // A different body under the key is still refused.
    const other = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'pro' }, headers: h });
    expect([other.status, other.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('an admin refund whose process died after refunding is answered from the lookup, never refunded twice', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    const h = { 'idempotency-key': 'dead-refund-0001' };
    const first = await refund(s, admin.token, paymentId, { amount_krw: 10000 }, h);
    expect(first.status).toBe(201);
    await forgetAnswer('dead-refund-0001');
    expect((await refund(s, admin.token, paymentId, { amount_krw: 10000 }, h)).status).toBe(409);

    s.services.clock.advance(3000);
    const retry = await refund(s, admin.token, paymentId, { amount_krw: 10000 }, h);
    expect(retry.status).toBe(201);
    expect(retry.body.refund.id).toBe(first.body.refund.id);
    expect(retry.body.payment).toMatchObject({ status: 'partially_refunded', refunded_krw: 10000 });
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
    const rows = await s.db.db.withTables<{ refunds: any }>().selectFrom('refunds').selectAll().where('payment_id', '=', paymentId).execute();
    expect(rows).toHaveLength(1);
  });

  it('a slow request that is alive renews its lease and is never taken over', async () => {
    const u = await s.signup();
    const h = { 'idempotency-key': 'slow-ready-0001' };
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'ready', delay: 'before', delay_ms: 5000 });
    const slow = s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    // Well past the first lease: only its renewals keep the key.
    await new Promise((r) => setTimeout(r, 3500));
    const retry = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect([retry.status, retry.body.error?.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    const done = await slow;
    expect(done.status).toBe(200);
    const replay = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(replay.body).toEqual(done.body);
    expect(await s.db.db.selectFrom('payments').selectAll().execute()).toHaveLength(1);
  });
});
