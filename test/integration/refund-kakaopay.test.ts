import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { composeRefundDeps } from '../../src/composition.ts';
import { reserveRefund } from '../../src/use-cases/reserve-refund.ts';
import { ADMIN_EMAIL, DAY, kakaoCheckout, kakaoRemaining, naverCheckout, refund } from '../helpers/refund-fixtures.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL, KAKAOPAY_TIMEOUT_MS: '700', REFUND_UNKNOWN_GRACE_SECONDS: '600' } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  admin = await s.signup(ADMIN_EMAIL);
});

async function refundRows(paymentId: string) {
  return s.db.db.withTables<{ refunds: any }>().selectFrom('refunds').selectAll().where('payment_id', '=', paymentId).execute();
}

describe(`refunds through KakaoPay (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a full refund returns everything, ends the period it paid for and turns auto-trading off', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.auto_trading_enabled).toBe(true);

    const r = await refund(s, admin.token, paymentId, { reason: '고객 요청 전액 환불' });
    expect(r.status).toBe(201);
    expect(r.body.outcome).toBe('succeeded');
    expect(r.body.refund).toMatchObject({ kind: 'admin', status: 'succeeded', amount_krw: 29000, vat_krw: 2636, supply_krw: 26364, reason: '고객 요청 전액 환불', requested_by: admin.userId });
    expect(r.body.refund.id).toMatch(/^ref_/);
    expect(r.body.payment).toMatchObject({ status: 'refunded', refunded_krw: 29000 });

    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.body).toMatchObject({ is_active: false, auto_trading_enabled: false, status: 'canceled', plan: 'free' });
    expect(await kakaoRemaining(s, tid)).toBe(0);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);

    const receipt = await s.api('GET', `/api/payments/${paymentId}/receipt`, { token: u.token });
    expect(receipt.status).toBe(200);
    expect(receipt.body.receipt).toMatchObject({ amount_krw: 29000, supply_krw: 26364, vat_krw: 2636, refunded_krw: 29000, net_krw: 0, method_name: '카드' });
    expect(receipt.body.refunds).toHaveLength(1);
    expect(receipt.body.refundable_krw).toBe(0);
    // Nothing is left: a second full refund is refused without calling KakaoPay.
    const again = await refund(s, admin.token, paymentId, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'NOT_REFUNDABLE']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
  });

  it('partial refunds up to the paid amount, VAT split so that the last one takes what is left; over-refund refused', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    const a = await refund(s, admin.token, paymentId, { amount_krw: 3000 });
    expect([a.status, a.body.refund.vat_krw, a.body.payment.status, a.body.payment.refunded_krw]).toEqual([201, 273, 'partially_refunded', 3000]);
    const b = await refund(s, admin.token, paymentId, { amount_krw: 7000 });
    expect([b.status, b.body.refund.vat_krw, b.body.payment.status, b.body.payment.refunded_krw]).toEqual([201, 636, 'partially_refunded', 10000]);
    // Still subscribed after partial refunds.
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.is_active).toBe(true);

    const over = await refund(s, admin.token, paymentId, { amount_krw: 19001 });
    expect([over.status, over.body.error.code]).toEqual([409, 'REFUND_EXCEEDS_REMAINING']);
    expect(over.body.error.details).toMatchObject({ refundable_krw: 19000, refunded_krw: 10000 });
    expect(await kakaoRemaining(s, tid)).toBe(19000);

    const c = await refund(s, admin.token, paymentId, { amount_krw: 19000 });
    expect([c.status, c.body.refund.vat_krw, c.body.payment.status, c.body.payment.refunded_krw]).toEqual([201, 2636 - 273 - 636, 'refunded', 29000]);
    expect(await kakaoRemaining(s, tid)).toBe(0);
    const rows = await refundRows(paymentId);
    expect(rows.filter((r) => r.status === 'succeeded').reduce((x, r) => x + Number(r.amount_krw), 0)).toBe(29000);
    expect(rows.filter((r) => r.status === 'succeeded').reduce((x, r) => x + Number(r.vat_krw), 0)).toBe(2636);
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.is_active).toBe(false);
  });

  it('refuses bad refund requests with clear codes and calls nobody', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    const cases: [unknown, number, string][] = [
      [{ amount_krw: 29001, reason: 'x' }, 409, 'REFUND_EXCEEDS_REMAINING'],
      [{ amount_krw: 0, reason: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ amount_krw: -5, reason: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ amount_krw: 10.5, reason: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ amount_krw: 1000 }, 400, 'VALIDATION_FAILED'],
      [{ amount_krw: 1000, reason: '   ' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await s.api('POST', `/api/admin/payments/${paymentId}/refunds`, { token: admin.token, body });
      expect([r.status, r.body.error.code]).toEqual([status, code]);
    }
    const missing = await refund(s, admin.token, 'pay_doesnotexist', { amount_krw: 1000 });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    // A payment that was never approved is not refundable.
    const ready = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    const notPaid = await refund(s, admin.token, ready.body.payment_id, {});
    expect([notPaid.status, notPaid.body.error.code]).toEqual([409, 'NOT_REFUNDABLE']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
    expect(await refundRows(paymentId)).toHaveLength(0);
  });

  it('20 concurrent refund requests never refund more than was paid (our rows and KakaoPay agree)', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refund(s, admin.token, paymentId, { amount_krw: 2000, reason: `동시 환불 ${i}` })),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(14); // 14 × 2,000 = 28,000 ≤ 29,000 < 15 × 2,000
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(Array(6).fill([409, 'REFUND_EXCEEDS_REMAINING']));

    const rows = await refundRows(paymentId);
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    expect(succeeded).toHaveLength(14);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    expect(succeeded.reduce((x, r) => x + Number(r.amount_krw), 0)).toBe(28000);
    const pay = await s.db.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
    expect([pay.refunded_krw, pay.status]).toEqual([28000, 'partially_refunded']);
    expect(await kakaoRemaining(s, tid)).toBe(1000);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(14);

    // The last 1,000 empties the payment and takes the VAT left: 2636 − 14 × 182 = 88 (not round(1000/11) = 91).
    const last = await refund(s, admin.token, paymentId, { amount_krw: 1000 });
    expect([last.status, last.body.refund.vat_krw, last.body.payment.status]).toEqual([201, 88, 'refunded']);
    expect(await kakaoRemaining(s, tid)).toBe(0);
  });

  it('the database reservation alone (no in-process queue) never reserves more than was paid', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    // A second, independent set of refund services: as if 20 requests hit 20 processes.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => {
        const deps = composeRefundDeps(s.services.config, s.db);
        return reserveRefund(s.services.ctx, deps, { paymentId, amountKrw: 3000, reason: 'reserve only', kind: 'admin', requestedBy: admin.userId });
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(9); // 9 × 3,000 = 27,000 ≤ 29,000
    for (const o of outcomes.filter((x) => x.status === 'rejected')) expect((o as PromiseRejectedResult).reason.code).toBe('REFUND_EXCEEDS_REMAINING');
    const rows = await refundRows(paymentId);
    expect(rows.map((r) => r.status)).toEqual(Array(9).fill('requested'));
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
  });

  it('20 concurrent full refunds: exactly one refunds', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token, 'pro');
    const results = await Promise.all(Array.from({ length: 20 }, () => refund(s, admin.token, paymentId, {})));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) expect([409]).toContain(r.status);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
    expect(await kakaoRemaining(s, tid)).toBe(0);
    const rows = await refundRows(paymentId);
    expect(rows.map((r) => [r.status, Number(r.amount_krw), Number(r.vat_krw)])).toEqual([['succeeded', 99000, 9000]]);
  });

  it('an Idempotency-Key replays the refund instead of refunding twice', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    const h = { 'idempotency-key': 'refund-key-0001' };
    const [a, b] = await Promise.all([refund(s, admin.token, paymentId, { amount_krw: 5000 }, h), refund(s, admin.token, paymentId, { amount_krw: 5000 }, h)]);
    const statuses = [a.status, b.status].sort();
    // One ran; the other either replays it or is told the same request is in flight.
    expect(statuses[0]).toBe(201);
    const c = await refund(s, admin.token, paymentId, { amount_krw: 5000 }, h);
    expect(c.status).toBe(201);
    expect(c.headers.get('idempotent-replayed')).toBe('true');
    expect(c.body.refund.id).toBe((a.status === 201 ? a : b).body.refund.id);
    expect(await refundRows(paymentId)).toHaveLength(1);
    const d = await refund(s, admin.token, paymentId, { amount_krw: 6000 }, h);
    expect([d.status, d.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('a refund whose answer is lost is settled by lookup, never sent again', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    // KakaoPay refunds, but the answer comes after our 700 ms timeout.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'cancel', delay: 'after', delay_ms: 1500 });
    const r = await refund(s, admin.token, paymentId, { amount_krw: 4000 });
    expect(r.status).toBe(201);
    expect(r.body.refund.status).toBe('succeeded');
    expect(r.body.payment.refunded_krw).toBe(4000);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
    expect(await kakaoRemaining(s, tid)).toBe(25000);
  });

  it('a refund the provider may or may not have received stays unknown, blocks new refunds, then fails after the grace period', async () => {
    const u = await s.signup();
    const { paymentId, tid } = await kakaoCheckout(s, u.token);
    // -785: "the same tid is in flight": the outcome is unknown to us; KakaoPay changed nothing.
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'cancel', error_code: -785 });
    const r = await refund(s, admin.token, paymentId, { amount_krw: 4000 });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ outcome: 'unknown', refund: { status: 'unknown' }, payment: { refunded_krw: 0 } });

    const blocked = await refund(s, admin.token, paymentId, { amount_krw: 1000 });
    expect([blocked.status, blocked.body.error.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    const early = await s.api('POST', `/api/admin/refunds/${r.body.refund.id}/sync`, { token: admin.token });
    expect(early.body).toMatchObject({ reconciled: false, refund: { status: 'unknown' } });

    s.services.clock.advance(11 * 60_000);
    const late = await s.api('POST', `/api/admin/refunds/${r.body.refund.id}/sync`, { token: admin.token });
    expect(late.body).toMatchObject({ reconciled: true, refund: { status: 'failed', failure_code: 'NOT_PROCESSED' } });
    expect(await kakaoRemaining(s, tid)).toBe(29000);
    const ok = await refund(s, admin.token, paymentId, { amount_krw: 29000 });
    expect([ok.status, ok.body.payment.status]).toEqual([201, 'refunded']);
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(1);
  });

  it('a declined refund is recorded as failed and releases the amount', async () => {
    const u = await s.signup();
    const { paymentId } = await kakaoCheckout(s, u.token);
    await s.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'cancel', error_code: -9798 });
    const r = await refund(s, admin.token, paymentId, { amount_krw: 29000 });
    expect([r.status, r.body.error.code]).toEqual([503, 'PROVIDER_UNAVAILABLE']);
    expect((await refundRows(paymentId)).map((x) => x.status)).toEqual(['failed']);
    const ok = await refund(s, admin.token, paymentId, { amount_krw: 29000 });
    expect(ok.status).toBe(201);
  });

  it('refunding one of two paid periods moves the end back by one period and keeps the subscription', async () => {
    const u = await s.signup();
    const first = await kakaoCheckout(s, u.token);
    const second = await kakaoCheckout(s, u.token);
    const before = Date.parse((await s.api('GET', '/api/subscription/status', { token: u.token })).body.expire_date);
    const r = await refund(s, admin.token, second.paymentId, {});
    expect(r.status).toBe(201);
    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.body.is_active).toBe(true);
    expect(before - Date.parse(st.body.expire_date)).toBe(30 * DAY);
    expect(Date.parse(st.body.expire_date)).toBe(Date.parse(first.payment.period_end));
  });

  it("a user sees only their own payments and receipts; others' are not found", async () => {
    const owner = await s.signup();
    const other = await s.signup();
    const { paymentId } = await kakaoCheckout(s, owner.token);
    for (const path of [`/api/payments/${paymentId}`, `/api/payments/${paymentId}/receipt`]) {
      const r = await s.api('GET', path, { token: other.token });
      expect([r.status, r.body.error.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    }
    const w = await s.api('POST', `/api/payments/${paymentId}/withdraw`, { token: other.token });
    expect([w.status, w.body.error.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    const list = await s.api('GET', '/api/payments', { token: other.token });
    expect(list.body.payments).toEqual([]);
    const anon = await s.api('GET', `/api/payments/${paymentId}/receipt`);
    expect(anon.status).toBe(401);
    const mine = await s.api('GET', `/api/payments/${paymentId}/receipt`, { token: owner.token });
    expect(mine.status).toBe(200);
    expect(mine.body.withdrawal).toMatchObject({ allowed: true, reason: null });
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
  });
});

describe('refunds through NaverPay', () => {
  it('partial then full refund; NaverPay and our rows agree', async () => {
    const u = await s.signup();
    const { paymentId, npPaymentId } = await naverCheckout(s, u.token, 'premium');
    const a = await refund(s, admin.token, paymentId, { amount_krw: 9000 });
    expect([a.status, a.body.refund.vat_krw, a.body.payment.status]).toEqual([201, 818, 'partially_refunded']);
    const over = await refund(s, admin.token, paymentId, { amount_krw: 50001 });
    expect([over.status, over.body.error.code]).toEqual([409, 'REFUND_EXCEEDS_REMAINING']);
    const b = await refund(s, admin.token, paymentId, {});
    expect([b.status, b.body.refund.amount_krw, b.body.refund.vat_krw, b.body.payment.status]).toEqual([201, 50000, 5364 - 818, 'refunded']);
    const stats = await s.sandbox('naverpay', 'GET', '/__sandbox/stats');
    expect(stats.cancel).toBe(2);
    expect(stats.cancels_by_payment_id[npPaymentId]).toBe(2);
    const look = await s.services.gateways.get('naverpay')!.getPayment({ paymentId, providerRef: npPaymentId });
    expect([look.status, look.refundableKrw]).toEqual(['refunded', 0]);
    expect((await s.api('GET', '/api/subscription/status', { token: u.token })).body.is_active).toBe(false);
  });
});
