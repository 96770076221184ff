import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agreeToOrder, E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import type { PaymentsResponse } from '../../src/http/schemas/payment-schemas.ts';

describe('NaverPay checkout in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** Sign up → plans → the plan → 네이버페이 → 네이버페이로 결제, up to the sandbox's page. */
  async function startNaverPay(page: Page, opts: { plan: string; autoRenew: boolean; tag: string; shot?: string }): Promise<void> {
    await signUpInBrowser(page, e2e.url, uniqueEmail(opts.tag));
    await page.getByRole('link', { name: `${opts.plan} 플랜 선택하기` }).click();
    await page.waitForURL(/\/checkout\?plan=/);
    await page.locator('label.method-option', { hasText: '네이버페이' }).click();
    expect(await page.getByRole('radio', { name: '네이버페이' }).isChecked()).toBe(true);
    const renew = page.getByRole('checkbox', { name: '30일마다 자동 결제' });
    if (!opts.autoRenew) await renew.uncheck();
    expect(await renew.isChecked()).toBe(opts.autoRenew);
    expect(await page.locator('.renew-desc').innerText()).toContain(opts.autoRenew ? '네이버페이로 자동 결제됩니다' : '이번 한 번만 결제합니다');
    if (opts.shot) await screenshot(page, opts.shot);
    await agreeToOrder(page);
    await page.getByRole('button', { name: '네이버페이로 결제' }).click();
    await page.waitForURL((u) => u.href.startsWith(e2e.stack.naverpayUrl!));
    await page.locator('#approve').waitFor();
  }

  it(
    'pays once with the NaverPay SDK (auto-renew off) and shows the subscription',
    async () => {
      const { page } = await e2e.newPage();
      await startNaverPay(page, { plan: '프리미엄', autoRenew: false, tag: 'naver-sdk', shot: 'naverpay-01-checkout-sdk' });
      // The SDK stand-in posted the checkout to the sandbox, which shows its one-time payment page.
      expect(new URL(page.url()).pathname).toMatch(/^\/payments\/(?!recurrent\/)/);
      expect(await page.locator('#approve').innerText()).toContain('결제하기');
      await screenshot(page, 'naverpay-02-sandbox-sdk');
      await page.locator('#approve').click();

      await page.waitForURL(/\/payment\/success\?payment_id=.+&method=naverpay/);
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      expect(await page.locator('.receipt-plan').innerText()).toBe('프리미엄');
      const receipt = await page.locator('.receipt').innerText();
      expect(receipt).toContain('59,000원');
      expect(receipt).toContain('네이버페이');
      expect(receipt).toContain('만료일');
      await screenshot(page, 'naverpay-03-success-sdk');

      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.waitForURL(`${e2e.url}/subscription`);
      await page.getByRole('heading', { name: '프리미엄' }).waitFor();
      const sub = await page.locator('main').innerText();
      expect(sub).toContain('월 10,000,000원');
      expect(sub).toContain('네이버페이');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*꺼짐/);
      await screenshot(page, 'naverpay-04-subscription');
    },
    E2E_TIMEOUT,
  );

  it(
    'registers recurring NaverPay payments (auto-renew on) on the registration page and charges the first month',
    async () => {
      const { page } = await e2e.newPage();
      await startNaverPay(page, { plan: '프로', autoRenew: true, tag: 'naver-recurrent' });
      expect(new URL(page.url()).pathname).toMatch(/^\/payments\/recurrent\//);
      expect(await page.locator('#approve').innerText()).toContain('등록하기');
      await screenshot(page, 'naverpay-05-sandbox-recurrent');
      await page.locator('#approve').click();

      await page.waitForURL(/\/payment\/success\?/);
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      expect(await page.locator('.receipt-plan').innerText()).toBe('프로');
      expect(await page.locator('.receipt').innerText()).toContain('다음 결제일');

      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.getByRole('heading', { name: '프로' }).waitFor();
      const sub = await page.locator('main').innerText();
      expect(sub).toContain('무제한');
      expect(sub).toContain('다음 결제일');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*켜짐/);

      await page.getByRole('link', { name: '결제 내역', exact: true }).click();
      const row = page.locator('tbody tr').first();
      await row.getByText('결제 완료').waitFor();
      expect(await row.locator('td[data-label="결제 금액"]').innerText()).toContain('99,000원');
      expect(await row.locator('td[data-label="부가세"]').innerText()).toBe('9,000원');
      expect(await row.locator('td[data-label="결제 수단"]').innerText()).toContain('네이버페이');
      await screenshot(page, 'naverpay-06-payments');
    },
    E2E_TIMEOUT,
  );

  it(
    'shows the cancel page when the user cancels on NaverPay, and the fail page when it fails',
    async () => {
      const { page } = await e2e.newPage();
      await startNaverPay(page, { plan: '스탠다드', autoRenew: false, tag: 'naver-cancel' });
      // The cancel page looks the payment up to build its "다시 시도" link; on a slow machine the
      // heading shows long before that answer. A click in between must not send the user home.
      await page.route(/\/api\/payments\/[^/?]+$/, async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await page.locator('#cancel').click();
      await page.waitForURL(/\/payment\/cancel\?/);
      await page.getByRole('heading', { name: '결제가 취소되었습니다' }).waitFor();
      await page.getByRole('link', { name: '다시 시도' }).click();
      await page.waitForURL(/\/checkout\?plan=standard&method=naverpay/);
      await page.unroute(/\/api\/payments\/[^/?]+$/);
      expect(await page.getByRole('radio', { name: '네이버페이' }).isChecked()).toBe(true);

      // Second attempt: the sandbox's "결제 실패" (owner authentication failed).
      await page.getByRole('checkbox', { name: '30일마다 자동 결제' }).uncheck();
      await agreeToOrder(page);
      await page.getByRole('button', { name: '네이버페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.naverpayUrl!));
      await page.locator('#fail').click();
      await page.waitForURL(/\/payment\/fail\?/);
      await page.getByRole('heading', { name: '결제에 실패했습니다' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('본인 인증에 실패했습니다');
      await page.getByRole('link', { name: '다시 시도' }).waitFor();
      await screenshot(page, 'naverpay-07-fail');

      const res = await page.request.get(`${e2e.url}/api/payments`);
      const body = (await res.json()) as PaymentsResponse;
      expect(body.payments.map((p) => p.status).sort()).toEqual(['abandoned', 'declined']);
    },
    E2E_TIMEOUT,
  );
});
