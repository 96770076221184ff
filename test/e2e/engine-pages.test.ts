import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreeToOrder, E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';

const ADMIN_EMAIL = `engine-admin-${process.pid}@example.com`;

/** Issue 10 pages: 내 구독's auto-trading bar, and the admin user page's usage and webhook deliveries. */
describe('trading-engine pages in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  async function userIdOf(page: import('playwright-core').Page): Promise<string> {
    const me = await page.request.get(`${e2e.url}/api/me`);
    const body = await me.json();
    return body.user?.id ?? body.id;
  }

  it(
    'the admin user page lists the webhook deliveries to the engine with their attempts, and replays one',
    async () => {
      const user = await e2e.newPage();
      const email = uniqueEmail('engine-user');
      await signUpInBrowser(user.page, e2e.url, email);
      const userId = await userIdOf(user.page);
      expect(userId).toMatch(/^usr_/);
      // An event for the user, as a subscription change would write it; the in-process job runner sends it to the stand-in.
      const s = e2e.stack.services;
      const evt = await s.ctx.repo.transaction((repo) =>
        repo.appendEngineEvent({
          id: s.ctx.ids.next('evt'),
          userId,
          type: 'entitlements.updated',
          payload: { user_id: userId, plan: 'standard', auto_trading_enabled: true, limit: 5_000_000, status: 'active' },
          occurredAt: s.clock.now(),
        }),
      );
      const standin = e2e.stack.engineStandin!;
      await expect.poll(() => standin.received.filter((r) => r.webhookId === evt.id && r.verified).length, { timeout: 20_000 }).toBe(1);

      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);
      await page.goto(`${e2e.url}/admin/user?id=${encodeURIComponent(userId)}`);
      const row = page.locator(`tr[data-delivery-id]`, { hasText: evt.id });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/entitlements\.updated[\s\S]*전송됨[\s\S]*1회[\s\S]*204/);
      await screenshot(page, 'engine-01-admin-deliveries');
      await row.getByRole('button', { name: /재전송/ }).click();
      await page.getByText('재전송을 예약했습니다').waitFor();
      await expect.poll(() => standin.received.filter((r) => r.webhookId === evt.id && r.verified).length, { timeout: 20_000 }).toBe(2);
      // The stand-in's own page shows the event, verified.
      const standinPage = await user.context.newPage();
      await standinPage.goto(`${e2e.stack.engineStandinUrl}/`);
      expect(await standinPage.locator('table').innerText()).toContain(evt.id);
      await screenshot(standinPage, 'engine-02-standin');
    },
    E2E_TIMEOUT * 2,
  );

  it(
    '내 구독 shows this month\'s auto-trading use against the 스탠다드 cap as a bar (needs GET /api/subscription/usage)',
    async (t) => {
      const user = await e2e.newPage();
      await signUpInBrowser(user.page, e2e.url, uniqueEmail('engine-bar'));
      const probe = await user.page.request.get(`${e2e.url}/api/subscription/usage`);
      if (probe.status() === 404 && (await probe.text()).includes('"NOT_FOUND"')) t.skip(); // the usage API (issue 10, other branch) is not merged yet
      await user.page.goto(`${e2e.url}/checkout?plan=standard`);
      await user.page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await agreeToOrder(user.page);
      await user.page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await user.page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await user.page.locator('#approve-card').click();
      await user.page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();
      await user.page.goto(`${e2e.url}/subscription`);
      const meter = user.page.getByTestId('usage-meter');
      await meter.waitFor();
      expect(await meter.innerText()).toContain('5,000,000원');
      expect(await user.page.getByRole('progressbar', { name: '이번 달 자동매매 한도 사용률' }).getAttribute('aria-valuenow')).toBe('0');
      await screenshot(user.page, 'engine-03-subscription-usage');
    },
    E2E_TIMEOUT * 2,
  );
});
