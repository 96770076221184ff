import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, PASSWORD, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';
import { ORDER_CONSENT, SIGNUP_CONSENTS } from '../helpers/consents.ts';

const ADMIN_EMAIL = `console-actions-admin-${process.pid}@example.com`;

/**
 * Issue 14.4–14.7 in the browser: the actions on the user page (each with its reason dialog),
 * the audit log page, the accounting report with its exports, and settlement reconciliation.
 */
describe('operator console actions, audit, reports and settlements in the browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** A subscriber with auto-renewal on, paid with KakaoPay through the sandbox (over the API). */
  async function subscriber() {
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(e2e.url + path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    };
    const email = uniqueEmail('console-user');
    const su = await call('POST', '/api/auth/signup', { ...SIGNUP_CONSENTS, email, password: PASSWORD });
    const ready = await call('POST', '/api/payment/kakaopay/ready', { ...ORDER_CONSENT, plan: 'standard', auto_renew: true }, su.token);
    const a = await (
      await fetch(`${e2e.stack.kakaopayUrl}/__sandbox/tids/${ready.tid}/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'approve', method: 'CARD' }) })
    ).json();
    const pgToken = new URL(a.redirect_url).searchParams.get('pg_token');
    const approved = await call('POST', '/api/payment/kakaopay/approve', { tid: ready.tid, pg_token: pgToken }, su.token);
    expect(approved.outcome).toBe('approved');
    return { userId: su.user.id as string, email, payment: approved.payment };
  }

  async function runAction(page: Page, button: string, title: string, fill: (dialog: ReturnType<Page['getByRole']>) => Promise<void>, confirm: string) {
    await page.locator('section[data-card="user-actions"]').getByRole('button', { name: button, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    await fill(dialog);
    await dialog.getByRole('button', { name: confirm }).click();
    return dialog;
  }

  it(
    'runs each action with a reason from the user page, and reads them back in the audit log',
    async () => {
      const sub = await subscriber();
      // A notice the subscriber was sent (the renewal notice comes weeks later; written here directly).
      const db = e2e.stack.services.db.db as any;
      const subRow = await db.selectFrom('subscriptions').selectAll().where('user_id', '=', sub.userId).executeTakeFirstOrThrow();
      await db
        .insertInto('notices')
        .values({
          id: 'ntc_e2e_1', user_id: sub.userId, subscription_id: subRow.id, kind: 'renewal_upcoming', dedupe_key: `e2e:${sub.userId}`,
          subject: '[ShowMeTheStock] 자동 결제 예정 안내', body: '곧 자동 결제됩니다.', data: null, status: 'sent', channel: 'mailbox',
          recipient: sub.email, attempts: 1, next_attempt_at: null, last_error: null, sent_at: new Date(), created_at: new Date(), updated_at: new Date(),
        })
        .execute();

      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);
      await page.goto(`${e2e.url}/admin/user?id=${sub.userId}`);
      const actions = page.locator('section[data-card="user-actions"]');
      await actions.waitFor();
      const flash = page.locator('[aria-live="polite"]');

      // 기간 연장: the reason is required.
      let dialog = await runAction(page, '기간 연장', '이용 기간 연장', async (d) => {
        await d.getByLabel('연장 일수').fill('10');
      }, '연장하기');
      expect(await dialog.getByRole('alert').innerText()).toBe('작업 사유를 입력해 주세요.');
      await screenshot(page, 'console-actions-01-extend-reason-required');
      await dialog.getByLabel('작업 사유').fill('서비스 장애 보상');
      await dialog.getByRole('button', { name: '연장하기' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await flash.getByText(/기간 연장을\(를\) 처리했습니다/).waitFor();
      const end = new Date(Date.parse(sub.payment.period_end) + 10 * 86_400_000);
      expect((await db.selectFrom('subscriptions').select('current_period_end').where('id', '=', subRow.id).executeTakeFirstOrThrow()).current_period_end.getTime()).toBe(end.getTime());
      await screenshot(page, 'console-actions-02-extended');

      // 플랜 변경 now.
      dialog = await runAction(page, '플랜 변경', '플랜 변경', async (d) => {
        await d.getByLabel('새 플랜').selectOption('premium');
        await d.getByLabel('지금 바로').check();
        await d.getByLabel('작업 사유').fill('보상 업그레이드');
      }, '변경하기');
      await dialog.waitFor({ state: 'hidden' });
      await flash.getByText(/플랜 변경을\(를\) 처리했습니다/).waitFor();
      await page.locator('.user-card').getByText('프리미엄').waitFor();

      // 결제 수단 해지, then 자동 결제 재개 is refused (only the subscriber can register a new key).
      dialog = await runAction(page, '결제 수단 해지', '결제 수단(빌링키) 해지', (d) => d.getByLabel('작업 사유').fill('도용 신고'), '해지하기');
      await dialog.waitFor({ state: 'hidden' });
      await flash.getByText(/결제 수단 해지을\(를\) 처리했습니다/).waitFor();
      dialog = await runAction(page, '자동 결제 재개', '자동 결제 재개', (d) => d.getByLabel('작업 사유').fill('전화 요청'), '재개하기');
      expect(await dialog.getByRole('alert').innerText()).toContain('사용자가 직접 다시 등록해야 합니다');
      await screenshot(page, 'console-actions-03-resume-refused');
      await dialog.getByRole('button', { name: '닫기' }).click();

      // 갱신 결제 재시도: nothing failed, so the server refuses.
      dialog = await runAction(page, '갱신 결제 재시도', '실패한 갱신 결제 지금 재시도', (d) => d.getByLabel('작업 사유').fill('카드 교체'), '지금 결제하기');
      expect(await dialog.getByRole('alert').innerText()).toContain('연체 중');
      await dialog.getByRole('button', { name: '닫기' }).click();

      // 자동 결제 해지.
      dialog = await runAction(page, '자동 결제 해지', '자동 결제 해지', (d) => d.getByLabel('작업 사유').fill('해지 요청 (전화)'), '해지하기');
      await dialog.waitFor({ state: 'hidden' });
      await flash.getByText(/자동 결제 해지을\(를\) 처리했습니다/).waitFor();
      await page.locator('.user-card').getByText('자동 결제 꺼짐').waitFor();

      // 알림 재발송.
      const notice = actions.locator('li[data-notice-id="ntc_e2e_1"]');
      await notice.getByRole('button', { name: '재발송' }).click();
      dialog = page.getByRole('dialog', { name: '알림 재발송' });
      await dialog.getByLabel('작업 사유').fill('메일을 못 받았다고 함');
      await dialog.getByRole('button', { name: '재발송하기' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await flash.getByText('알림을 다시 보내도록 등록했습니다.').waitFor();
      await actions.locator('li[data-notice-id]').nth(1).waitFor();
      await screenshot(page, 'console-actions-04-user-page');

      // 작업 기록: every action above, newest first, filterable, as CSV.
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '작업 기록' }).click();
      await page.waitForURL(`${e2e.url}/admin/audit`);
      const table = page.locator('[data-loaded="audit"]');
      await table.waitFor();
      // Besides the local stack's own engine key (api_key.create at start): the five actions; the two refused ones (resume, retry) wrote nothing.
      const actionsShown = await table.locator('tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      expect(actionsShown.filter((a) => !a?.startsWith('api_key.')).sort()).toEqual(['billing_key.revoke', 'notice.resend', 'subscription.cancel', 'subscription.change_plan', 'subscription.extend']);
      expect(await table.locator('tr[data-action="subscription.extend"]').innerText()).toContain('서비스 장애 보상');
      await screenshot(page, 'console-actions-05-audit');
      await page.getByLabel('작업', { exact: true }).selectOption('subscription.extend');
      await page.getByRole('button', { name: '조회' }).click();
      await page.getByTestId('audit-total').getByText(/^1건/).waitFor();
      const csvHref = await page.locator('form.export-card').getByRole('link', { name: 'CSV 다운로드' }).getAttribute('href');
      const csv = await page.request.get(`${e2e.url}${csvHref}`);
      expect(csv.status()).toBe(200);
      expect((await csv.text()).trim().split('\r\n')).toHaveLength(2);
    },
    E2E_TIMEOUT * 2,
  );

  it(
    'shows the accounting report with exports, and reconciles a sandbox settlement file, flagging a fee difference',
    async () => {
      const sub = await subscriber();
      const { page } = await e2e.newPage();
      await page.goto(`${e2e.url}/login`);
      await page.getByLabel('이메일').fill(ADMIN_EMAIL);
      await page.getByLabel('비밀번호').fill(PASSWORD);
      await page.getByRole('button', { name: '로그인' }).click();
      await page.getByRole('button', { name: '로그아웃' }).waitFor();

      // 회계 리포트: this month's 순매출 is net of VAT (29,000원 − 2,636원 per 스탠다드 payment, two here).
      await page.goto(`${e2e.url}/admin/reports`);
      const report = page.locator('[data-loaded="accounting"]');
      await report.waitFor();
      const month = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 7);
      const row = report.locator(`table[data-table="revenue"] tr[data-month="${month}"]`);
      expect(await row.locator('[data-field="net"]').innerText()).toBe(`${(2 * (29000 - 2636)).toLocaleString('ko-KR')}원`);
      expect(await report.locator('table[data-table="fees"]').innerText()).toMatch(/카카오페이[\s\S]*2\.90%/);
      await screenshot(page, 'console-actions-06-reports');
      for (const name of ['결제 XLSX', '환불 CSV', '월별 정산 요약 XLSX']) {
        const href = await page.getByTestId('exports').getByRole('link', { name }).getAttribute('href');
        const res = await page.request.get(`${e2e.url}${href}`);
        expect(res.status(), name).toBe(200);
        if (name.endsWith('XLSX')) expect((await res.body()).subarray(0, 2).toString()).toBe('PK');
      }

      // 정산 대사: the sandbox's file for today matches; then the sandbox charges one more won of fee on one payment.
      const day = new Date(Date.parse(sub.payment.approved_at) + 9 * 3_600_000).toISOString().slice(0, 10);
      const dir = mkdtempSync(join(tmpdir(), 'settlement-'));
      const fetchFile = async (name: string) => {
        const text = await (await fetch(`${e2e.stack.kakaopayUrl}/__sandbox/settlements/${day}`)).text();
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
      };
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '정산 대사' }).click();
      await page.waitForURL(`${e2e.url}/admin/settlements`);
      await page.getByLabel('결제사').selectOption('kakaopay');
      await page.getByLabel('정산 파일 (CSV)').setInputFiles(await fetchFile('kakaopay-clean.csv'));
      await page.getByRole('button', { name: '가져와서 비교하기' }).click();
      const result = page.locator('section[data-card="settlement-result"]');
      await result.getByText('차이 없음').waitFor();

      const tid = (await (e2e.stack.services.db.db as any).selectFrom('payments').select('provider_ref').where('id', '=', sub.payment.id).executeTakeFirstOrThrow()).provider_ref;
      await fetch(`${e2e.stack.kakaopayUrl}/__sandbox/settlements/skew`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fee_delta: { [tid]: 1 } }) });
      await page.getByLabel('정산 파일 (CSV)').setInputFiles(await fetchFile('kakaopay-skewed.csv'));
      await page.getByRole('button', { name: '가져와서 비교하기' }).click();
      await result.getByText('차이 1건').waitFor();
      expect(await result.locator('tr[data-kind="fee_mismatch"]').innerText()).toContain('수수료 불일치');
      await page.locator('[data-loaded="settlements"] tr[data-import-id]').nth(1).waitFor();
      await screenshot(page, 'console-actions-07-settlements');
      await fetch(`${e2e.stack.kakaopayUrl}/__sandbox/settlements/skew`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    },
    E2E_TIMEOUT * 2,
  );
});
