import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agreeToOrder, E2E_TIMEOUT, PASSWORD, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import type { PaymentsResponse } from '../../src/http/schemas/payment-schemas.ts';

describe('KakaoPay checkout in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** Plans → 스탠다드 → 카카오페이 → 카카오페이로 결제, up to the sandbox's page. */
  async function payStandardWithKakaoPay(page: Page, opts: { autoRenew?: boolean; shot?: string } = {}): Promise<void> {
    await page.getByRole('link', { name: '스탠다드 플랜 선택하기' }).click();
    await page.waitForURL(/\/checkout\?plan=standard$/);
    await page.locator('label.method-option', { hasText: '카카오페이' }).click();
    expect(await page.getByRole('radio', { name: '카카오페이' }).isChecked()).toBe(true);
    const renew = page.getByRole('checkbox', { name: '30일마다 자동 결제' });
    expect(await renew.isChecked()).toBe(true); // on by default
    if (opts.autoRenew === false) await renew.uncheck();
    if (opts.shot) await screenshot(page, opts.shot);
    await agreeToOrder(page);
    await page.getByRole('button', { name: '카카오페이로 결제' }).click();
    await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
    await page.locator('#approve-card').waitFor();
  }

  async function paidUser(tag: string, opts: { autoRenew?: boolean } = {}) {
    const { context, page } = await e2e.newPage();
    await signUpInBrowser(page, e2e.url, uniqueEmail(tag));
    await payStandardWithKakaoPay(page, opts);
    await page.locator('#approve-card').click();
    await page.waitForURL(/\/payment\/success\?/);
    await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
    return { context, page };
  }

  it(
    'signs up, pays 스탠다드 with KakaoPay on the sandbox page and shows it on 내 구독',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('kakao-full'));
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      expect(await page.locator('.plan-card').count()).toBe(4);
      const standard = page.locator('.plan-card', { has: page.getByRole('heading', { name: '스탠다드' }) });
      expect(await standard.innerText()).toContain('29,000원/30일');
      const free = page.locator('.plan-card', { has: page.getByRole('heading', { name: '기본', exact: true }) });
      expect(await free.innerText()).toContain('현재 플랜');
      await screenshot(page, 'kakaopay-01-plans');

      await payStandardWithKakaoPay(page, { shot: 'kakaopay-02-checkout' });
      expect(await page.locator('#total-amount').innerText()).toContain('29,000');
      await screenshot(page, 'kakaopay-03-sandbox');
      await page.locator('#approve-card').click();

      await page.waitForURL(/\/payment\/success\?payment_id=.+&method=kakaopay/);
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      expect(await page.locator('.receipt-plan').innerText()).toBe('스탠다드');
      const receipt = await page.locator('.receipt').innerText();
      expect(receipt).toContain('29,000원');
      expect(receipt).toContain('카카오페이');
      expect(receipt).toContain('다음 결제일');
      await screenshot(page, 'kakaopay-04-success');

      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.waitForURL(`${e2e.url}/subscription`);
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      const text = await page.locator('main').innerText();
      expect(text).toContain('이용 중');
      expect(text).toContain('월 5,000,000원');
      expect(text).toContain('다음 결제일');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*켜짐/);
      await screenshot(page, 'kakaopay-05-subscription');

      // The plans page now marks 스탠다드 as the current plan.
      await page.getByRole('link', { name: '요금제', exact: true }).click();
      const standardNow = page.locator('.plan-card', { has: page.getByRole('heading', { name: '스탠다드' }) });
      await standardNow.getByText('현재 플랜').waitFor();
      expect(await standardNow.getAttribute('class')).toContain('is-current');
    },
    E2E_TIMEOUT,
  );

  it(
    'keeps showing success after reloads and a second tab, with one payment only',
    async () => {
      const { context, page } = await paidUser('kakao-reload');
      const successUrl = page.url();
      await page.reload();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      const second = await context.newPage();
      await second.goto(successUrl);
      await second.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      expect(await second.locator('.receipt-plan').innerText()).toBe('스탠다드');
      await page.reload();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      await screenshot(page, 'kakaopay-06-success-reloaded');

      const res = await page.request.get(`${e2e.url}/api/payments`);
      const body = (await res.json()) as PaymentsResponse;
      expect(body.payments).toHaveLength(1);
      expect(body.payments[0]).toMatchObject({ status: 'approved', plan: 'standard', amount_krw: 29000 });
    },
    E2E_TIMEOUT,
  );

  it(
    'shows 내 구독 and 결제 내역 after a one-time payment (amount, VAT, method, status)',
    async () => {
      const { page } = await paidUser('kakao-history', { autoRenew: false });
      const receipt = await page.locator('.receipt').innerText();
      expect(receipt).toContain('만료일');
      expect(receipt).toContain('자동 결제 꺼짐');

      await page.getByRole('link', { name: '내 구독', exact: true }).click();
      await page.waitForURL(`${e2e.url}/subscription`);
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      const sub = await page.locator('main').innerText();
      expect(sub).toContain('만료일');
      expect(sub).toContain('월 5,000,000원');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*꺼짐/);

      await page.getByRole('link', { name: '결제 내역', exact: true }).click();
      await page.waitForURL(`${e2e.url}/payments`);
      const row = page.locator('tbody tr').first();
      await row.getByText('결제 완료').waitFor();
      expect(await page.locator('tbody tr').count()).toBe(1);
      expect(await row.locator('td[data-label="플랜"]').innerText()).toContain('스탠다드');
      expect(await row.locator('td[data-label="결제 금액"]').innerText()).toContain('29,000원');
      expect(await row.locator('td[data-label="부가세"]').innerText()).toBe('2,636원');
      expect(await row.locator('td[data-label="결제 수단"]').innerText()).toContain('카카오페이');
      await screenshot(page, 'kakaopay-07-payments');
    },
    E2E_TIMEOUT,
  );

  it(
    'lands on the cancel page with 다시 시도 when the user cancels on KakaoPay',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('kakao-cancel'));
      await payStandardWithKakaoPay(page);
      await page.locator('#cancel').click();
      await page.waitForURL(/\/payment\/cancel\?/);
      await page.getByRole('heading', { name: '결제가 취소되었습니다' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('요금은 청구되지 않았습니다');
      const retry = page.getByRole('link', { name: '다시 시도' });
      await page.waitForFunction(() => document.querySelector('.result-detail')?.textContent?.includes('스탠다드'));
      await screenshot(page, 'kakaopay-08-cancel');

      await retry.click();
      await page.waitForURL(/\/checkout\?plan=standard&method=kakaopay/);
      expect(await page.getByRole('radio', { name: '카카오페이' }).isChecked()).toBe(true);
      await page.getByRole('button', { name: '카카오페이로 결제' }).waitFor();

      await page.goto(`${e2e.url}/payments`);
      await page.locator('tbody tr').first().getByText('취소됨').waitFor();
    },
    E2E_TIMEOUT,
  );

  it(
    'lands on the fail page with a Korean reason and 다시 시도 when authentication fails',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('kakao-fail'));
      await payStandardWithKakaoPay(page);
      await page.locator('#fail').click();
      await page.waitForURL(/\/payment\/fail\?/);
      await page.getByRole('heading', { name: '결제에 실패했습니다' }).waitFor();
      const text = await page.locator('main').innerText();
      expect(text).toContain('결제사 인증이 완료되지 않았습니다');
      expect(text).toContain('요금은 청구되지 않았습니다');
      await page.getByRole('link', { name: '다시 시도' }).waitFor();
      await screenshot(page, 'kakaopay-09-fail');

      await page.goto(`${e2e.url}/payments`);
      await page.locator('tbody tr').first().getByText('실패').waitFor();
    },
    E2E_TIMEOUT,
  );

  it(
    'finishes the payment after logging in when the browser came back without a session',
    async () => {
      const { context, page } = await e2e.newPage();
      const email = uniqueEmail('kakao-return');
      await signUpInBrowser(page, e2e.url, email);
      await payStandardWithKakaoPay(page);
      await context.clearCookies();
      await page.locator('#approve-card').click();

      await page.waitForURL(/\/payment\/return\?payment_id=.+&method=kakaopay&pg_token=/);
      await page.getByRole('heading', { name: '로그인하면 결제를 마무리합니다' }).waitFor();
      await screenshot(page, 'kakaopay-10-return-login');
      await page.getByRole('link', { name: '로그인하고 결제 완료하기' }).click();
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel('이메일').fill(email);
      await page.getByLabel('비밀번호').fill(PASSWORD);
      await page.getByRole('button', { name: '로그인' }).click();

      await page.waitForURL(/\/payment\/success\?/);
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      expect(await page.locator('.receipt-plan').innerText()).toBe('스탠다드');
    },
    E2E_TIMEOUT,
  );
});
