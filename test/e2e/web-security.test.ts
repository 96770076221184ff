import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';

/** The web app under the security headers (docs/web-security.md). */
describe('web security in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** Console lines about Content-Security-Policy refusals. */
  function cspViolations(page: Page): string[] {
    const out: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) out.push(m.text());
    });
    return out;
  }

  it(
    'runs the pages, a NaverPay SDK checkout and Swagger UI without CSP refusals',
    async () => {
      const { page } = await e2e.newPage();
      const violations = cspViolations(page);
      await signUpInBrowser(page, e2e.url, uniqueEmail('csp'));
      for (const path of ['/', '/subscription', '/payments']) {
        await page.goto(e2e.url + path);
        await page.locator('main').waitFor();
      }
      // The SDK script comes from NAVERPAY_SDK_URL and posts its form to NaverPay's pages.
      await page.goto(e2e.url + '/');
      await page.getByRole('link', { name: '스탠다드 플랜 선택하기' }).click();
      await page.locator('label.method-option', { hasText: '네이버페이' }).click();
      // One-time payment: the SDK flow (recurring payments redirect instead).
      await page.getByRole('checkbox', { name: '30일마다 자동 결제' }).uncheck();
      await page.getByRole('button', { name: '네이버페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.naverpayUrl!));
      await page.locator('#approve').click();
      await page.waitForURL(/\/payment\/success\?payment_id=.+&method=naverpay/);
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();

      await page.goto(`${e2e.url}/docs/`);
      await page.locator('.swagger-ui .info').waitFor();
      await screenshot(page, 'web-security-docs');
      expect(violations).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    'shows the Korean reason when sign-up refuses a weak password',
    async () => {
      const { page } = await e2e.newPage();
      await page.goto(`${e2e.url}/signup`);
      await page.getByLabel('이메일').fill(uniqueEmail('weak'));
      await page.getByLabel('비밀번호').fill('Password1');
      await page.getByRole('button', { name: '가입하기' }).click();
      await page.getByText('너무 흔한 비밀번호입니다.', { exact: false }).waitFor();
      expect(page.url()).toBe(`${e2e.url}/signup`);
      await screenshot(page, 'web-security-weak-password');
    },
    E2E_TIMEOUT,
  );
});
