import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E, agreeToOrder } from './helpers.ts';
import type { PaymentsResponse } from '../../src/http/schemas/payment-schemas.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';

/**
 * Issue 11 items 5–8 in the browser: 결제 내역 tells expired, cancelled and paid attempts apart;
 * the upgrade and cancel-now dialogs show the server's quote and exactly that amount is charged
 * or refunded (the test clock moved meanwhile); cancel-now inside the 청약철회 window offers
 * 청약철회; after the test clock moved a week, a log-in still holds.
 */

/** "29,999원" → 29999 */
function wonOf(text: string): number {
  const m = /([\d,]+)원/.exec(text);
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  return Number(m[1].replace(/,/g, ''));
}

describe('quotes and payment history in the browser', () => {
  let e2e: E2E;
  let admin: Record<string, string>;
  beforeAll(async () => {
    e2e = await startE2E();
    admin = { authorization: `Bearer ${(await issueSandboxAdminToken(e2e.stack.services)).token}` };
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  async function advance(page: Page, ms: number) {
    const r = await page.request.post(`${e2e.url}/api/sandbox/clock`, { data: { advance_ms: ms }, headers: admin });
    expect(r.ok()).toBe(true);
  }

  /** Starts a KakaoPay checkout of 스탠다드 and stops on KakaoPay's page. */
  async function startKakaoPay(page: Page) {
    await page.goto(`${e2e.url}/checkout?plan=standard`);
    await page.locator('label.method-option', { hasText: '카카오페이' }).click();
    await agreeToOrder(page);
    await page.getByRole('button', { name: '카카오페이로 결제' }).click();
    await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
  }

  async function subscribe(page: Page) {
    await startKakaoPay(page);
    await page.locator('#approve-card').click();
    await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
    await page.goto(`${e2e.url}/subscription`);
    await page.getByRole('heading', { name: '스탠다드' }).waitFor();
  }

  it(
    'cancel-now inside the 청약철회 window offers 청약철회 and refunds everything',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('quote-withdraw'));
      await subscribe(page);
      expect(await page.locator('#refund-title').locator('xpath=..').innerText()).toContain('청약철회가 유리해요');
      await page.getByRole('button', { name: '즉시 해지 및 환불' }).click();
      const dialog = page.getByRole('dialog', { name: '지금 해지하고 환불받을까요?' });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain('청약철회로 전액 환불받을 수 있어요');
      expect(await dialog.getByTestId('cancel-now-refund').innerText()).toBe('28,033원');
      await screenshot(page, 'quotes-01-cancel-now-offers-withdrawal');
      await dialog.getByRole('button', { name: '청약철회로 29,000원 전액 환불받기' }).click();
      const withdraw = page.getByRole('dialog', { name: '청약철회할까요?' });
      await withdraw.waitFor();
      await withdraw.getByRole('button', { name: '29,000원 환불받기' }).click();
      await page.getByText('청약철회가 완료되었습니다').waitFor();
      await page.getByRole('heading', { name: '기본' }).waitFor();
      await screenshot(page, 'quotes-02-withdrawn');
    },
    E2E_TIMEOUT,
  );

  it(
    'the upgrade dialog shows the server quote and exactly that amount is charged though the clock moved',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('quote-upgrade'));
      await subscribe(page);
      const listed = await page.locator('.change-item', { hasText: '프리미엄' }).innerText();
      expect(listed).toMatch(/남은 (29일 23시간|30일) 차액 [\d,]+원 결제/);
      await page.getByRole('button', { name: '프리미엄(으)로 업그레이드' }).click();
      const dialog = page.getByRole('dialog', { name: '프리미엄 플랜으로 업그레이드할까요?' });
      await dialog.waitFor();
      const shown = wonOf(await dialog.getByTestId('proration-charge').innerText());
      expect(shown).toBeGreaterThanOrEqual(29_990);
      await screenshot(page, 'quotes-03-upgrade-dialog');
      // The user reads for "three minutes": the same rule at the new now would charge less.
      await advance(page, 3 * 60_000);
      const now = (await (await page.request.get(`${e2e.url}/api/subscription/change/quote?plan=premium`)).json()) as { charge_krw: number };
      expect(now.charge_krw).toBeLessThan(shown);
      await dialog.getByRole('button', { name: `${shown.toLocaleString('en-US')}원 결제하고 변경` }).click();
      const done = page.locator('.flash .notice');
      await done.getByText('프리미엄 플랜으로 변경되었습니다').waitFor();
      expect(wonOf(await done.innerText())).toBe(shown);
      const payments = (await (await page.request.get(`${e2e.url}/api/payments`)).json()) as PaymentsResponse;
      expect(payments.payments.find((p) => p.kind === 'upgrade')).toMatchObject({ amount_krw: shown, outcome: 'paid' });
      await screenshot(page, 'quotes-04-upgraded');

      // A quote past its 10 minutes is refused without charging; the dialog shows the new one.
      await page.getByRole('button', { name: '프로(으)로 업그레이드' }).click();
      const pro = page.getByRole('dialog', { name: '프로 플랜으로 업그레이드할까요?' });
      await pro.waitFor();
      const first = wonOf(await pro.getByTestId('proration-charge').innerText());
      await advance(page, 11 * 60_000);
      await pro.getByRole('button', { name: `${first.toLocaleString('en-US')}원 결제하고 변경` }).click();
      await pro.getByRole('alert').getByText('새로 계산한 금액을 확인한 뒤 다시 눌러 주세요').waitFor();
      const second = wonOf(await pro.getByTestId('proration-charge').innerText());
      expect(second).toBeLessThan(first);
      await screenshot(page, 'quotes-04b-requoted');
      await pro.getByRole('button', { name: `${second.toLocaleString('en-US')}원 결제하고 변경` }).click();
      await done.getByText('프로 플랜으로 변경되었습니다').waitFor();
      expect(wonOf(await done.innerText())).toBe(second);
      const after = (await (await page.request.get(`${e2e.url}/api/payments`)).json()) as PaymentsResponse;
      expect(after.payments.filter((p) => p.kind === 'upgrade').map((p) => p.amount_krw)).toEqual([second, shown]);
    },
    E2E_TIMEOUT,
  );

  // Moves the test clock 8 days: after the tests that need a fresh payment.
  it(
    '결제 내역 shows expired and cancelled attempts as such; cancel-now after the window refunds the quote; the session survives the clock',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('quote-history'));
      // A checkout cancelled on KakaoPay's page.
      await startKakaoPay(page);
      await page.locator('#cancel').click();
      await page.getByRole('heading', { name: '결제가 취소되었습니다' }).waitFor();
      // A checkout abandoned on KakaoPay's page: it expires with the tid (15 minutes).
      await startKakaoPay(page);
      await page.goto(`${e2e.url}/payments`);
      await page.locator('tbody tr[data-outcome="pending"]').getByText('결제 대기').waitFor();
      await advance(page, 17 * 60_000);
      // A paid one.
      await subscribe(page);

      await page.goto(`${e2e.url}/payments`);
      await page.locator('tbody tr[data-outcome="paid"]').waitFor();
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(3);
      const expired = page.locator('tbody tr[data-outcome="expired"]');
      expect(await expired.innerText()).toContain('시간 만료');
      expect(await expired.innerText()).toContain('청구되지 않음');
      const canceled = page.locator('tbody tr[data-outcome="canceled"]');
      expect(await canceled.innerText()).toContain('취소됨');
      expect(await canceled.innerText()).toContain('청구되지 않음');
      const paid = page.locator('tbody tr[data-outcome="paid"]');
      expect(await paid.innerText()).toContain('결제 완료');
      expect(await paid.locator('s').count()).toBe(0);
      expect(await expired.locator('s').innerText()).toBe('29,000원');
      expect(await page.getByText('대기', { exact: true }).count()).toBe(0);
      await screenshot(page, 'quotes-05-payment-history');

      // Eight days later (outside the 7-day window): no 청약철회 offer, and the quote is refunded.
      await advance(page, 8 * 24 * 3_600_000);
      // The session cookie runs on real time: still signed in after the test clock moved.
      await page.goto(`${e2e.url}/subscription`);
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      await page.getByRole('button', { name: '즉시 해지 및 환불' }).click();
      const dialog = page.getByRole('dialog', { name: '지금 해지하고 환불받을까요?' });
      await dialog.waitFor();
      expect(await dialog.innerText()).not.toContain('청약철회로');
      const quoted = wonOf(await dialog.getByTestId('cancel-now-refund').innerText());
      // floor(29,000 × 21 / 30): 21 whole days left.
      expect(quoted).toBe(20_300);
      await screenshot(page, 'quotes-06-cancel-now-after-window');
      await dialog.getByRole('button', { name: `해지하고 ${quoted.toLocaleString('en-US')}원 환불받기` }).click();
      await page.getByText(`미사용 기간 ${quoted.toLocaleString('en-US')}원을 환불했습니다.`).waitFor();

      // A new log-in at the moved clock gets a cookie that holds across pages.
      const fresh = await e2e.newPage();
      await signUpInBrowser(fresh.page, e2e.url, uniqueEmail('quote-clock-login'));
      await fresh.page.goto(`${e2e.url}/payments`);
      await fresh.page.getByRole('heading', { name: '결제 내역' }).waitFor();
      await fresh.page.getByRole('button', { name: '로그아웃' }).waitFor();
      const cookie = (await fresh.context.cookies()).find((c) => c.name === 'smts_session');
      expect(cookie && cookie.expires * 1000).toBeGreaterThan(Date.now() + 6 * 24 * 3_600_000);
    },
    E2E_TIMEOUT * 2,
  );
});
