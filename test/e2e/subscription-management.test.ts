import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agreeToOrder, E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import type { PaymentsResponse, RenewalView } from '../../src/http/schemas/api-types.ts';
import type { PlanChangeQuoteResponse } from '../../src/http/schemas/quote-api-types.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';

const PHONE = { width: 375, height: 740, mobile: true };

/** "29,999원" → 29999 */
function wonOf(text: string): number {
  const m = /([\d,]+)원/.exec(text);
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  return Number(m[1].replace(/,/g, ''));
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** Focus is inside the open dialog (showModal moved it there). */
async function expectFocusInDialog(page: Page): Promise<void> {
  expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
}

describe('subscription management in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    // Sessions outlive the 30 days the last test moves the test clock.
    e2e = await startE2E({ env: { AUTH_TOKEN_TTL_SECONDS: String(90 * 24 * 3600) } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** Signs up and pays 스탠다드 (or `plan`) with KakaoPay (auto-renewal on), ending on 내 구독. */
  async function subscriber(tag: string, opts: { phone?: boolean; plan?: { id: string; name: string } } = {}) {
    const plan = opts.plan ?? { id: 'standard', name: '스탠다드' };
    const { context, page } = await e2e.newPage(opts.phone ? PHONE : {});
    await signUpInBrowser(page, e2e.url, uniqueEmail(tag));
    await page.goto(`${e2e.url}/checkout?plan=${plan.id}`);
    await page.locator('label.method-option', { hasText: '카카오페이' }).click();
    await agreeToOrder(page);
    await page.getByRole('button', { name: '카카오페이로 결제' }).click();
    await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
    await page.locator('#approve-card').click();
    await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
    await page.getByRole('link', { name: '내 구독 보기' }).click();
    await page.waitForURL(`${e2e.url}/subscription`);
    await page.getByRole('heading', { name: plan.name }).waitFor();
    return { context, page };
  }

  it(
    'turns auto-renewal off and on again, upgrades with the prorated amount shown, and opens the receipt',
    async () => {
      const { page } = await subscriber('manage');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*켜짐/);
      await screenshot(page, 'manage-01-subscription');

      // 해지 예약: an accessible confirm dialog that explains what happens.
      const cancelButton = page.getByRole('button', { name: '해지 예약' });
      await cancelButton.click();
      const cancelDialog = page.getByRole('dialog', { name: '자동 결제 해지를 예약할까요?' });
      await cancelDialog.waitFor();
      await expectFocusInDialog(page);
      const explain = await cancelDialog.innerText();
      expect(explain).toContain('까지는 스탠다드 플랜을 그대로 이용할 수 있어요');
      expect(explain).toContain('결제사 등록 없이 바로 되돌릴 수 있어요');
      await screenshot(page, 'manage-02-cancel-dialog');
      // Esc closes it and gives focus back to the button.
      await page.keyboard.press('Escape');
      await cancelDialog.waitFor({ state: 'hidden' });
      expect(await cancelButton.evaluate((el) => el === document.activeElement)).toBe(true);

      await cancelButton.click();
      await cancelDialog.getByRole('button', { name: '해지 예약' }).click();
      await page.getByText('해지 예약이 완료되었습니다').waitFor();
      await cancelDialog.waitFor({ state: 'hidden' });
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*꺼짐/);
      expect(await page.locator('.sub-main').innerText()).toContain('해지 예약됨');
      expect(await page.locator('.kv').innerText()).toContain('만료일');
      await screenshot(page, 'manage-03-canceled');

      // 자동 결제 다시 켜기: the billing key is kept until the period end, so undoing needs no provider.
      await page.getByRole('button', { name: '자동 결제 다시 켜기' }).click();
      const resumeDialog = page.getByRole('dialog', { name: '자동 결제를 다시 켤까요?' });
      await resumeDialog.waitFor();
      expect(await resumeDialog.innerText()).toContain('카카오페이로 자동 결제되어');
      await screenshot(page, 'manage-04-resume-dialog');
      await resumeDialog.getByRole('button', { name: '자동 결제 켜기' }).click();
      await page.locator('.flash').getByText('자동 결제가 다시 켜졌습니다').waitFor();
      expect(page.url()).toBe(`${e2e.url}/subscription`);
      await screenshot(page, 'manage-05-resumed');
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*켜짐/);

      // Upgrade to 프리미엄: the dialog states the prorated charge before confirming.
      await page.getByRole('button', { name: '프리미엄(으)로 업그레이드' }).click();
      const upgrade = page.getByRole('dialog', { name: '프리미엄 플랜으로 업그레이드할까요?' });
      await upgrade.waitFor();
      const shown = wonOf(await upgrade.getByTestId('proration-charge').innerText());
      // 59,000 − 29,000 for almost the whole 30-day period, each line rounded down.
      expect(shown).toBeGreaterThanOrEqual(29_990);
      expect(shown).toBeLessThanOrEqual(30_000);
      expect(await upgrade.innerText()).toContain('카카오페이로 바로 결제됩니다');
      await screenshot(page, 'manage-06-upgrade-dialog');
      await upgrade.getByRole('button', { name: /결제하고 변경$/ }).click();
      const done = page.locator('.flash .notice');
      await done.getByText('프리미엄 플랜으로 변경되었습니다').waitFor();
      const charged = wonOf(await done.innerText());
      // The dialog shows the server's quote and the change is priced at it (issue 11 item 6).
      expect(charged).toBe(shown);
      await page.getByRole('heading', { name: '프리미엄' }).waitFor();
      await screenshot(page, 'manage-07-upgraded');

      const payments = (await (await page.request.get(`${e2e.url}/api/payments`)).json()) as PaymentsResponse;
      const up = payments.payments.find((p) => p.kind === 'upgrade')!;
      expect(up).toMatchObject({ status: 'approved', plan: 'premium', amount_krw: charged });

      // 결제 내역 → 영수증 of the upgrade charge.
      await page.getByRole('link', { name: '결제 내역', exact: true }).first().click();
      await page.waitForURL(`${e2e.url}/payments`);
      await page.getByRole('link', { name: /프리미엄 플랜 변경 영수증 보기/ }).click();
      await page.waitForURL(/\/payments\/receipt\?id=/);
      await page.getByRole('heading', { name: '영수증' }).waitFor();
      // The heading shows while the receipt loads (an empty placeholder card): wait for the loaded card.
      const card = page.locator('.receipt-card[aria-labelledby="receipt-title"]');
      await card.waitFor();
      const receipt = await card.innerText();
      expect(receipt).toMatch(new RegExp(`결제 금액\\s*${charged.toLocaleString('en-US')}원`));
      expect(receipt).toMatch(new RegExp(`부가세\\s*${up.vat_krw.toLocaleString('en-US')}원`));
      expect(receipt).toMatch(new RegExp(`공급가액\\s*${up.supply_krw.toLocaleString('en-US')}원`));
      expect(receipt).toContain('카카오페이 · 카드');
      expect(receipt).toMatch(/승인 시각\s*\d{4}\. \d{2}\. \d{2}\. \d{2}:\d{2}/);
      await screenshot(page, 'manage-08-receipt');
    },
    E2E_TIMEOUT,
  );

  it(
    'withdraws (청약철회) a fresh payment from its receipt at phone width',
    async () => {
      const { page } = await subscriber('withdraw', { phone: true });
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'manage-phone-01-subscription');
      // 내 구독 offers it too; here it is done from the receipt.
      expect(await page.getByRole('button', { name: /청약철회$/ }).count()).toBe(1);

      await page.getByRole('link', { name: '결제 내역', exact: true }).first().click();
      await page.getByRole('link', { name: /스탠다드 결제 영수증 보기/ }).click();
      await page.getByRole('heading', { name: '영수증' }).waitFor();
      expect(await page.locator('.withdraw-card').innerText()).toContain('청약철회할 수 있어요');
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'manage-phone-02-receipt');

      await page.getByRole('button', { name: '청약철회', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: '청약철회할까요?' });
      await dialog.waitFor();
      await expectFocusInDialog(page);
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'manage-phone-03-withdraw-dialog');
      await dialog.getByRole('button', { name: '29,000원 환불받기' }).click();
      await page.getByText('청약철회가 완료되었습니다').waitFor();
      await page.locator('.receipt-card').getByText('환불 완료').first().waitFor();
      const receipt = await page.locator('.receipt-card').innerText();
      expect(receipt).toContain('청약철회');
      expect(receipt).toMatch(/환불 금액\s*−29,000원/);
      await screenshot(page, 'manage-phone-04-withdrawn');

      await page.getByRole('link', { name: '결제 내역', exact: true }).first().click();
      await page.locator('tbody tr').first().getByText('환불 완료').waitFor();
      await page.getByRole('link', { name: '내 구독', exact: true }).first().click();
      await page.getByRole('heading', { name: '기본' }).waitFor();
    },
    E2E_TIMEOUT,
  );

  it(
    'cancels now with the prorated refund stated before confirming',
    async () => {
      const { page } = await subscriber('cancel-now');
      await page.getByRole('button', { name: '즉시 해지 및 환불' }).click();
      const dialog = page.getByRole('dialog', { name: '지금 해지하고 환불받을까요?' });
      await dialog.waitFor();
      // floor(29,000 × 29 remaining whole days / 30)
      expect(await dialog.getByTestId('cancel-now-refund').innerText()).toBe('28,033원');
      await screenshot(page, 'manage-09-cancel-now-dialog');
      await dialog.getByRole('button', { name: '해지하고 28,033원 환불받기' }).click();
      await page.getByText('미사용 기간 28,033원을 환불했습니다.').waitFor();
      await page.getByRole('heading', { name: '기본' }).waitFor();
      await screenshot(page, 'manage-10-canceled-now');
    },
    E2E_TIMEOUT,
  );

  it(
    'offers upgrades and downgrades as the server quotes them, schedules a downgrade and takes it back',
    async () => {
      const { page } = await subscriber('downgrade', { plan: { id: 'premium', name: '프리미엄' } });
      const quote = async (plan: string) =>
        (await (await page.request.get(`${e2e.url}/api/subscription/change/quote?plan=${plan}`)).json()) as PlanChangeQuoteResponse;
      const toStandard = await quote('standard');
      expect(toStandard.kind).toBe('downgrade');
      expect((await quote('pro')).kind).toBe('upgrade');
      const change = page.locator('#plan-change');
      await change.getByRole('button', { name: '프로(으)로 업그레이드' }).waitFor();
      expect(await change.getByRole('button', { name: '프리미엄(으)로 업그레이드' }).count()).toBe(0);

      await change.getByRole('button', { name: '스탠다드(으)로 다운그레이드' }).click();
      const dialog = page.getByRole('dialog', { name: '스탠다드 플랜으로 다운그레이드할까요?' });
      await dialog.waitFor();
      // The amount of the next renewal is the server's quote.
      expect(await dialog.innerText()).toContain(`${toStandard.next_charge_krw.toLocaleString('ko-KR')}원이 자동 결제됩니다`);
      await dialog.getByRole('button', { name: '다운그레이드 예약' }).click();
      await page.locator('.flash').getByText('스탠다드 플랜으로 다운그레이드를 예약했습니다').waitFor();
      expect(await page.locator('.sub-main').innerText()).toContain('스탠다드 플랜이 적용됩니다 (다운그레이드 예약)');
      await screenshot(page, 'manage-13-downgrade-scheduled');

      const stay = await quote('premium');
      expect(stay.kind).toBe('downgrade_canceled');
      await change.getByRole('button', { name: '예약 취소' }).click();
      const undo = page.getByRole('dialog', { name: '다운그레이드 예약을 취소할까요?' });
      await undo.waitFor();
      expect(await undo.innerText()).toContain(`${stay.next_charge_krw.toLocaleString('ko-KR')}원이 결제됩니다`);
      await undo.getByRole('button', { name: '예약 취소' }).click();
      await page.locator('.flash').getByText('다운그레이드 예약을 취소했습니다').waitFor();
      expect(await page.locator('.sub-main').innerText()).not.toContain('다운그레이드 예약');
    },
    E2E_TIMEOUT,
  );

  // Last: it moves the stack's test clock 30 days ahead.
  it(
    'shows the past_due banner after a declined renewal and recovers with another payment method',
    async () => {
      const { page } = await subscriber('past-due');
      // The next KakaoPay subscription charges are declined (-782), then the clock reaches the renewal.
      const script = await fetch(`${e2e.stack.kakaopayUrl}/__sandbox/script`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'subscription', error_code: -782, count: 5 }),
      });
      expect(script.ok).toBe(true);
      // The sandbox tools are admin-only: the sandbox admin's token, as `npm run clock` uses it.
      const asAdmin = { authorization: `Bearer ${(await issueSandboxAdminToken(e2e.stack.services)).token}` };
      const advanced = await page.request.post(`${e2e.url}/api/sandbox/clock`, { data: { advance_days: 30.05 }, headers: asAdmin });
      expect(advanced.ok()).toBe(true);
      let renewal: RenewalView | null = null;
      for (let i = 0; i < 20; i++) {
        renewal = (await (await page.request.get(`${e2e.url}/api/subscription/renewal`)).json()) as RenewalView;
        if (renewal.status === 'past_due') break;
        await page.request.post(`${e2e.url}/api/sandbox/renewals/run`, { headers: asAdmin });
        await page.waitForTimeout(250);
      }
      expect(renewal?.status).toBe('past_due');

      await page.reload();
      const banner = page.locator('.banner-warning');
      await banner.getByText('자동 결제가 완료되지 않았습니다').waitFor();
      expect(await banner.innerText()).toContain('까지는 스탠다드 플랜을 그대로 이용할 수 있어요');
      await screenshot(page, 'manage-11-past-due');

      await banner.getByRole('link', { name: '다른 결제 수단으로 결제' }).click();
      await page.waitForURL(/\/checkout\?plan=standard&method=naverpay/);
      expect(await page.getByRole('radio', { name: '네이버페이' }).isChecked()).toBe(true);
      await agreeToOrder(page);
      await page.getByRole('button', { name: '네이버페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.naverpayUrl!));
      await page.locator('#approve').click();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      expect(await page.locator('.banner-warning').count()).toBe(0);
      expect(await page.locator('.sub-main').innerText()).toContain('이용 중');
      await screenshot(page, 'manage-12-recovered');
    },
    E2E_TIMEOUT,
  );
});
