import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, PASSWORD, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';

const PHONE = { width: 375, height: 740, mobile: true };
const ADMIN_EMAIL = `admin-e2e-${process.pid}@example.com`;

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('phone width, anonymous visitors and keyboard use', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it(
    'renders every page at 375px and pays with KakaoPay on its mobile page',
    async () => {
      const { page } = await e2e.newPage(PHONE);
      await signUpInBrowser(page, e2e.url, uniqueEmail('phone'));
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'phone-01-plans');

      await page.getByRole('link', { name: '스탠다드 플랜 선택하기' }).click();
      await page.locator('label.method-option', { hasText: '카카오페이' }).click();
      const pay = page.getByRole('button', { name: '카카오페이로 결제' });
      await pay.waitFor();
      const box = await pay.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.locator('.price-table').innerText()).toMatch(/부가세 \(VAT 10%\)\s*2,636원/);
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'phone-02-checkout');

      await pay.click();
      // A phone gets KakaoPay's mobile page.
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!) && u.pathname.endsWith('/mInfo'));
      await page.locator('#approve-card').click();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'phone-03-success');

      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'phone-04-subscription');

      await page.getByRole('link', { name: '결제 내역', exact: true }).click();
      const row = page.locator('tbody tr').first();
      await row.getByText('결제 완료').waitFor();
      // Rows become labelled cards on a phone.
      const label = await row.locator('td[data-label="부가세"]').evaluate((td) => getComputedStyle(td, '::before').content);
      expect(label).toBe('"부가세"');
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'phone-05-payments');
    },
    E2E_TIMEOUT,
  );

  it(
    'sends an anonymous visitor who picks a plan through sign-up and back to the checkout',
    async () => {
      const { page } = await e2e.newPage();
      await page.goto(`${e2e.url}/`);
      await page.getByRole('heading', { name: '프리미엄' }).waitFor();
      expect(await page.getByRole('link', { name: '내 구독' }).count()).toBe(0);
      await page.getByRole('link', { name: '프리미엄 플랜 선택하기' }).click();
      await page.waitForURL(/\/login\?next=%2Fcheckout%3Fplan%3Dpremium/);
      await page.getByRole('heading', { name: '로그인' }).waitFor();

      // Korean validation messages before anything is sent.
      await page.getByRole('button', { name: '로그인' }).click();
      await page.getByText('이메일을 입력해 주세요.').waitFor();
      expect(await page.getByLabel('이메일').getAttribute('aria-invalid')).toBe('true');

      // Wrong password: the API's Korean message.
      await page.getByLabel('이메일').fill(uniqueEmail('nobody'));
      await page.getByLabel('비밀번호').fill(PASSWORD);
      await page.getByRole('button', { name: '로그인' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toMatch(/[가-힣]/);
      await screenshot(page, 'access-01-login-error');

      await page.getByRole('main').getByRole('link', { name: '회원가입' }).click();
      await page.waitForURL(/\/signup\?next=/);
      await page.getByLabel('이메일').fill(uniqueEmail('anon'));
      await page.getByLabel('비밀번호').fill('short');
      await page.getByRole('button', { name: '가입하기' }).click();
      await page.getByText('비밀번호는 8자 이상이어야 합니다.').waitFor();
      await page.getByLabel('비밀번호').fill(PASSWORD);
      await page.getByRole('button', { name: '가입하기' }).click();
      await page.waitForURL(`${e2e.url}/checkout?plan=premium`);
      await page.getByText('총 결제 금액').waitFor();
      expect(await page.locator('.price-total').innerText()).toContain('59,000원');
    },
    E2E_TIMEOUT,
  );

  it(
    'lets a keyboard user choose a method and auto-renewal, with visible focus',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('keys'));
      await page.goto(`${e2e.url}/checkout?plan=standard`);
      const kakao = page.getByRole('radio', { name: '카카오페이' });
      await kakao.waitFor({ state: 'attached' });
      expect(await page.getByRole('button', { name: '결제 수단을 선택해 주세요' }).isDisabled()).toBe(true);

      // Tab until the first payment method has focus, then choose with the arrow keys.
      for (let i = 0; i < 20 && !(await kakao.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      expect(await kakao.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Space');
      expect(await kakao.isChecked()).toBe(true);
      await page.keyboard.press('ArrowRight');
      expect(await page.getByRole('radio', { name: '네이버페이' }).isChecked()).toBe(true);
      const ring = await page.locator('label.method-option.is-selected').evaluate((el) => getComputedStyle(el).boxShadow);
      expect(ring).not.toBe('none');

      await page.keyboard.press('Tab');
      const renew = page.getByRole('checkbox', { name: '30일마다 자동 결제' });
      expect(await renew.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Space');
      expect(await renew.isChecked()).toBe(false);
      await page.getByRole('button', { name: '네이버페이로 결제' }).waitFor();
      await screenshot(page, 'access-02-keyboard-checkout');
    },
    E2E_TIMEOUT,
  );

  it(
    'shows the 관리자 menu entry to admins only',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('plain'));
      expect(await page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리자' }).count()).toBe(0);
      await page.goto(`${e2e.url}/admin`);
      await page.getByText('접근 권한이 없습니다').waitFor();

      const admin = await e2e.newPage();
      await signUpInBrowser(admin.page, e2e.url, ADMIN_EMAIL);
      await admin.page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리자' }).click();
      await admin.page.waitForURL(`${e2e.url}/admin`);
      await admin.page.getByRole('heading', { name: '관리자' }).waitFor();
    },
    E2E_TIMEOUT,
  );
});
