import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness } from '../scenarios/renewal-harness.ts';
import { extractPdfText } from '../helpers/pdf-text.ts';

/**
 * Issue 11 item 13: the receipt shows the card approval number the provider reported (not its
 * transaction id), the merchant's business details, the VAT split of the payment and of its
 * refunds, and comes as a PDF whose Korean text is really there (decoded through the embedded
 * font's ToUnicode map, see test/helpers/pdf-text.ts).
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 120_000 });
const DB = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

beforeAll(async () => {
  h = await startRenewalHarness({
    env: {
      BUSINESS_NAME: '주식회사 쇼미더스탁',
      BUSINESS_OWNER: '홍길동',
      BUSINESS_REGISTRATION_NUMBER: '123-45-67890',
      BUSINESS_MAIL_ORDER_NUMBER: '제2026-서울강남-0001호',
      BUSINESS_ADDRESS: '서울특별시 강남구 테헤란로 1',
    },
  });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

/** The approval number as the provider put it in its approval answer (kept raw in the audit row). */
async function reportedApprovalNo(paymentId: string): Promise<string> {
  const ev = await h.db.db.selectFrom('payment_events').select('data').where('payment_id', '=', paymentId).where('type', '=', 'approved').executeTakeFirstOrThrow();
  const raw = JSON.stringify(ev.data);
  const m = /"approved_id":"(\d+)"/.exec(raw) ?? /"cardAuthNo":"(\d+)"/.exec(raw);
  if (!m) throw new Error(`no approval number in the provider's answer: ${raw.slice(0, 300)}`);
  return m[1];
}

describe.each<Provider>(['kakaopay', 'naverpay'])(`receipts with %s (${DB})`, (provider) => {
  it('first payment and renewal: the card approval number the provider reported, not its transaction id', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const r = (await h.api('GET', `/api/payments/${first.payment.id}/receipt`, { token: u.token })).body;
    expect(r.receipt.approval_no).toMatch(/^\d{8}$/);
    expect(r.receipt.approval_no).toBe(await reportedApprovalNo(first.payment.id));
    expect(r.receipt.approval_no).not.toBe(r.receipt.provider_ref);

    await h.advance(30 * DAY, u);
    const renewal = (await h.payments(u.userId)).find((p) => p.kind === 'renewal')!;
    expect(renewal.status).toBe('approved');
    const rr = (await h.api('GET', `/api/payments/${renewal.id}/receipt`, { token: u.token })).body;
    expect(rr.receipt.approval_no).toMatch(/^\d{8}$/);
    expect(rr.receipt.approval_no).toBe(await reportedApprovalNo(renewal.id));
    expect(rr.receipt.approval_no).not.toBe(r.receipt.approval_no);
  });
});

describe(`receipt contents and PDF (${DB})`, () => {
  it('business details, VAT split of the payment, of the refund and of what remains; refunds listed', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const refund = await h.api('POST', `/api/admin/payments/${first.payment.id}/refunds`, {
      token: await h.adminToken(),
      body: { amount_krw: 5000, reason: '장애 보상' },
      headers: { 'idempotency-key': `k-${Date.now()}` },
    });
    expect(refund.status).toBe(201);
    const r = (await h.api('GET', `/api/payments/${first.payment.id}/receipt`, { token: u.token })).body;
    expect(r.business).toEqual({
      name: '주식회사 쇼미더스탁',
      owner: '홍길동',
      registration_number: '123-45-67890',
      mail_order_number: '제2026-서울강남-0001호',
      address: '서울특별시 강남구 테헤란로 1',
      contact: null,
    });
    expect(r.receipt).toMatchObject({
      merchant: '주식회사 쇼미더스탁',
      item: 'ShowMeTheStock 스탠다드 (30일)',
      amount_krw: 29000,
      supply_krw: 26364,
      vat_krw: 2636,
      refunded_krw: 5000,
      net_krw: 24000,
      pdf_url: `/api/payments/${first.payment.id}/receipt.pdf`,
    });
    expect(r.refunds).toHaveLength(1);
    const x = r.refunds[0];
    expect(x).toMatchObject({ kind: 'admin', status: 'succeeded', amount_krw: 5000, reason: '장애 보상' });
    expect(x.supply_krw + x.vat_krw).toBe(5000);
    expect(r.receipt.refunded_vat_krw).toBe(x.vat_krw);
    expect(r.receipt.refunded_supply_krw).toBe(x.supply_krw);
    expect(r.receipt.net_vat_krw).toBe(2636 - x.vat_krw);
    expect(r.receipt.net_supply_krw + r.receipt.net_vat_krw).toBe(24000);
  });

  it('the PDF: owner only, a valid PDF with the Korean text decodable through the embedded Noto CJK font', async () => {
    const u = await h.signup();
    const first = await h.subscribe('naverpay', u);
    await h.api('POST', `/api/admin/payments/${first.payment.id}/refunds`, {
      token: await h.adminToken(),
      body: { amount_krw: 1000, reason: '부분 환불 확인' },
      headers: { 'idempotency-key': `k-${Date.now()}` },
    });
    const view = (await h.api('GET', `/api/payments/${first.payment.id}/receipt`, { token: u.token })).body;

    const res = await h.app.inject({ method: 'GET', url: `/api/payments/${first.payment.id}/receipt.pdf`, headers: { authorization: `Bearer ${u.token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`filename="receipt-${first.payment.id}.pdf"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const pdf = res.rawPayload;
    const text = extractPdfText(pdf);
    expect(text.fonts.some((f) => /^[A-Z]{6}\+NotoSansCJKkr-Regular$/.test(f))).toBe(true);
    expect(text.fontsEmbedded).toBe(true);
    const all = text.lines.join('\n');
    for (const s of [
      '영수증',
      '주식회사 쇼미더스탁',
      '대표자',
      '홍길동',
      '사업자등록번호',
      '123-45-67890',
      '통신판매업 신고번호',
      '제2026-서울강남-0001호',
      'ShowMeTheStock 스탠다드 (30일)',
      '카드 승인번호',
      view.receipt.approval_no,
      '공급가액',
      '26,364원',
      '2,636원',
      '29,000원',
      '환불 내역',
      '부분 환불 확인',
      '실 결제 금액',
      '28,000원',
      '세금계산서가 아닙니다',
    ]) {
      expect(all).toContain(s);
    }
    // 30일 wording: the period is never called a month.
    expect(all).not.toContain('월');

    const other = await h.signup();
    const denied = await h.app.inject({ method: 'GET', url: `/api/payments/${first.payment.id}/receipt.pdf`, headers: { authorization: `Bearer ${other.token}` } });
    expect(denied.statusCode).toBe(404);
    const anonymous = await h.app.inject({ method: 'GET', url: `/api/payments/${first.payment.id}/receipt.pdf` });
    expect(anonymous.statusCode).toBe(401);
  });
});
