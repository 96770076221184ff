import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import { issueSandboxAdminToken } from '../../src/local-stack.ts';
import { extractPdfText } from '../helpers/pdf-text.ts';

/**
 * Issue 11 item 13 in the browser: the receipt page after a KakaoPay card payment and an
 * operator's partial refund shows the card approval number, the merchant's business details,
 * the VAT split and the refund; "PDF 내려받기" downloads a PDF whose Korean text is there.
 */
describe('receipt page', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      env: {
        BUSINESS_NAME: '주식회사 쇼미더스탁',
        BUSINESS_OWNER: '홍길동',
        BUSINESS_REGISTRATION_NUMBER: '123-45-67890',
        BUSINESS_MAIL_ORDER_NUMBER: '제2026-서울강남-0001호',
        BUSINESS_ADDRESS: '서울특별시 강남구 테헤란로 1',
        BUSINESS_CONTACT: '02-1234-5678 · help@example.com',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it(
    'shows approval number, business details, VAT split and refunds; downloads the PDF',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('receipt'));
      await page.getByRole('link', { name: '스탠다드 플랜 선택하기' }).click();
      await page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await page.locator('#approve-card').click();
      await page.waitForURL(/\/payment\/success\?/);
      const paymentId = new URL(page.url()).searchParams.get('payment_id')!;

      // An operator refunds part of it, so the receipt has a refund line.
      const admin = await issueSandboxAdminToken(e2e.stack.services);
      const refund = await fetch(`${e2e.url}/api/admin/payments/${paymentId}/refunds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', 'idempotency-key': `k-${Date.now()}` },
        body: JSON.stringify({ amount_krw: 5000, reason: '장애 보상' }),
      });
      expect(refund.status).toBe(201);

      await page.goto(`${e2e.url}/payments/receipt?id=${encodeURIComponent(paymentId)}`);
      await page.getByRole('heading', { name: '영수증', exact: true }).waitFor();
      const approvalNo = (await page.getByTestId('approval-no').innerText()).trim();
      expect(approvalNo).toMatch(/^\d{8}$/);
      const card = await page.locator('.receipt-card').innerText();
      for (const s of ['카드 승인번호', '거래 번호', '공급가액', '26,364원', '부가세', '2,636원', '환불 내역', '장애 보상', '실 결제 금액', '24,000원']) {
        expect(card).toContain(s);
      }
      const business = await page.getByLabel('판매자 정보').innerText();
      for (const s of ['주식회사 쇼미더스탁', '홍길동', '123-45-67890', '제2026-서울강남-0001호', '서울특별시 강남구 테헤란로 1', '02-1234-5678']) {
        expect(business).toContain(s);
      }
      expect(card).not.toMatch(/월\s*[\d,]+원|매월|\/월/);
      await screenshot(page, 'receipt-01-desktop');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'PDF 내려받기' }).click()]);
      expect(download.suggestedFilename()).toMatch(/\.pdf$/);
      const path = await download.path();
      const text = extractPdfText(readFileSync(path)).lines.join('\n');
      for (const s of ['영수증', '주식회사 쇼미더스탁', '카드 승인번호', approvalNo, '공급가액', '부가세', '환불 내역', '장애 보상', '24,000원']) {
        expect(text).toContain(s);
      }

      const phone = await e2e.newPage({ width: 390, height: 844, mobile: true });
      await phone.context.addCookies(await page.context().cookies());
      await phone.page.goto(`${e2e.url}/payments/receipt?id=${encodeURIComponent(paymentId)}`);
      await phone.page.getByTestId('approval-no').waitFor();
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(phone.page, 'receipt-02-mobile');
    },
    E2E_TIMEOUT * 3,
  );
});
