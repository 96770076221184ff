import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, type E2E } from './helpers.ts';

const ADMIN_EMAIL = `engine-console-admin-${process.pid}@example.com`;

/** Issue 10: 관리자 → 엔진 연동 — API keys and webhook endpoints for the trading engine. */
describe('admin engine console in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  async function userIdOf(page: Page): Promise<string> {
    const body = await (await page.request.get(`${e2e.url}/api/me`)).json();
    return body.user?.id ?? body.id;
  }

  const entitlementsWith = (key: string, userId: string) =>
    fetch(`${e2e.url}/api/v1/entitlements/${encodeURIComponent(userId)}`, { headers: { authorization: `Bearer ${key}` } });

  it(
    'creates an API key shown once that the engine can use, rotates and revokes it; registers a webhook endpoint, rotates its secret, stops and resumes it',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);
      const userId = await userIdOf(page);
      expect(userId).toMatch(/^usr_/);
      await page.goto(`${e2e.url}/admin`);
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '엔진 연동' }).click();
      await page.waitForURL(`${e2e.url}/admin/engine`);
      expect(await page.title()).toContain('관리자 · 트레이딩 엔진 연동');

      // API 키: both scopes (checked by default), a name.
      const keys = page.locator('section[data-card="api-keys"]');
      await keys.locator('[data-loaded="api-keys"]').waitFor();
      const keyName = `e2e 엔진 ${process.pid}`;
      await keys.getByLabel('키 이름').fill(keyName);
      expect(await keys.getByLabel('권한 조회 (entitlements:read)').isChecked()).toBe(true);
      expect(await keys.getByLabel('사용량 기록 (usage:write)').isChecked()).toBe(true);
      await keys.getByRole('button', { name: 'API 키 만들기' }).click();
      const once = keys.locator('.once-box');
      await once.waitFor();
      expect(await once.innerText()).toContain('이 키는 지금 한 번만 표시됩니다');
      const key = (await once.getByTestId('once-value').innerText()).trim();
      expect(key.length).toBeGreaterThan(20);
      await keys.locator('tr[data-key-id]', { hasText: keyName }).waitFor();
      const keyId = await keys.locator('tr[data-key-id]', { hasText: keyName }).getAttribute('data-key-id');
      const keyRow = keys.locator(`tr[data-key-id="${keyId}"]`);
      expect(await keyRow.innerText()).toMatch(/entitlements:read, usage:write[\s\S]*사용 중/);
      // The list shows only a prefix, never the key.
      expect(await keys.locator('table').innerText()).not.toContain(key);
      await screenshot(page, 'engine-console-01-key-created');

      // The engine can use it.
      expect((await entitlementsWith(key, userId)).status).toBe(200);

      // Once acknowledged, the key is gone from the page.
      await once.getByRole('button', { name: '확인했습니다' }).click();
      await once.waitFor({ state: 'detached' });
      expect(await page.locator('body').innerText()).not.toContain(key);

      // 교체: a new key shown once; the old one keeps working until it expires.
      await keyRow.getByRole('button', { name: '교체' }).click();
      const confirmRotate = page.getByRole('dialog', { name: 'API 키를 교체할까요?' });
      await confirmRotate.getByRole('button', { name: '교체하기' }).click();
      await confirmRotate.waitFor({ state: 'hidden' });
      await once.waitFor();
      const newKey = (await once.getByTestId('once-value').innerText()).trim();
      expect(newKey).not.toBe(key);
      expect((await entitlementsWith(newKey, userId)).status).toBe(200);
      await keyRow.getByText('만료 예정').waitFor();
      expect((await entitlementsWith(key, userId)).status).toBe(200);
      await once.getByRole('button', { name: '확인했습니다' }).click();
      await once.waitFor({ state: 'detached' });

      // 폐기 (the old key), after a confirmation.
      await keyRow.getByRole('button', { name: '폐기' }).click();
      const confirmRevoke = page.getByRole('dialog', { name: 'API 키를 폐기할까요?' });
      await confirmRevoke.waitFor();
      await screenshot(page, 'engine-console-02-revoke-confirm');
      await confirmRevoke.getByRole('button', { name: '폐기하기' }).click();
      await confirmRevoke.waitFor({ state: 'hidden' });
      await keyRow.getByText('폐기됨').waitFor();
      expect((await entitlementsWith(key, userId)).status).toBe(401);
      expect((await entitlementsWith(newKey, userId)).status).toBe(200);

      // 웹훅 엔드포인트: register one; its signing secret is shown once.
      const hooks = page.locator('section[data-card="webhooks"]');
      await hooks.locator('[data-loaded="webhooks"]').waitFor();
      const hookUrl = `http://127.0.0.1:9/e2e-${process.pid}`;
      await hooks.getByLabel('웹훅 URL').fill(hookUrl);
      await hooks.getByLabel('설명 (선택)').fill('e2e 엔진');
      await hooks.getByRole('button', { name: '엔드포인트 등록' }).click();
      const secretBox = hooks.locator('.once-box');
      await secretBox.waitFor();
      expect(await secretBox.innerText()).toContain('이 키는 지금 한 번만 표시됩니다');
      const secret = (await secretBox.getByTestId('once-value').innerText()).trim();
      expect(secret).toMatch(/^whsec_/);
      const hookRow = hooks.locator('tr[data-endpoint-id]', { hasText: hookUrl });
      await hookRow.waitFor();
      expect(await hookRow.innerText()).toContain('전송 중');
      expect(await hookRow.innerText()).toContain(`whsec_…${secret.slice(-4)}`);
      await screenshot(page, 'engine-console-03-endpoint-created');
      await secretBox.getByRole('button', { name: '확인했습니다' }).click();
      await secretBox.waitFor({ state: 'detached' });

      // 비밀키 교체: a new secret shown once; the old one still signs for a while.
      await hookRow.getByRole('button', { name: '비밀키 교체' }).click();
      const confirmSecret = page.getByRole('dialog', { name: '서명 비밀키를 교체할까요?' });
      await confirmSecret.getByRole('button', { name: '교체하기' }).click();
      await confirmSecret.waitFor({ state: 'hidden' });
      await secretBox.waitFor();
      const newSecret = (await secretBox.getByTestId('once-value').innerText()).trim();
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(secret);
      await hookRow.getByText(`whsec_…${newSecret.slice(-4)}`).waitFor();
      await hookRow.getByText(/이전 키 .*까지 유효/).waitFor();
      await secretBox.getByRole('button', { name: '확인했습니다' }).click();
      await secretBox.waitFor({ state: 'detached' });

      // 중지 → 중지됨; 재개 → 전송 중.
      await hookRow.getByRole('button', { name: '중지' }).click();
      const confirmStop = page.getByRole('dialog', { name: '웹훅 전송을 중지할까요?' });
      await confirmStop.getByRole('button', { name: '중지하기' }).click();
      await confirmStop.waitFor({ state: 'hidden' });
      await hookRow.getByText('중지됨').waitFor();
      await screenshot(page, 'engine-console-04-endpoint-stopped');
      await hookRow.getByRole('button', { name: '재개' }).click();
      const confirmResume = page.getByRole('dialog', { name: '웹훅 전송을 재개할까요?' });
      await confirmResume.getByRole('button', { name: '재개하기' }).click();
      await confirmResume.waitFor({ state: 'hidden' });
      await hookRow.getByText('전송 중').waitFor();
      const listed = await (await page.request.get(`${e2e.url}/api/admin/webhook-endpoints`)).json();
      expect(listed.endpoints.find((x: { url: string }) => x.url === hookUrl)?.enabled).toBe(true);
    },
    E2E_TIMEOUT * 2,
  );
});
