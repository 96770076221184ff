import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { E2E_TIMEOUT, PASSWORD, agreeToOrder, agreeToSignupTerms, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import { LEGAL_VERSIONS } from '../../src/domain/legal/legal-documents.ts';

/**
 * Issue 11 items 10 and 12 in the browser: sign-up consents, the checkout's 주문 내용 확인 및 결제
 * 동의 step (both providers), the business identity in every page's footer, the /terms and
 * /privacy pages, and a password reset through the sandbox mailbox's link.
 */
const ADMIN_EMAIL = `admin-consent-${process.pid}@example.com`;
const BUSINESS = {
  BUSINESS_NAME: '주식회사 쇼미더스탁',
  BUSINESS_REPRESENTATIVE: '김대표',
  BUSINESS_REGISTRATION_NUMBER: '123-45-67890',
  MAIL_ORDER_REPORT_NUMBER: '제2026-서울강남-01234호',
  BUSINESS_ADDRESS: '서울특별시 강남구 테헤란로 1',
  BUSINESS_PHONE: '02-1234-5678',
  BUSINESS_EMAIL: 'help@example.com',
};

describe('consents, footer and password reset in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL, ...BUSINESS } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  const consentRows = async (userEmail: string) =>
    (
      await sql<{ document: string; version: string; payment_id: string | null }>`
        SELECT c.document, c.version, c.payment_id FROM consents c JOIN users u ON u.id = c.user_id
        WHERE u.email = ${userEmail} ORDER BY c.agreed_at, c.document`.execute(e2e.stack.services.db.db)
    ).rows;

  it(
    'sign-up asks for 이용약관 and 개인정보 consents; the footer carries the business identity on every page',
    async () => {
      const { page } = await e2e.newPage();
      const email = uniqueEmail('consent-signup');
      await page.goto(`${e2e.url}/signup`);
      await page.getByLabel('이메일').fill(email);
      await page.getByLabel('비밀번호').fill(PASSWORD);
      await page.getByRole('button', { name: '가입하기' }).click();
      await page.getByText('이용약관에 동의해 주세요.').waitFor();
      await page.getByText('개인정보 수집 · 이용에 동의해 주세요.').waitFor();
      expect(page.url()).toBe(`${e2e.url}/signup`);
      await screenshot(page, 'consent-01-signup-required');

      await page.getByRole('checkbox', { name: '전체 동의' }).check();
      expect(await page.getByLabel('이용약관에 동의합니다 (필수)').isChecked()).toBe(true);
      expect(await page.getByLabel('개인정보 수집 · 이용에 동의합니다 (필수)').isChecked()).toBe(true);
      await screenshot(page, 'consent-02-signup-agreed');
      await page.getByRole('button', { name: '가입하기' }).click();
      await page.waitForURL(`${e2e.url}/`);
      await page.getByRole('button', { name: '로그아웃' }).waitFor();
      expect(await consentRows(email)).toEqual([
        { document: 'privacy', version: LEGAL_VERSIONS.privacy, payment_id: null },
        { document: 'terms', version: LEGAL_VERSIONS.terms, payment_id: null },
      ]);

      for (const path of ['/', '/subscription', '/payments', '/login', '/terms']) {
        await page.goto(e2e.url + path);
        const footer = page.locator('footer .footer-business');
        await footer.waitFor();
        const text = await footer.innerText();
        for (const part of [
          '상호 주식회사 쇼미더스탁',
          '대표자 김대표',
          '사업자등록번호 123-45-67890',
          '통신판매업 신고번호 제2026-서울강남-01234호',
          '서울특별시 강남구 테헤란로 1',
          '02-1234-5678',
          'help@example.com',
        ]) {
          expect(text, `${path}: ${part}`).toContain(part);
        }
      }
      await page.goto(`${e2e.url}/`);
      await page.locator('footer .footer-business').scrollIntoViewIfNeeded();
      await screenshot(page, 'consent-03-footer');
    },
    E2E_TIMEOUT,
  );

  it(
    'the terms and privacy pages show their version',
    async () => {
      const { page } = await e2e.newPage();
      await page.goto(`${e2e.url}/terms`);
      await page.getByRole('heading', { name: '이용약관', level: 1 }).waitFor();
      expect(await page.locator('.legal-version').innerText()).toContain(LEGAL_VERSIONS.terms);
      expect(await page.locator('main').innerText()).toContain('제17조 제2항 제5호');
      await screenshot(page, 'consent-04-terms');
      await page.goto(`${e2e.url}/privacy`);
      await page.getByRole('heading', { name: '개인정보 수집 · 이용 동의', level: 1 }).waitFor();
      expect(await page.locator('.legal-version').innerText()).toContain(LEGAL_VERSIONS.privacy);
      await screenshot(page, 'consent-05-privacy');
    },
    E2E_TIMEOUT,
  );

  for (const provider of [
    { id: 'kakaopay', name: '카카오페이', approve: '#approve-card' },
    { id: 'naverpay', name: '네이버페이', approve: '#approve' },
  ] as const) {
    it(
      `${provider.name}: the 주문 내용 확인 및 결제 동의 step comes before the provider's page, and the consent is stored with the payment`,
      async () => {
        const { page } = await e2e.newPage();
        const email = uniqueEmail(`consent-${provider.id}`);
        await signUpInBrowser(page, e2e.url, email);
        await page.goto(`${e2e.url}/checkout?plan=standard`);
        await page.locator('label.method-option', { hasText: provider.name }).click();
        // One-time: both providers open their hosted page (NaverPay through its SDK).
        await page.getByRole('checkbox', { name: '30일마다 자동 결제' }).uncheck();
        const step = page.locator('section', { has: page.getByRole('heading', { name: '주문 내용 확인 및 결제 동의' }) });
        const text = await step.innerText();
        for (const part of ['스탠다드 플랜 (30일 이용권)', '29,000원', '부가세 2,636원 포함', '(30일)', '이번 한 번만 결제', provider.name, '7일 이내', '청약철회가 제한됩니다', '제17조 제2항 제5호']) {
          expect(text, part).toContain(part);
        }
        await page.getByRole('button', { name: `${provider.name}로 결제` }).click();
        await page.getByText('결제하려면 주문 내용 확인 및 결제 조건에 동의해 주세요.').waitFor();
        expect(page.url()).toContain('/checkout?plan=standard');
        expect(await page.getByLabel(/결제에 동의합니다/).evaluate((el) => el === document.activeElement)).toBe(true);
        if (provider.id === 'kakaopay') await screenshot(page, 'consent-06-checkout-step-required');

        await agreeToOrder(page);
        if (provider.id === 'kakaopay') await screenshot(page, 'consent-07-checkout-step-agreed');
        else await screenshot(page, 'consent-08-checkout-step-naverpay');
        await page.getByRole('button', { name: `${provider.name}로 결제` }).click();
        await page.waitForURL((u) => u.href.startsWith((provider.id === 'kakaopay' ? e2e.stack.kakaopayUrl : e2e.stack.naverpayUrl)!));
        await page.locator(provider.approve).click();
        await page.waitForURL(/\/payment\/success\?/);
        await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
        const paymentId = new URL(page.url()).searchParams.get('payment_id');
        const rows = await consentRows(email);
        expect(rows.filter((r) => r.document === 'order')).toEqual([{ document: 'order', version: LEGAL_VERSIONS.order, payment_id: paymentId }]);
      },
      E2E_TIMEOUT,
    );
  }

  it(
    'resets a forgotten password through the link in the sandbox mailbox; other sessions are signed out',
    async () => {
      const email = uniqueEmail('reset');
      const NEW_PASSWORD = 'violet staple orbit lamp';
      const other = await e2e.newPage();
      await signUpInBrowser(other.page, e2e.url, email);

      const { page } = await e2e.newPage();
      await page.goto(`${e2e.url}/login`);
      await page.getByRole('link', { name: '비밀번호를 잊으셨나요?' }).click();
      await page.waitForURL(`${e2e.url}/password/forgot`);
      await page.getByLabel('이메일').fill(email);
      await screenshot(page, 'reset-01-request');
      await page.getByRole('button', { name: '재설정 링크 받기' }).click();
      await page.getByText('가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다').waitFor();
      await screenshot(page, 'reset-02-requested');

      // The admin opens the sandbox mailbox and finds the mail with the link.
      const admin = await e2e.newPage();
      await signUpInBrowser(admin.page, e2e.url, ADMIN_EMAIL);
      await admin.page.goto(`${e2e.url}/sandbox/mailbox?email=${encodeURIComponent(email)}`);
      const mail = admin.page.locator('article', { hasText: '비밀번호 재설정 안내' });
      await mail.waitFor();
      await screenshot(admin.page, 'reset-03-mailbox');
      const link = /https?:\/\/\S+\/password\/reset\?token=[A-Za-z0-9_%-]+/.exec(await mail.innerText())![0];

      await page.goto(link);
      await page.getByLabel('새 비밀번호', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('새 비밀번호 확인').fill(NEW_PASSWORD);
      await screenshot(page, 'reset-04-new-password');
      await page.getByRole('button', { name: '비밀번호 변경' }).click();
      await page.getByText('비밀번호를 변경했습니다', { exact: false }).first().waitFor();
      await screenshot(page, 'reset-05-done');

      // The same link again: refused, with a way to ask for a new one.
      await page.goto(link);
      await page.getByLabel('새 비밀번호', { exact: true }).fill('another fine passphrase');
      await page.getByLabel('새 비밀번호 확인').fill('another fine passphrase');
      await page.getByRole('button', { name: '비밀번호 변경' }).click();
      await page.getByText('이미 사용한 비밀번호 재설정 링크입니다', { exact: false }).waitFor();
      await page.getByRole('link', { name: '재설정 메일 다시 받기' }).waitFor();
      await screenshot(page, 'reset-06-link-used');

      // The session signed in before the reset is gone.
      await other.page.goto(`${e2e.url}/subscription`);
      await other.page.waitForURL(/\/login\?next=/);

      await page.goto(`${e2e.url}/login`);
      await page.getByLabel('이메일').fill(email);
      await page.getByLabel('비밀번호').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: '로그인', exact: true }).click();
      await page.getByRole('button', { name: '로그아웃' }).waitFor();

      // The "비밀번호가 변경되었습니다" notice reached the mailbox too.
      await admin.page.reload();
      await admin.page.locator('article', { hasText: '비밀번호가 변경되었습니다' }).waitFor();
    },
    E2E_TIMEOUT,
  );
});
