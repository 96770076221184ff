import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, DAY, kakaoCheckout, naverCheckout, refund } from '../helpers/refund-fixtures.ts';

/**
 * The source document's section 8: 500 스탠다드, 300 프리미엄 and 200 프로 subscribers make
 * 500×29,000 + 300×59,000 + 200×99,000 = 52,000,000원 a month. The set is seeded straight
 * into the tables for March 2025 (Korea time), with both providers; the current month gets
 * real checkouts and refunds through the sandboxes. Every expected figure is computed here
 * from the seeded rows, not by the code under test.
 */
let s: TestStack;
let adminToken: string;

const PRICE: Record<string, number> = { standard: 29000, premium: 59000, pro: 99000 };
const BPS: Record<string, number> = { kakaopay: 290, naverpay: 250 };
const fee = (amount: number, provider: string) => Math.round((amount * BPS[provider]) / 10000);
const feeVat = (f: number) => Math.round(f / 10);
const kst = (isoLocal: string) => new Date(`${isoLocal}+09:00`);

interface SeedPayment {
  provider: string;
  plan: string;
  approvedAt: Date;
  kind?: 'checkout' | 'renewal';
  status?: 'approved' | 'declined';
}

let seq = 0;
async function seed(rows: SeedPayment[], opts: { endedAt?: (i: number) => Date | null } = {}) {
  const users: any[] = [];
  const subs: any[] = [];
  const pays: any[] = [];
  const events: any[] = [];
  rows.forEach((r, i) => {
    const n = ++seq;
    const uid = `usr_seed${n}`;
    const sid = `sub_seed${n}`;
    const end = new Date(r.approvedAt.getTime() + 30 * DAY);
    const endedAt = opts.endedAt?.(i) ?? null;
    const declined = r.status === 'declined';
    users.push({ id: uid, email: `seed${n}@example.com`, password_hash: null, role: 'user', external_subject: null, created_at: r.approvedAt });
    subs.push({
      id: sid, user_id: uid, plan_id: r.plan, status: endedAt ? 'canceled' : 'active', provider: r.provider, billing_key: null, auto_renew: false,
      current_period_start: r.approvedAt, current_period_end: end, pending_plan_id: null, canceled_at: endedAt, ended_at: endedAt,
      created_at: r.approvedAt, updated_at: endedAt ?? r.approvedAt,
    });
    events.push({ subscription_id: sid, type: 'created', from_status: null, to_status: 'active', data: null, created_at: r.approvedAt });
    if (endedAt) events.push({ subscription_id: sid, type: 'canceled', from_status: 'active', to_status: 'canceled', data: null, created_at: endedAt });
    pays.push({
      id: `pay_seed${n}`, user_id: uid, subscription_id: sid, provider: r.provider, kind: r.kind ?? 'checkout', plan_id: r.plan,
      amount_krw: PRICE[r.plan], vat_krw: Math.round(PRICE[r.plan] / 11), refunded_krw: 0, status: r.status ?? 'approved', recurring: false,
      checkout_ref: null, provider_ref: `seed-ref-${n}`, method_kind: 'card', method_label: null, billing_cycle_id: null,
      period_start: declined ? null : r.approvedAt, period_end: declined ? null : end, failure_code: null, failure_message: null,
      expires_at: null, approved_at: declined ? null : r.approvedAt, created_at: r.approvedAt, updated_at: r.approvedAt,
    });
  });
  const db = s.db.db as any;
  for (let i = 0; i < rows.length; i += 250) {
    await db.insertInto('users').values(users.slice(i, i + 250)).execute();
    await db.insertInto('subscriptions').values(subs.slice(i, i + 250)).execute();
    await db.insertInto('payments').values(pays.slice(i, i + 250)).execute();
  }
  for (let i = 0; i < events.length; i += 250) await db.insertInto('subscription_events').values(events.slice(i, i + 250)).execute();
  return pays;
}

const MARCH: SeedPayment[] = [];
function plan(count: number, planId: string, kakao: number) {
  for (let i = 0; i < count; i++) {
    MARCH.push({ provider: i < kakao ? 'kakaopay' : 'naverpay', plan: planId, approvedAt: new Date(kst('2025-03-05T10:00:00').getTime() + MARCH.length * 60_000) });
  }
}
plan(500, 'standard', 300);
plan(300, 'premium', 150);
plan(200, 'pro', 120);

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  adminToken = (await s.signup(ADMIN_EMAIL)).token;
  await seed(MARCH, { endedAt: (i) => (i < 50 ? kst('2025-04-15T12:00:00') : null) });
  // Edges of the month in Korea time: 23:59:59 on Feb 28 is February, 00:30 on Apr 1 is April.
  await seed([
    { provider: 'kakaopay', plan: 'standard', approvedAt: kst('2025-02-28T23:59:59') },
    { provider: 'naverpay', plan: 'pro', approvedAt: kst('2025-04-01T00:30:00') },
  ]);
  // Renewals declined in March.
  await seed(Array.from({ length: 7 }, (_, i) => ({ provider: 'kakaopay', plan: 'standard', kind: 'renewal' as const, status: 'declined' as const, approvedAt: kst(`2025-03-2${i}T09:00:00`) })));
}, 120_000);
afterAll(async () => s?.close());

