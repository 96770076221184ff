import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';

/**
 * The accounting report and exports (issue 14.6). A small ledger is seeded straight into the
 * tables for December 2024 – March 2025 (Korea time); every expected figure is computed here
 * from the seeded rows with this file's own arithmetic, never by the code under test.
 */
let s: TestStack;
const tokens: Record<'admin' | 'support' | 'finance', string> = { admin: '', support: '', finance: '' };

const PRICE: Record<string, number> = { standard: 29000, premium: 59000, pro: 99000 };
const BPS: Record<string, number> = { kakaopay: 290, naverpay: 250 };
const DAY = 86_400_000;
const kst = (d: string) => new Date(`${d}T10:00:00+09:00`);
const vatOf = (amount: number) => Math.round(amount / 11);
const feeOf = (amount: number, provider: string) => Math.round((amount * BPS[provider]) / 10000);

interface SeedPayment {
  user: string;
  plan: string;
  provider: string;
  start: string;
  kind?: 'checkout' | 'renewal' | 'registration';
  status?: 'approved' | 'declined';
  amount?: number;
  cycle?: string;
  createdAt?: string;
}

// A: standard, standard, then pro (expansion in Feb), runs out in March (churn).
// B: premium, first ever in January (new), lapses in February (churn); its February renewal is declined twice (not recovered).
// C: premium then standard from Jan 24 (contraction in Jan); its Jan 24 renewal was declined once, then paid (recovered).
// D: paid in November, away, back on Feb 10 (reactivation).
// E: a 0-won billing-key registration and a declined checkout: neither is a payment.
const SEED: SeedPayment[] = [
  { user: 'A', plan: 'standard', provider: 'kakaopay', start: '2024-12-20' },
  { user: 'A', plan: 'standard', provider: 'kakaopay', start: '2025-01-19', kind: 'renewal' },
  { user: 'A', plan: 'pro', provider: 'kakaopay', start: '2025-02-18', kind: 'renewal' },
  { user: 'B', plan: 'premium', provider: 'naverpay', start: '2025-01-10' },
  { user: 'B', plan: 'premium', provider: 'naverpay', start: '2025-02-09', kind: 'renewal', status: 'declined', cycle: 'cyc_b' },
  { user: 'B', plan: 'premium', provider: 'naverpay', start: '2025-02-09', kind: 'renewal', status: 'declined', cycle: 'cyc_b', createdAt: '2025-02-10' },
  { user: 'C', plan: 'premium', provider: 'kakaopay', start: '2024-12-25' },
  { user: 'C', plan: 'standard', provider: 'kakaopay', start: '2025-01-24', kind: 'renewal', status: 'declined', cycle: 'cyc_c' },
  { user: 'C', plan: 'standard', provider: 'kakaopay', start: '2025-01-24', kind: 'renewal', cycle: 'cyc_c', createdAt: '2025-01-25' },
  { user: 'C', plan: 'standard', provider: 'kakaopay', start: '2025-02-23', kind: 'renewal' },
  { user: 'D', plan: 'standard', provider: 'naverpay', start: '2024-11-01' },
  { user: 'D', plan: 'standard', provider: 'naverpay', start: '2025-02-10' },
  { user: 'E', plan: 'standard', provider: 'kakaopay', start: '2025-02-05', kind: 'registration', amount: 0 },
  { user: 'E', plan: 'standard', provider: 'naverpay', start: '2025-02-06', status: 'declined' },
];
// B's January payment is refunded in part on Feb 3: the refund belongs to February.
const REFUND = { payment: 3, amount: 10000, vat: 909, settledAt: '2025-02-03' };

