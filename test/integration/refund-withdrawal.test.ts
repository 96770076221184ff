import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, DAY, advanceAll, kakaoCheckout, kakaoRemaining } from '../helpers/refund-fixtures.ts';
import { composeRefundDeps } from '../../src/composition.ts';
import { cancelSubscriptionNow } from '../../src/use-cases/cancel-with-refund.ts';

const HOUR = 3_600_000;
let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  // Tokens must outlive the clock jumps below.
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL, AUTH_TOKEN_TTL_SECONDS: String(400 * 24 * 3600) } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  // The sandboxes' clocks restart at real time on reset; ours only moves forward: line them up.
  const offset = s.services.clock.offset;
  await s.sandbox('kakaopay', 'POST', '/__sandbox/clock', { advance_ms: offset });
  await s.sandbox('naverpay', 'POST', '/__sandbox/clock', { advance_ms: offset });
  admin = await s.signup(ADMIN_EMAIL);
});

const withdraw = (token: string, paymentId: string, headers: Record<string, string> = {}) =>
  s.api('POST', `/api/payments/${paymentId}/withdraw`, { token, headers });

describe(`청약철회 (withdrawal) (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('inside 7 days with nothing used: everything back, subscription ended', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token, 'premium');
    await advanceAll(s, 6 * DAY + 23 * HOUR);
    const receipt = await s.api('GET', `/api/payments/${paymentId}/receipt`, { token: u.token });
    expect(receipt.body.withdrawal).toMatchObject({ allowed: true, reason: null });

    const w = await withdraw(u.token, paymentId, { 'idempotency-key': 'withdraw-0001' });
    expect(w.status).toBe(201);
    expect(w.body.refund).toMatchObject({ kind: 'withdrawal', status: 'succeeded', amount_krw: 59000, vat_krw: 5364, requested_by: u.userId });
    expect(w.body.payment).toMatchObject({ status: 'refunded', refunded_krw: 59000 });
    expect(await kakaoRemaining(s, tid)).toBe(0);
    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.body).toMatchObject({ is_active: false, auto_trading_enabled: false, status: 'canceled' });

    // The same key replays; a new attempt has nothing left.
    const replay = await withdraw(u.token, paymentId, { 'idempotency-key': 'withdraw-0001' });
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    const again = await withdraw(u.token, paymentId);
    expect([again.status, again.body.error.code, again.body.error.details.reason]).toEqual([409, 'NOT_REFUNDABLE', 'nothing_left']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
  });

  it('after 7 days: refused, pointing to cancel-now', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    await advanceAll(s, 7 * DAY + 60_000);
    const w = await withdraw(u.token, paymentId);
    expect([w.status, w.body.error.code]).toEqual([409, 'NOT_REFUNDABLE']);
    expect(w.body.error.details).toMatchObject({ reason: 'withdrawal_period_over', alternative: 'POST /api/subscription/cancel-now' });
    expect(w.body.error.message).toContain('7일');
    const receipt = await s.api('GET', `/api/payments/${paymentId}/receipt`, { token: u.token });
    expect(receipt.body.withdrawal).toMatchObject({ allowed: false, reason: 'withdrawal_period_over' });
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.is_active).toBe(true);
  });

  it('refused once a paid feature was used after the payment (reported by the user token or by an admin/host token)', async () => {
    const u = await s.signup();
    const v = await s.signup();
    // A free user has no paid feature to use: refused (issue 10).
    const free = await s.api('POST', '/api/usage', { token: u.token, body: { feature: 'auto_trading' } });
    expect([free.status, free.body.error.details.reason]).toEqual([403, 'no_paid_plan']);
    await advanceAll(s, 1000);
    const { paymentId } = await kakaoCheckout(s, u.token);
    const p2 = await kakaoCheckout(s, v.token);
    await advanceAll(s, DAY);
    expect((await s.api('GET', `/api/payments/${paymentId}/receipt`, { token: u.token })).body.withdrawal.allowed).toBe(true);

    const used = await s.api('POST', '/api/usage', { token: u.token, body: { feature: 'auto_trading' } });
    expect(used.status).toBe(201);
    expect(used.body).toMatchObject({ user_id: u.userId, feature: 'auto_trading' });
    const w = await withdraw(u.token, paymentId);
    expect([w.status, w.body.error.code]).toEqual([409, 'NOT_REFUNDABLE']);
    expect(w.body.error.details).toMatchObject({ reason: 'features_used', used_feature: 'auto_trading' });

    // The host application reports usage for a user with an admin token.
    const notAdmin = await s.api('POST', '/api/admin/usage', { token: u.token, body: { user_id: v.userId, feature: 'realtime_alerts' } });
    expect(notAdmin.status).toBe(403);
    const host = await s.api('POST', '/api/admin/usage', { token: admin.token, body: { user_id: v.userId, feature: 'realtime_alerts' } });
    expect(host.status).toBe(201);
    const w2 = await withdraw(v.token, p2.paymentId);
    expect(w2.body.error.details.reason).toBe('features_used');
    const bad = await s.api('POST', '/api/usage', { token: u.token, body: { feature: 'Not A Feature!' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
  });
});

describe('cancel-now (mid-period cancel with prorated refund)', () => {
  it('refunds floor(price × remaining whole days / 30) and ends the subscription now', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    await advanceAll(s, 10 * DAY + HOUR);
    const r = await s.api('POST', '/api/subscription/cancel-now', { token: u.token });
    expect(r.status).toBe(200);
    expect(r.body.policy).toBe('prorated_days');
    expect(r.body.lines).toHaveLength(1);
    // 19 whole days left of 30: floor(29000 × 19 / 30) = floor(18366.67) = 18366; 10634 retained.
    expect(r.body.lines[0]).toMatchObject({ payment_id: paymentId, paid_krw: 29000, remaining_days: 19, period_days: 30, refund_krw: 18366, retained_krw: 10634, error: null });
    expect(r.body.lines[0].refund).toMatchObject({ kind: 'cancel_now', status: 'succeeded', amount_krw: 18366, vat_krw: 1670 });
    expect(r.body.refunded_krw).toBe(18366);
    expect(r.body.subscription).toMatchObject({ is_active: false, auto_trading_enabled: false, status: 'canceled' });
    expect(await kakaoRemaining(s, tid)).toBe(29000 - 18366);
    const pay = await s.api('GET', `/api/payments/${paymentId}`, { token: u.token });
    expect(pay.body).toMatchObject({ status: 'partially_refunded', refunded_krw: 18366 });

    const again = await s.api('POST', '/api/subscription/cancel-now', { token: u.token });
    expect([again.status, again.body.error.code]).toEqual([409, 'SUBSCRIPTION_STATE_CONFLICT']);
    const none = await s.api('POST', '/api/subscription/cancel-now', { token: admin.token });
    expect([none.status, none.body.error.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
  });

  it('a prepaid next period is refunded in full, the running one prorated', async () => {
    const u = await s.signup();
    const first = await kakaoCheckout(s, u.token);
    const second = await kakaoCheckout(s, u.token);
    await advanceAll(s, 25 * DAY + HOUR);
    const r = await s.api('POST', '/api/subscription/cancel-now', { token: u.token });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.lines.map((l: any) => [l.payment_id, l]));
    expect(byId[first.paymentId]).toMatchObject({ remaining_days: 4, refund_krw: Math.floor((29000 * 4) / 30) });
    expect(byId[second.paymentId]).toMatchObject({ remaining_days: 30, refund_krw: 29000, retained_krw: 0 });
    expect(r.body.refunded_krw).toBe(Math.floor((29000 * 4) / 30) + 29000);
    expect(await kakaoRemaining(s, second.tid)).toBe(0);
  });

  it('REFUND_POLICY=none ends the subscription without a refund', async () => {
    const u = await s.signup();
    await kakaoCheckout(s, u.token);
    await advanceAll(s, 2 * DAY);
    const deps = composeRefundDeps(s.services.config, s.db);
    const r = await cancelSubscriptionNow(s.services.ctx, { ...deps, settings: { ...deps.settings, policy: 'none' } }, { userId: u.userId });
    expect(r.refundedKrw).toBe(0);
    expect(r.lines.map((l) => [l.refundKrw, l.retainedKrw, l.refund])).toEqual([[0, 29000, null]]);
    expect(r.subscription.status).toBe('canceled');
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
  });
});
