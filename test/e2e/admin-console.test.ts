import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { agreeToOrder, E2E_TIMEOUT, screenshot, SCREENSHOT_DIR, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import type { AdminPaymentsResponse, AdminUsersResponse } from '../../src/http/schemas/admin-schemas.ts';

const ADMIN_EMAIL = `ops-admin-${process.pid}@example.com`;
const PHONE = { width: 375, height: 740 };

/** What a phone shows at once (a full-page shot of a long page is too small to read). */
async function viewportShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('admin console in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it(
    'shows real revenue after a payment, finds the user and refunds part of it; the user sees 부분 환불',
    async () => {
      // A subscriber pays 스탠다드 (29,000원) with KakaoPay.
      const userEmail = uniqueEmail('paying-user');
      const user = await e2e.newPage();
      await signUpInBrowser(user.page, e2e.url, userEmail);
      await user.page.goto(`${e2e.url}/checkout?plan=standard`);
      await user.page.locator('label.method-option', { hasText: '카카오페이' }).click();
      await agreeToOrder(user.page);
      await user.page.getByRole('button', { name: '카카오페이로 결제' }).click();
      await user.page.waitForURL((u) => u.href.startsWith(e2e.stack.kakaopayUrl!));
      await user.page.locator('#approve-card').click();
      await user.page.getByRole('heading', { name: '결제가 완료되었습니다!' }).waitFor();

      // The admin opens 관리자 → 대시보드: real numbers.
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);
      await page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리자' }).click();
      await page.waitForURL(`${e2e.url}/admin`);
      const gross = page.locator('[data-kpi="gross"]');
      await gross.waitFor();
      expect(await gross.locator('.kpi-value').innerText()).toBe('29,000원');
      expect(await page.locator('[data-kpi="subscribers"] .kpi-value').innerText()).toBe('1명');
      expect(await page.locator('[data-kpi="mrr"] .kpi-value').innerText()).toBe('29,000원');
      // Charts: inline SVG with an accessible name, and a table of the same numbers.
      const chart = page.getByRole('img', { name: /월별 매출/ });
      await chart.waitFor();
      const titles = await chart.locator('rect.chart-bar > title').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
      expect(titles.filter((t) => /^\d{4}년 \d{1,2}월 총매출 29,000원$/.test(t))).toHaveLength(1);
      const revenueFigure = page.locator('figure', { has: chart });
      await revenueFigure.getByText('표로 보기').click();
      expect(await revenueFigure.locator('table tbody tr').last().innerText()).toMatch(/29,000원/);
      expect(await page.locator('table', { hasText: '결제사' }).innerText()).toMatch(/카카오페이[\s\S]*29,000원/);
      await screenshot(page, 'admin-01-dashboard');

      // Phone width: still readable, no sideways scrolling of the page.
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(100);
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'admin-02-dashboard-phone');
      await page.evaluate(() => window.scrollTo(0, 0));
      await viewportShot(page, 'admin-02a-dashboard-phone-top');
      await page.getByRole('img', { name: /월별 매출/ }).scrollIntoViewIfNeeded();
      await viewportShot(page, 'admin-02b-dashboard-phone-chart');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.setViewportSize({ width: 1280, height: 860 });

      // 사용자 검색 → the user's payments.
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '사용자 · 환불' }).click();
      await page.getByLabel('이메일 또는 사용자 ID').fill(userEmail.slice(0, 30));
      await page.getByRole('button', { name: '검색' }).click();
      await page.waitForURL(/\/admin\/users\?q=/);
      await page.getByRole('link', { name: `${userEmail} 결제 내역 보기` }).click();
      await page.waitForURL(/\/admin\/user\?id=/);
      await page.getByRole('heading', { name: userEmail }).waitFor();
      // The payments table (the page also lists the engine's reservations and webhook deliveries).
      const row = page.locator('table.payments-table tbody tr').first();
      await row.waitFor();
      expect(await row.innerText()).toContain('29,000원');
      await screenshot(page, 'admin-03-user');

      // 환불: partial, with a reason; the form checks its input first.
      const refundRequests: Record<string, string>[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && /\/api\/admin\/payments\/[^/]+\/refunds$/.test(r.url())) refundRequests.push(r.headers());
      });
      await row.getByRole('button', { name: /결제 환불$/ }).click();
      const dialog = page.getByRole('dialog', { name: '결제 환불' });
      await dialog.waitFor();
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
      await dialog.getByLabel('부분 환불').check();
      await dialog.getByLabel('환불할 금액 (원)').fill('30000');
      await dialog.getByRole('button', { name: '다음' }).click();
      await dialog.getByText('환불 가능 금액(29,000원)보다 많습니다.').waitFor();
      await dialog.getByText('환불 사유를 입력해 주세요.').waitFor();
      await dialog.getByLabel('환불할 금액 (원)').fill('10,000');
      await dialog.getByLabel('환불 사유').fill('고객 요청: 자동매매 장애 보상');
      await screenshot(page, 'admin-04-refund-form');
      await dialog.getByRole('button', { name: '다음' }).click();
      const confirm = page.getByRole('dialog', { name: '환불을 진행할까요?' });
      await confirm.waitFor();
      expect(await confirm.innerText()).toContain('10,000원을 카카오페이로 부분 환불합니다');
      await screenshot(page, 'admin-05-refund-confirm');
      await confirm.getByRole('button', { name: '10,000원 환불하기' }).click();
      await page.getByText('10,000원 부분 환불이 완료되었습니다.').waitFor();
      await row.getByText('부분 환불').waitFor();
      expect(await row.innerText()).toContain('환불 10,000원');
      expect(await page.locator('.refund-list').innerText()).toContain('사유: 고객 요청: 자동매매 장애 보상');
      expect(refundRequests).toHaveLength(1);
      expect(refundRequests[0]['idempotency-key']).toMatch(/^[A-Za-z0-9_\-:.]{8,128}$/);
      await screenshot(page, 'admin-06-refunded');

      // The user's 결제 내역 shows 부분 환불.
      await user.page.goto(`${e2e.url}/payments`);
      const userRow = user.page.locator('tbody tr').first();
      await userRow.getByText('부분 환불').waitFor();
      expect(await userRow.innerText()).toContain('환불 10,000원');
      await screenshot(user.page, 'admin-07-user-payments');

      // The dashboard counts the refund; the CSV export is a download link with the payments.
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '대시보드' }).click();
      await page.locator('[data-kpi="refunds"] .kpi-value').getByText('10,000원').waitFor();
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: 'CSV 다운로드' }).click();
      const link = page.getByRole('link', { name: 'CSV 다운로드' }).last();
      const href = await link.getAttribute('href');
      expect(href).toMatch(/^\/api\/admin\/payments\.csv\?from=/);
      expect(await link.getAttribute('download')).not.toBeNull();
      const csv = await page.request.get(`${e2e.url}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      const text = await csv.text();
      expect(text).toContain(userEmail);
      expect(text).toContain('partially_refunded');
      await screenshot(page, 'admin-08-export');

      // The same numbers through the API the pages use.
      const found = (await (await page.request.get(`${e2e.url}/api/admin/users?q=${encodeURIComponent(userEmail)}`)).json()) as AdminUsersResponse;
      const pays = (await (await page.request.get(`${e2e.url}/api/admin/users/${found.users[0].id}/payments`)).json()) as AdminPaymentsResponse;
      expect(pays.payments[0]).toMatchObject({ status: 'partially_refunded', refunded_krw: 10_000, refundable_krw: 19_000 });
    },
    E2E_TIMEOUT,
  );

  it(
    'gives a non-admin no 관리자 menu and a Korean refusal on /admin',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, uniqueEmail('not-admin'));
      const nav = page.getByRole('navigation', { name: '주 메뉴' });
      await nav.getByRole('link', { name: '내 구독' }).waitFor();
      expect(await nav.getByRole('link', { name: '관리자' }).count()).toBe(0);
      for (const path of ['/admin', '/admin/users?q=a', '/admin/export']) {
        await page.goto(`${e2e.url}${path}`);
        await page.getByText('접근 권한이 없습니다').waitFor();
        expect(await page.locator('main').innerText()).toContain('관리자만 볼 수 있는 화면입니다.');
        expect(await page.locator('[data-kpi]').count()).toBe(0);
      }
      const api = await page.request.get(`${e2e.url}/api/admin/reports/revenue`);
      expect(api.status()).toBe(403);
      await screenshot(page, 'admin-09-refused');
    },
    E2E_TIMEOUT,
  );
});
