import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E, agreeToOrder } from './helpers.ts';
import type { RenewalView } from '../../src/http/schemas/subscription-schemas.ts';

/** Issue 11 item 4: 결제 수단 변경 on 내 구독, from KakaoPay to NaverPay, without cancelling. */
describe('payment-method change in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  async function sandbox(url: string, path: string): Promise<any> {
    return (await fetch(url + path)).json();
  }

  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it(
    'registers NaverPay for 0 won, switches the subscription to it and revokes the KakaoPay SID',
    async () => {
      const { page } = await e2e.newPage();
      const email = uniqueEmail('method');
      await signUpInBrowser(page, e2e.url, email);
      await page.goto(`${e2e.url}/checkout?plan=standard`);
      await page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await agreeToOrder(page);
      await page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await page.locator('#approve-card').click();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.waitForURL(`${e2e.url}/subscription`);
      await page.getByRole('heading', { name: '스탠다드' }).waitFor();
      const before = (await (await page.request.get(`${e2e.url}/api/subscription/renewal`)).json()) as RenewalView;
      expect(before).toMatchObject({ provider: 'kakaopay', billing_key_state: 'registered', auto_renew: true });
      const user = await e2e.stack.services.ctx.repo.findUserByEmail(email);
      const sid = (await e2e.stack.services.ctx.repo.findSubscriptionByUser(user!.id))!.billingKey!;
      expect((await sandbox(e2e.stack.kakaopayUrl!, `/__sandbox/sids/${sid}`)).status).toBe('ACTIVE');

      // 결제 수단 card → dialog that says what happens, with the provider to choose.
      const card = page.locator('#payment-method');
      expect(await card.getByTestId('current-method').innerText()).toContain('카카오페이');
      await screenshot(page, 'method-01-subscription');
      await card.getByRole('button', { name: '결제 수단 변경' }).click();
      const dialog = page.getByRole('dialog', { name: '결제 수단을 바꿀까요?' });
      await dialog.waitFor();
      const text = await dialog.innerText();
      expect(text).toContain('0원');
      expect(text).toContain('카카오페이의 자동 결제 등록은 해지됩니다');
      expect(text).toContain('구독, 플랜, 이용 기간은 그대로입니다');
      await dialog.locator('label.dialog-method', { hasText: '네이버페이' }).click();
      await screenshot(page, 'method-02-change-dialog');
      await dialog.getByRole('button', { name: '네이버페이에서 등록하기' }).click();

      // NaverPay's recurrent registration page (no charge), then back to our result page.
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.naverpayUrl!));
      expect(new URL(page.url()).pathname).toMatch(/^\/payments\/recurrent\//);
      await screenshot(page, 'method-03-naverpay-registration');
      await page.locator('#approve').click();
      await page.getByRole('heading', { name: '자동 결제 수단을 등록했습니다' }).waitFor();
      expect(await page.locator('.result-lead').innerText()).toContain('네이버페이(으)로 등록했어요');
      await screenshot(page, 'method-04-registered');

      await page.getByRole('link', { name: '내 구독 보기' }).click();
      await page.waitForURL(`${e2e.url}/subscription`);
      await page.locator('#payment-method').getByTestId('current-method').getByText('네이버페이').waitFor();
      expect(await page.locator('.kv').innerText()).toMatch(/자동 결제\s*켜짐/);
      await screenshot(page, 'method-05-changed');

      // The old SID is revoked at KakaoPay by the job runner; the new key is active at NaverPay.
      await until(() => sandbox(e2e.stack.kakaopayUrl!, `/__sandbox/sids/${sid}`), (r) => r.status === 'INACTIVE', 'the old SID to be inactive');
      const sub = (await e2e.stack.services.ctx.repo.findSubscriptionByUser(user!.id))!;
      expect(sub).toMatchObject({ provider: 'naverpay', autoRenew: true, status: 'active' });
      const recurrent = await sandbox(e2e.stack.naverpayUrl!, `/__sandbox/recurrents/${encodeURIComponent(sub.billingKey!)}`);
      expect(recurrent.state).toBe('VALID');
      const revocation = await e2e.stack.services.ctx.repo.renewals().findLatestRevocation(sub.id);
      expect(revocation).toMatchObject({ billingKey: sid, provider: 'kakaopay', reason: 'replaced', status: 'done' });
    },
    E2E_TIMEOUT,
  );

  it(
    'after 즉시 해지 the page shows the billing key being revoked, then revoked once the provider confirmed',
    async () => {
      const { page } = await e2e.newPage({ width: 375, height: 740, mobile: true });
      const email = uniqueEmail('revoked');
      await signUpInBrowser(page, e2e.url, email);
      await page.goto(`${e2e.url}/checkout?plan=standard`);
      await page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await agreeToOrder(page);
      await page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await page.locator('#approve-card').click();
      await page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      const user = await e2e.stack.services.ctx.repo.findUserByEmail(email);
      const sid = (await e2e.stack.services.ctx.repo.findSubscriptionByUser(user!.id))!.billingKey!;

      await page.goto(`${e2e.url}/subscription`);
      await page.getByRole('button', { name: '즉시 해지 및 환불' }).click();
      const dialog = page.getByRole('dialog', { name: '지금 해지하고 환불받을까요?' });
      expect(await dialog.innerText()).toContain('자동 결제도 꺼집니다');
      await dialog.getByRole('button', { name: /해지/ }).last().click();
      await page.locator('.flash').getByText('구독을 해지했습니다').waitFor();

      // The job runner revokes the SID; the page, reloaded, says so only after KakaoPay confirmed.
      await until(() => sandbox(e2e.stack.kakaopayUrl!, `/__sandbox/sids/${sid}`), (r) => r.status === 'INACTIVE', 'the SID to be inactive');
      await page.reload();
      const state = page.getByTestId('billing-key-state');
      await state.getByText('결제사의 자동 결제 등록이 해지되었습니다', { exact: false }).waitFor();
      const renewal = (await (await page.request.get(`${e2e.url}/api/subscription/renewal`)).json()) as RenewalView;
      expect(renewal).toMatchObject({ billing_key_state: 'revoked', has_billing_key: false });
      await screenshot(page, 'method-06-revoked-after-cancel-now');
    },
    E2E_TIMEOUT,
  );
});