const paid = SEED.map((p, i) => ({ ...p, i, amount: p.amount ?? PRICE[p.plan] })).filter((p) => (p.status ?? 'approved') === 'approved' && p.amount > 0);

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: 'admin@example.com', AUTH_SESSION_CACHE_MS: '0' } });
  tokens.admin = (await s.signup('admin@example.com')).token;
  for (const role of ['support', 'finance'] as const) {
    const u = await s.signup();
    await s.db.db.updateTable('users').set({ role }).where('id', '=', u.userId).execute();
    tokens[role] = u.token;
  }
  const db = s.db.db as any;
  for (const u of ['A', 'B', 'C', 'D', 'E']) {
    await db.insertInto('users').values({ id: `usr_${u}`, email: `${u}@example.com`, password_hash: null, role: 'user', external_subject: null, created_at: kst('2024-10-01') }).execute();
    await db.insertInto('subscriptions').values({
      id: `sub_${u}`, user_id: `usr_${u}`, plan_id: 'standard', status: 'active', provider: 'kakaopay', billing_key: null, auto_renew: false,
      current_period_start: kst('2025-02-01'), current_period_end: kst('2025-03-01'), pending_plan_id: null, canceled_at: null, ended_at: null,
      created_at: kst('2024-10-01'), updated_at: kst('2024-10-01'),
    }).execute();
    await db.insertInto('subscription_events').values({ subscription_id: `sub_${u}`, type: 'created', from_status: null, to_status: 'active', data: null, created_at: kst('2024-10-01') }).execute();
  }
  for (const c of [{ id: 'cyc_b', u: 'B', start: '2025-02-09', status: 'failed' }, { id: 'cyc_c', u: 'C', start: '2025-01-24', status: 'paid' }]) {
    await db.insertInto('billing_cycles').values({
      id: c.id, subscription_id: `sub_${c.u}`, plan_id: 'standard', period_start: kst(c.start), period_end: new Date(kst(c.start).getTime() + 30 * DAY),
      amount_krw: 29000, status: c.status, attempt_count: 1, next_attempt_at: null, notice_sent_at: null, failure_code: null, closed_reason: null,
      created_at: kst(c.start), updated_at: kst(c.start),
    }).execute();
  }
  for (const [i, p] of SEED.entries()) {
    const amount = p.amount ?? PRICE[p.plan];
    const ok = (p.status ?? 'approved') === 'approved';
    const start = kst(p.start);
    const withPeriod = ok && amount > 0;
    await db.insertInto('payments').values({
      id: `pay_${i}`, user_id: `usr_${p.user}`, subscription_id: `sub_${p.user}`, provider: p.provider, kind: p.kind ?? 'checkout', plan_id: p.plan,
      amount_krw: amount, vat_krw: vatOf(amount), refunded_krw: i === REFUND.payment ? REFUND.amount : 0,
      status: !ok ? 'declined' : i === REFUND.payment ? 'partially_refunded' : 'approved', recurring: p.kind !== 'checkout',
      checkout_ref: null, provider_ref: ok ? `ref_${i}` : null, approval_no: ok ? `apv_${i}` : null, method_kind: 'card', method_label: null, billing_cycle_id: p.cycle ?? null,
      period_start: withPeriod ? start : null, period_end: withPeriod ? new Date(start.getTime() + 30 * DAY) : null, failure_code: null, failure_message: null,
      expires_at: null, approved_at: ok ? kst(p.createdAt ?? p.start) : null, created_at: kst(p.createdAt ?? p.start), updated_at: kst(p.createdAt ?? p.start),
    }).execute();
  }
  await db.insertInto('refunds').values({
    id: 'ref_b', payment_id: `pay_${REFUND.payment}`, kind: 'admin', amount_krw: REFUND.amount, vat_krw: REFUND.vat, reason: '부분 환불', requested_by: 'usr_admin',
    status: 'succeeded', provider_refund_ref: 'cancel_1', failure_code: null, failure_message: null,
    created_at: kst(REFUND.settledAt), updated_at: kst(REFUND.settledAt), settled_at: kst(REFUND.settledAt),
  }).execute();
}, 60_000);
afterAll(async () => s?.close());

const monthOf = (p: { createdAt?: string; start: string }) => (p.createdAt ?? p.start).slice(0, 7);

/** Which plan each user pays for at an instant, from the seeded periods (30 days each). */
function payingAt(at: Date): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paid) {
    const start = kst(p.start).getTime();
    if (start <= at.getTime() && at.getTime() < start + 30 * DAY) out.set(p.user, p.plan);
  }
  return out;
}

