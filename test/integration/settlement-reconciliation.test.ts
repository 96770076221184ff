import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Settlement reconciliation (issue 14.7): each sandbox produces the day's settlement file with
 * its own fee arithmetic; the console imports it and flags every difference against our
 * ledger. The sandbox's skew switch makes the file differ on purpose, one kind of difference
 * at a time. Expected fees are computed here: round(amount × bps / 10,000), VAT round(fee / 10).
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });
const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const BPS: Record<Provider, number> = { kakaopay: 290, naverpay: 250 };

beforeAll(async () => {
  h = await startRenewalHarness({ env: { AUTH_SESSION_CACHE_MS: '0' } });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function staff(role: 'admin' | 'support' | 'finance'): Promise<User> {
  const u = await h.signup();
  await h.db.db.updateTable('users').set({ role }).where('id', '=', u.userId).execute();
  return u;
}

/** `count` paid checkouts with `provider` (one user each), newest last. */
async function payments(provider: Provider, count: number) {
  const out: { user: User; id: string; ref: string; amount: number; approvedAt: Date }[] = [];
  for (let i = 0; i < count; i++) {
    const user = await h.signup();
    const r = await h.subscribe(provider, user, i % 2 === 0 ? 'standard' : 'premium');
    const row = await h.db.db.selectFrom('payments').selectAll().where('id', '=', r.payment.id).executeTakeFirstOrThrow();
    out.push({ user, id: row.id, ref: row.provider_ref!, amount: row.amount_krw, approvedAt: row.approved_at! });
  }
  return out;
}

const kstDay = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

async function settlementFile(provider: Provider, day: string): Promise<string> {
  const res = await fetch(`${h.urls[provider]}/__sandbox/settlements/${day}`);
  expect(res.status).toBe(200);
  return res.text();
}

async function upload(token: string, provider: Provider, content: string, fileName = `${provider}.csv`) {
  return h.api('POST', '/api/admin/settlements', { token, body: { provider, file_name: fileName, content } });
}

const kinds = (diffs: any[]) => diffs.map((d) => `${d.kind}:${d.line_kind}:${d.payment_id ?? d.provider_ref}`).sort();

describe(`settlement reconciliation (${label})`, () => {
  it('KakaoPay: a matching file has no differences, and its totals and fees are what we compute', async () => {
    const finance = await staff('finance');
    const paid = await payments('kakaopay', 3);
    const admin = await staff('admin');
    const refund = await h.api('POST', `/api/admin/payments/${paid[0].id}/refunds`, { token: admin.token, body: { amount_krw: 5000, reason: '부분 환불' } });
    expect(refund.status).toBe(201);
    const day = kstDay(paid[0].approvedAt);
    const file = await settlementFile('kakaopay', day);
    expect(file.split('\r\n')[0]).toBe('settlement_date,cid,tid,aid,partner_order_id,partner_user_id,payment_action_type,payment_method_type,approved_at,amount,fee,fee_vat,settle_amount,status');

    const r = await upload(finance.token, 'kakaopay', file, 'kakaopay-settlement.csv');
    expect(r.status).toBe(201);
    expect(r.body.differences).toEqual([]);
    const fee = (a: number) => Math.round((a * BPS.kakaopay) / 10000);
    const expectedFees = paid.reduce((s, p) => s + fee(p.amount) + Math.round(fee(p.amount) / 10), 0);
    const net = paid.reduce((s, p) => s + p.amount, 0) - 5000;
    expect(r.body.import).toMatchObject({ provider: 'kakaopay', settlement_date: day, line_count: 4, file_amount_krw: net, ledger_amount_krw: net, file_fee_krw: expectedFees, ledger_fee_krw: expectedFees, difference_count: 0 });

    const list = await h.api('GET', '/api/admin/settlements', { token: finance.token });
    expect(list.body.imports.map((i: any) => i.id)).toEqual([r.body.import.id]);
    const audit = await (h.db.db as any).selectFrom('admin_audit_log').selectAll().where('action', '=', 'settlement.import').execute();
    expect(audit.map((a: any) => [a.actor_user_id, a.target_id])).toEqual([[finance.userId, r.body.import.id]]);
  });

  it('KakaoPay with the skew switch: each kind of difference is flagged and stored', async () => {
    const admin = await staff('admin');
    const paid = await payments('kakaopay', 4);
    const refund = await h.api('POST', `/api/admin/payments/${paid[0].id}/refunds`, { token: admin.token, body: { reason: '전액 환불' } });
    expect(refund.status).toBe(201);
    const aid = refund.body.refund.provider_refund_ref ?? (await h.db.db.selectFrom('refunds' as any).select('provider_refund_ref' as any).executeTakeFirstOrThrow() as any).provider_refund_ref;
    expect(aid).toBeTruthy();
    await h.sandbox('kakaopay', 'POST', '/__sandbox/settlements/skew', {
      omit: [paid[1].ref, aid],
      amount_delta: { [paid[2].ref]: 100 },
      fee_delta: { [paid[3].ref]: 5 },
      status: { [paid[0].ref]: 'FAIL_PAYMENT' },
      phantom: true,
    });
    const r = await upload(admin.token, 'kakaopay', await settlementFile('kakaopay', kstDay(paid[0].approvedAt)));
    expect(r.status).toBe(201);
    expect(kinds(r.body.differences)).toEqual(
      [
        `missing_in_file:payment:${paid[1].id}`,
        `amount_mismatch:payment:${paid[2].id}`,
        `fee_mismatch:payment:${paid[3].id}`,
        `status_mismatch:payment:${paid[0].id}`,
        `missing_in_file:cancel:${paid[0].id}`,
        'missing_in_ledger:payment:T_PHANTOM_0000000001',
      ].sort(),
    );
    const amount = r.body.differences.find((d: any) => d.kind === 'amount_mismatch');
    expect([amount.file.amount_krw, amount.ledger.amount_krw]).toEqual([paid[2].amount + 100, paid[2].amount]);
    const fee = r.body.differences.find((d: any) => d.kind === 'fee_mismatch');
    const expected = Math.round((paid[3].amount * BPS.kakaopay) / 10000);
    expect([fee.file.fee_krw, fee.ledger.fee_krw]).toEqual([expected + 5, expected]);

    const stored = await h.api('GET', `/api/admin/settlements/${r.body.import.id}`, { token: admin.token });
    expect(kinds(stored.body.differences)).toEqual(kinds(r.body.differences));
    expect(stored.body.import.difference_count).toBe(6);
  });

  it('NaverPay: a different fee rate, a failed line and a line we never made are flagged; bad files and wrong roles write nothing', async () => {
    const admin = await staff('admin');
    const support = await staff('support');
    const paid = await payments('naverpay', 2);
    const day = kstDay(paid[0].approvedAt);
    const clean = await upload(admin.token, 'naverpay', await settlementFile('naverpay', day));
    expect(clean.body.differences).toEqual([]);

    await h.sandbox('naverpay', 'POST', '/__sandbox/settlements/skew', { fee_bps: 290, status: { [paid[1].ref]: 'FAIL' }, phantom: true });
    const r = await upload(admin.token, 'naverpay', await settlementFile('naverpay', day));
    expect(kinds(r.body.differences)).toEqual(
      // A failed line's fee means nothing (NaverPay: settleExpected false), so only its status is flagged.
      [`fee_mismatch:payment:${paid[0].id}`, `status_mismatch:payment:${paid[1].id}`, 'missing_in_ledger:payment:20990101NP0000000001'].sort(),
    );

    const before = (await h.api('GET', '/api/admin/settlements', { token: admin.token })).body.total;
    expect((await upload(support.token, 'naverpay', 'x')).status).toBe(403);
    const bad = await upload(admin.token, 'naverpay', 'paymentId,totalPayAmount\r\n1,2\r\n');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const wrongProvider = await upload(admin.token, 'kakaopay', await settlementFile('naverpay', day));
    expect(wrongProvider.status).toBe(400);
    expect((await h.api('GET', '/api/admin/settlements', { token: admin.token })).body.total).toBe(before);
  });
});