function sumFigures(rows: SeedPayment[]) {
  const byProvider: Record<string, { gross: number; vat: number; fee: number; feeVat: number; payments: number }> = {};
  for (const r of rows) {
    const p = (byProvider[r.provider] ??= { gross: 0, vat: 0, fee: 0, feeVat: 0, payments: 0 });
    const f = fee(PRICE[r.plan], r.provider);
    p.gross += PRICE[r.plan];
    p.vat += Math.round(PRICE[r.plan] / 11);
    p.fee += f;
    p.feeVat += feeVat(f);
    p.payments += 1;
  }
  return byProvider;
}

describe(`revenue report (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('reproduces section 8: 52,000,000원 gross from 500/300/200 subscribers, by provider and plan, with fees, MRR, failed renewals and churn', async () => {
    const r = await s.api('GET', '/api/admin/reports/revenue?from=2025-02&to=2025-05', { token: adminToken });
    expect(r.status).toBe(200);
    expect(r.body.months.map((m: any) => m.month)).toEqual(['2025-02', '2025-03', '2025-04', '2025-05']);
    const [feb, mar, apr, may] = r.body.months;

    expect(mar.gross_krw).toBe(500 * 29000 + 300 * 59000 + 200 * 99000);
    expect(mar.gross_krw).toBe(52_000_000);
    expect(mar.payments).toBe(1000);
    const expected = sumFigures(MARCH);
    for (const provider of ['kakaopay', 'naverpay']) {
      const row = mar.providers.find((p: any) => p.provider === provider);
      const e = expected[provider];
      expect(row).toMatchObject({
        fee_bps: BPS[provider], payments: e.payments, gross_krw: e.gross, vat_krw: e.vat, refunds_krw: 0, refunds_vat_krw: 0, fee_krw: e.fee, fee_vat_krw: e.feeVat,
        // 순매출 is net of VAT; what the provider pays out is net of refunds and fees.
        net_krw: e.gross - e.vat,
        payout_krw: e.gross - e.fee - e.feeVat,
      });
    }
    expect(expected.kakaopay.gross).toBe(29_430_000);
    expect(expected.naverpay.gross).toBe(22_570_000);
    expect(mar.fee_krw).toBe(expected.kakaopay.fee + expected.naverpay.fee);
    const marchVat = 500 * Math.round(29000 / 11) + 300 * Math.round(59000 / 11) + 200 * Math.round(99000 / 11);
    expect([mar.vat_krw, mar.net_krw]).toEqual([marchVat, 52_000_000 - marchVat]);
    expect(mar.payout_krw).toBe(52_000_000 - mar.fee_krw - mar.fee_vat_krw);
    expect(mar.plans.map((p: any) => [p.plan, p.payments, p.gross_krw, p.subscribers, p.mrr_krw])).toEqual([
      ['standard', 500, 14_500_000, 500, 14_500_000],
      ['premium', 300, 17_700_000, 300, 17_700_000],
      ['pro', 200, 19_800_000, 200, 19_800_000],
    ]);
    expect([mar.subscribers, mar.mrr_krw]).toEqual([1000, 52_000_000]);
    expect([mar.failed_renewals, mar.failed_renewals_krw]).toEqual([7, 7 * 29000]);
    // The Feb 28 subscriber was the only one paying when March began; nobody left in March.
    expect(mar.churn).toEqual({ active_at_start: 1, ended: 0, rate: 0 });

    expect([feb.gross_krw, feb.payments, feb.providers.find((p: any) => p.provider === 'kakaopay').gross_krw]).toEqual([29000, 1, 29000]);
    expect([apr.gross_krw, apr.payments, apr.providers.find((p: any) => p.provider === 'naverpay').gross_krw]).toEqual([99000, 1, 99000]);
    // 50 of the 1,000 paying on April 1 ended in April.
    expect(apr.churn).toEqual({ active_at_start: 1000, ended: 50, rate: 0.05 });
    // Every March period ran out in early April; the April 1 00:30 payment's runs to May 1 00:30.
    expect([apr.subscribers, apr.mrr_krw]).toEqual([1, 99000]);
    expect([may.gross_krw, may.subscribers, may.churn.active_at_start]).toEqual([0, 0, 1]);

    expect(r.body.totals.gross_krw).toBe(52_000_000 + 29000 + 99000);
    expect(r.body.totals.failed_renewals).toBe(7);
    expect(r.body.totals.ended).toBe(50);
    expect(r.body.rules.fee).toContain('round_half_up');
    expect(r.body.timezone).toBe('Asia/Seoul');
  });

  it('the current month shows real checkouts and refunds on both providers; the snapshot counts entitled subscribers', async () => {
    const a = await s.signup();
    const b = await s.signup();
    const c = await s.signup();
    const d = await s.signup();
    const ka = await kakaoCheckout(s, a.token, 'standard');
    await kakaoCheckout(s, b.token, 'standard');
    const nc = await naverCheckout(s, c.token, 'premium');
    await kakaoCheckout(s, d.token, 'pro');
    expect((await refund(s, adminToken, ka.paymentId, { reason: '전액 환불' })).status).toBe(201);
    expect((await refund(s, adminToken, nc.paymentId, { amount_krw: 9000, reason: '부분 환불' })).status).toBe(201);

    const month = (() => {
      const k = new Date(Date.now() + 9 * 3_600_000);
      return `${k.getUTCFullYear()}-${String(k.getUTCMonth() + 1).padStart(2, '0')}`;
    })();
    const r = await s.api('GET', `/api/admin/reports/revenue?from=${month}&to=${month}`, { token: adminToken });
    expect(r.status).toBe(200);
    const m = r.body.months[0];
    const kakao = m.providers.find((p: any) => p.provider === 'kakaopay');
    const naver = m.providers.find((p: any) => p.provider === 'naverpay');
    const kakaoFees = [29000, 29000, 99000].map((x) => fee(x, 'kakaopay'));
    expect(kakao).toMatchObject({
      payments: 3, gross_krw: 157000, refund_count: 1, refunds_krw: 29000,
      fee_krw: kakaoFees.reduce((x, y) => x + y), fee_vat_krw: kakaoFees.map(feeVat).reduce((x, y) => x + y),
    });
    expect(kakao.payout_krw).toBe(157000 - 29000 - kakao.fee_krw - kakao.fee_vat_krw);
    const refundVat = async (paymentId: string) =>
      Number((await (s.db.db as any).selectFrom('refunds').select('vat_krw').where('payment_id', '=', paymentId).executeTakeFirstOrThrow()).vat_krw);
    const kakaoVat = [29000, 29000, 99000].map((x) => Math.round(x / 11)).reduce((x, y) => x + y);
    expect([kakao.vat_krw, kakao.refunds_vat_krw]).toEqual([kakaoVat, await refundVat(ka.paymentId)]);
    expect(kakao.net_krw).toBe(157000 - kakaoVat - (29000 - kakao.refunds_vat_krw));
    expect(naver).toMatchObject({ payments: 1, gross_krw: 59000, refund_count: 1, refunds_krw: 9000, fee_krw: 1475, fee_vat_krw: 148, payout_krw: 59000 - 9000 - 1475 - 148 });
    expect(naver.net_krw).toBe(59000 - Math.round(59000 / 11) - (9000 - (await refundVat(nc.paymentId))));
    expect(m.gross_krw).toBe(157000 + 59000);
    expect(m.refunds_krw).toBe(38000);
    // Subscribers now: the fully refunded one is gone; the partly refunded one stays.
    expect(m.plans.map((p: any) => [p.plan, p.subscribers])).toEqual([['standard', 1], ['premium', 1], ['pro', 1]]);
    expect(m.mrr_krw).toBe(29000 + 59000 + 99000);
    expect(m.churn.ended).toBe(1);
    expect(r.body.current).toMatchObject({ subscribers: 3, mrr_krw: 187000 });
    expect(r.body.current.plans.map((p: any) => [p.plan, p.subscribers]).sort()).toEqual([['premium', 1], ['pro', 1], ['standard', 1]]);
  });

  it('validates the range', async () => {
    const bad = await s.api('GET', '/api/admin/reports/revenue?from=2025-13', { token: adminToken });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const reversed = await s.api('GET', '/api/admin/reports/revenue?from=2025-05&to=2025-01', { token: adminToken });
    expect(reversed.status).toBe(400);
    const long = await s.api('GET', '/api/admin/reports/revenue?from=2020-01&to=2025-01', { token: adminToken });
    expect(long.status).toBe(400);
    const dflt = await s.api('GET', '/api/admin/reports/revenue', { token: adminToken });
    expect(dflt.body.months).toHaveLength(12);
  });
});
