import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E, agreeToOrder } from './helpers.ts';
import type { RenewalView } from '../../src/http/schemas/subscription-schemas.ts';

const ADMIN_EMAIL = `price-admin-${process.pid}@example.com`;
const DAY_MS = 86_400_000;

/** yyyy-mm-dd in Korea time, `days` from now. */
function kstDay(days: number): string {
  return new Date(Date.now() + days * DAY_MS + 9 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Issue 11 item 9 in the browser: the admin changes a price on /admin/prices (an increase
 * sooner than 30 days is refused), the subscriber sees the change and consents in a dialog.
 */
describe('price change: the admin page and the subscriber consent dialog', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it(
    'refuses an increase less than 30 days ahead, schedules one 40 days ahead; the subscriber consents',
    async () => {
      // A subscriber pays 스탠다드 (29,000원) with KakaoPay, auto-renewal on.
      const user = await e2e.newPage();
      await signUpInBrowser(user.page, e2e.url, uniqueEmail('price-user'));
      await user.page.goto(`${e2e.url}/checkout?plan=standard`);
      await user.page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await agreeToOrder(user.page);
      await user.page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await user.page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await user.page.locator('#approve-card').click();
      await user.page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();

      // The admin opens 관리자 → 플랜 가격.
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);
      await page.goto(`${e2e.url}/admin`);
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '플랜 가격' }).click();
      await page.waitForURL(`${e2e.url}/admin/prices`);
      const table = page.getByRole('table', { name: '플랜별 가격' });
      await table.waitFor();
      expect(await table.locator('tr[data-plan="standard"]').innerText()).toContain('29,000원');
      await screenshot(page, 'prices-01-admin');

      // An increase 10 days ahead is refused by the server (30-day rule), nothing saved.
      await page.getByLabel('플랜', { exact: true }).selectOption('standard');
      await page.getByLabel('새 가격 (원, 부가세 포함)').fill('35000');
      await page.getByLabel('적용일 (한국 시간 0시)').fill(kstDay(10));
      await page.getByRole('button', { name: '가격 변경 검토' }).click();
      const dialog = page.getByRole('dialog', { name: '가격을 바꿀까요?' });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain('35,000원');
      await dialog.getByRole('button', { name: '가격 변경 저장' }).click();
      await dialog.getByText('30일 이상 뒤부터').waitFor();
      await screenshot(page, 'prices-02-refused-30-days');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // 40 days ahead: saved, and the subscriber is told at once.
      await page.getByLabel('적용일 (한국 시간 0시)').fill(kstDay(40));
      await page.getByRole('button', { name: '가격 변경 검토' }).click();
      await dialog.getByRole('button', { name: '가격 변경 저장' }).click();
      await page.getByText('가격을 저장했습니다').waitFor();
      expect(await page.getByText('구독자 1명에게 인상 안내').count()).toBe(1);
      expect(await table.locator('tr[data-plan="standard"]').innerText()).toMatch(/35,000원[\s\S]*부터/);
      await screenshot(page, 'prices-03-scheduled');

      // The subscriber sees the change on 내 구독 and consents in the dialog.
      await user.page.goto(`${e2e.url}/subscription`);
      const banner = user.page.getByTestId('price-change-banner');
      await banner.waitFor();
      const text = await banner.innerText();
      expect(text).toContain('29,000원에서');
      expect(text).toContain('35,000원');
      // Until the first higher charge, the next renewal stays at the agreed price (the API's answer).
      expect(await user.page.getByTestId('next-charge').innerText()).toBe('29,000원');
      await screenshot(user.page, 'prices-04-subscriber-banner');
      await banner.getByRole('button', { name: '변경된 가격에 동의' }).click();
      const consent = user.page.getByRole('dialog', { name: '변경된 가격에 동의할까요?' });
      await consent.waitFor();
      expect(await consent.innerText()).toContain('35,000원');
      await screenshot(user.page, 'prices-05-consent-dialog');
      await consent.getByRole('button', { name: '35,000원에 동의' }).click();
      await user.page.getByText('변경된 가격에 동의했습니다').waitFor();
      await user.page.getByText('바뀐 요금 35,000원에 동의하셨습니다').waitFor();
      await screenshot(user.page, 'prices-06-consented');
      const renewal = (await (await user.page.request.get(`${e2e.url}/api/subscription/renewal`)).json()) as RenewalView;
      expect(renewal).toMatchObject({ next_charge_krw: 29000, price_change: { to_krw: 35000, consented: true } });

      // The admin withdraws a scheduled increase of 프리미엄 with its 철회 button: the plan keeps its price.
      await page.getByLabel('플랜', { exact: true }).selectOption('premium');
      await page.getByLabel('새 가격 (원, 부가세 포함)').fill('65000');
      await page.getByLabel('적용일 (한국 시간 0시)').fill(kstDay(40));
      await page.getByRole('button', { name: '가격 변경 검토' }).click();
      await dialog.getByRole('button', { name: '가격 변경 저장' }).click();
      const premium = table.locator('tr[data-plan="premium"]');
      await premium.getByText('65,000원').waitFor();
      await premium.getByRole('button', { name: '철회' }).click();
      const withdraw = page.getByRole('dialog', { name: '예정된 가격을 철회할까요?' });
      expect(await withdraw.innerText()).toContain('65,000원');
      await withdraw.getByRole('button', { name: '가격 철회' }).click();
      await page.getByText('예정 가격을 철회했습니다').waitFor();
      // Nobody subscribes to 프리미엄: nobody was told of the increase, nobody is told of its withdrawal.
      await page.getByText('이미 인상 안내를 받은 구독자 0명에게 가격 변경 취소 안내를 보냅니다.').waitFor();
      await premium.getByText('없음').first().waitFor();
      expect(await premium.innerText()).not.toContain('65,000원');
      await screenshot(page, 'prices-07-withdrawn');
    },
    E2E_TIMEOUT * 3,
  );
});