describe(`accounting report (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('revenue net of VAT, refunds in the month they happened, 0-won and failed attempts left out, fees per provider', async () => {
    expect((await s.api('GET', '/api/admin/reports/accounting?from=2025-01&to=2025-03', { token: tokens.support })).status).toBe(403);
    const r = await s.api('GET', '/api/admin/reports/accounting?from=2025-01&to=2025-03', { token: tokens.finance });
    expect(r.status).toBe(200);
    for (const month of ['2025-01', '2025-02', '2025-03']) {
      const rows = paid.filter((p) => monthOf(p) === month);
      const gross = rows.reduce((a, p) => a + p.amount, 0);
      const vat = rows.reduce((a, p) => a + vatOf(p.amount), 0);
      const refunds = REFUND.settledAt.startsWith(month) ? REFUND.amount : 0;
      const refundsVat = REFUND.settledAt.startsWith(month) ? REFUND.vat : 0;
      const fee = rows.reduce((a, p) => a + feeOf(p.amount, p.provider), 0);
      const feeVat = rows.reduce((a, p) => a + Math.round(feeOf(p.amount, p.provider) / 10), 0);
      const m = r.body.months.find((x: any) => x.month === month);
      expect(m, month).toMatchObject({
        payments: rows.length, gross_krw: gross, vat_krw: vat, supply_krw: gross - vat, refunds_krw: refunds, refunds_vat_krw: refundsVat,
        net_krw: gross - vat - (refunds - refundsVat), fee_krw: fee, fee_vat_krw: feeVat, payout_krw: gross - refunds - fee - feeVat,
      });
      for (const provider of ['kakaopay', 'naverpay']) {
        const pr = rows.filter((p) => p.provider === provider);
        expect(m.providers.find((x: any) => x.provider === provider), `${month} ${provider}`).toMatchObject({
          fee_bps: BPS[provider], payments: pr.length, gross_krw: pr.reduce((a, p) => a + p.amount, 0), fee_krw: pr.reduce((a, p) => a + feeOf(p.amount, p.provider), 0),
        });
      }
    }
    // Spelled out for February: pro 99,000 + standard 29,000 × 2; the 0-won registration and the declines are not payments.
    const feb = r.body.months.find((x: any) => x.month === '2025-02');
    expect([feb.payments, feb.gross_krw, feb.vat_krw, feb.net_krw]).toEqual([3, 157000, 9000 + 2636 * 2, 157000 - 14272 - (10000 - 909)]);
  });

  it('MRR movements per month (new, expansion, contraction, churn, reactivation) and the dunning recovery rate', async () => {
    const r = await s.api('GET', '/api/admin/reports/accounting?from=2025-01&to=2025-03', { token: tokens.admin });
    const firstStart = (user: string) => Math.min(...paid.filter((p) => p.user === user).map((p) => kst(p.start).getTime()));
    for (const month of ['2025-01', '2025-02', '2025-03']) {
      const startAt = new Date(`${month}-01T00:00:00+09:00`);
      const [y, mo] = month.split('-').map(Number);
      const endAt = new Date(`${mo === 12 ? y + 1 : y}-${String(mo === 12 ? 1 : mo + 1).padStart(2, '0')}-01T00:00:00+09:00`);
      const a = payingAt(startAt);
      const b = payingAt(endAt);
      const e = { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0 };
      for (const [u, plan] of b) {
        const before = a.get(u);
        if (!before) e[firstStart(u) < startAt.getTime() ? 'reactivation' : 'new'] += PRICE[plan];
        else if (PRICE[plan] > PRICE[before]) e.expansion += PRICE[plan] - PRICE[before];
        else if (PRICE[plan] < PRICE[before]) e.contraction += PRICE[before] - PRICE[plan];
      }
      for (const [u, plan] of a) if (!b.has(u)) e.churn += PRICE[plan];
      const sum = (m: Map<string, string>) => [...m.values()].reduce((x, p) => x + PRICE[p], 0);
      const m = r.body.movements.find((x: any) => x.month === month);
      expect(m, month).toMatchObject({
        start_mrr_krw: sum(a), end_mrr_krw: sum(b), new_krw: e.new, expansion_krw: e.expansion, contraction_krw: e.contraction, churn_krw: e.churn, reactivation_krw: e.reactivation,
      });
      expect(m.start_mrr_krw + m.new_krw + m.expansion_krw - m.contraction_krw - m.churn_krw + m.reactivation_krw).toBe(m.end_mrr_krw);
    }
    // The story the seed tells, spelled out.
    const [jan, feb, mar] = r.body.movements;
    expect([jan.new_krw, jan.contraction_krw]).toEqual([59000, 30000]);
    expect([feb.expansion_krw, feb.churn_krw, feb.reactivation_krw]).toEqual([70000, 59000, 29000]);
    expect(mar.churn_krw).toBe(99000 + 29000 + 29000);

    expect(r.body.recovery.map((x: any) => [x.month, x.failed_cycles, x.recovered_cycles, x.rate])).toEqual([
      ['2025-01', 1, 1, 1],
      ['2025-02', 1, 0, 0],
      ['2025-03', 0, 0, null],
    ]);
    expect(r.body.recovery[0].recovered_krw).toBe(29000);
  });

  it('exports payments, refunds (dated rows) and the monthly settlement summary as CSV and XLSX, for exports.download only', async () => {
    const get = (path: string, token: string) => s.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });
    expect((await get('/api/admin/exports/payments.csv?from=2025-02&to=2025-02', tokens.support)).statusCode).toBe(403);

    const pay = await get('/api/admin/exports/payments.csv?from=2025-02&to=2025-02', tokens.finance);
    expect(pay.statusCode).toBe(200);
    const lines = pay.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    const col = (name: string) => lines[0].indexOf(name);
    const feb = paid.filter((p) => monthOf(p) === '2025-02');
    expect(lines.slice(1).map((l) => l[col('payment_id')]).sort()).toEqual(feb.map((p) => `pay_${p.i}`).sort());
    expect(lines.slice(1).reduce((a, l) => a + Number(l[col('amount_krw')]), 0)).toBe(feb.reduce((a, p) => a + p.amount, 0));
    expect(lines.slice(1).reduce((a, l) => a + Number(l[col('fee_krw')]), 0)).toBe(feb.reduce((a, p) => a + feeOf(p.amount, p.provider), 0));
    // The provider's approval number (승인번호), for matching card statements.
    expect(col('승인번호')).toBeGreaterThan(0);
    expect(lines.slice(1).map((l) => l[col('승인번호')])).toEqual(lines.slice(1).map((l) => l[col('payment_id')].replace('pay_', 'apv_')));

    const ref = await get('/api/admin/exports/refunds.csv?from=2025-01&to=2025-03', tokens.admin);
    const rl = ref.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    expect(rl).toHaveLength(2);
    const rc = (name: string) => rl[0].indexOf(name);
    expect([rl[1][rc('month')], rl[1][rc('payment_id')], rl[1][rc('amount_krw')], rl[1][rc('vat_krw')], rl[1][rc('supply_krw')]]).toEqual([
      '2025-02', `pay_${REFUND.payment}`, String(REFUND.amount), String(REFUND.vat), String(REFUND.amount - REFUND.vat),
    ]);
    expect(rl[1][rc('payment_approved_at_kst')].startsWith('2025-01-10')).toBe(true);

    const sum = await get('/api/admin/exports/settlement-summary.csv?from=2025-02&to=2025-02', tokens.finance);
    const sl = sum.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    const sc = (name: string) => sl[0].indexOf(name);
    const kakao = sl.find((l) => l[sc('provider')] === 'kakaopay')!;
    const kFeb = feb.filter((p) => p.provider === 'kakaopay');
    expect([kakao[sc('month')], Number(kakao[sc('payments')]), Number(kakao[sc('gross_krw')])]).toEqual(['2025-02', kFeb.length, kFeb.reduce((a, p) => a + p.amount, 0)]);

    const xlsx = await get('/api/admin/exports/settlement-summary.xlsx?from=2025-01&to=2025-03', tokens.finance);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const xp = await get('/api/admin/exports/payments.xlsx?from=2025-01&to=2025-03', tokens.finance);
    expect([xp.statusCode, xp.rawPayload.subarray(0, 2).toString()]).toEqual([200, 'PK']);
    const sheetText = Object.values(unzipSync(new Uint8Array(xp.rawPayload))).map((f) => strFromU8(f)).join('\n');
    expect(sheetText).toContain('승인번호');
    for (const p of feb) expect(sheetText).toContain(`apv_${p.i}`);
    expect((await get('/api/admin/exports/ledger.csv', tokens.finance)).statusCode).toBe(400);
  });
});
