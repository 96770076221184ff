import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUT, screenshot, signUpInBrowser, startE2E, uniqueEmail, type E2E } from './helpers.ts';

const ADMIN_EMAIL = `console-admin-${process.pid}@example.com`;
const DAY = 86_400_000;

/** Seeded operator data; every figure the pages show is computed again from these arrays. */
interface Seeds {
  users: { id: string; email: string }[];
  payments: { id: string; user_id: string; provider: string; plan_id: string; amount_krw: number; status: string; provider_ref: string | null }[];
  retrying: number;
  inGrace: number;
  timelineUser: string;
  timelineEntries: number;
}

async function seed(e2e: E2E): Promise<Seeds> {
  const db = e2e.stack.services.db.db;
  const now = e2e.stack.services.clock.now();
  const users = Array.from({ length: 60 }, (_, i) => ({ id: `usr_ops${String(i).padStart(2, '0')}`, email: `member${i}@ops.example.com` }));
  await db
    .insertInto('users')
    .values(users.map((u, i) => ({ ...u, password_hash: null, role: 'user' as const, external_subject: null, created_at: new Date(now.getTime() - (60 - i) * 60_000) })))
    .execute();
  const statuses = ['approved', 'approved', 'declined', 'refunded', 'unknown', 'partially_refunded'];
  const plans: [string, number][] = [['standard', 29000], ['premium', 59000], ['pro', 99000]];
  const payments = Array.from({ length: 130 }, (_, i) => {
    const [plan, price] = plans[i % 3];
    const status = statuses[i % statuses.length];
    return {
      id: `pay_ops${String(i).padStart(3, '0')}`,
      user_id: users[i % users.length].id,
      provider: i % 4 === 0 ? 'naverpay' : 'kakaopay',
      plan_id: plan,
      amount_krw: i % 7 === 0 ? Math.floor(price / 3) : price,
      status,
      provider_ref: status === 'unknown' ? null : `T-E2E-${i}`,
    };
  });
  await db
    .insertInto('payments')
    .values(
      payments.map((p, i) => {
        const at = new Date(now.getTime() - i * 3_600_000);
        return {
          ...p,
          status: p.status as 'approved',
          subscription_id: null,
          kind: p.status === 'unknown' ? ('renewal' as const) : ('checkout' as const),
          vat_krw: Math.floor(p.amount_krw / 11),
          refunded_krw: p.status === 'refunded' ? p.amount_krw : p.status === 'partially_refunded' ? 1000 : 0,
          recurring: false,
          approved_at: ['approved', 'refunded', 'partially_refunded'].includes(p.status) ? at : null,
          created_at: at,
          updated_at: at,
        };
      }),
    )
    .execute();
  // Past-due subscriptions: 5 in grace with a retrying cycle, 2 whose grace ended.
  const subs = users.slice(0, 7).map((u, i) => ({
    id: `sub_ops${i}`,
    user_id: u.id,
    plan_id: 'standard',
    status: 'past_due' as const,
    provider: 'kakaopay',
    billing_key: `SID-E2E-${i}`,
    auto_renew: true,
    current_period_start: new Date(now.getTime() - 32 * DAY),
    current_period_end: new Date(now.getTime() - 2 * DAY),
    pending_plan_id: null,
    canceled_at: null,
    ended_at: null,
    grace_until: new Date(now.getTime() + (i < 5 ? 3 : -1) * DAY),
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto('subscriptions').values(subs).execute();
  await db
    .insertInto('billing_cycles')
    .values(
      subs.slice(0, 5).map((x, i) => ({
        id: `cyc_ops${i}`,
        subscription_id: x.id,
        plan_id: 'standard',
        period_start: x.current_period_end,
        period_end: new Date(x.current_period_end.getTime() + 30 * DAY),
        amount_krw: 29000,
        status: 'retrying' as const,
        attempt_count: 1 + i,
        next_attempt_at: new Date(now.getTime() + (i + 1) * 3_600_000),
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  // users[0]'s timeline: their payments, a subscription event, notices.
  const timelineUser = users[0].id;
  await db.insertInto('subscription_events').values({ subscription_id: 'sub_ops0', type: 'renewal_failed', from_status: 'active', to_status: 'past_due', data: null, created_at: new Date(now.getTime() - 2 * DAY) }).execute();
  await db
    .insertInto('notices')
    .values([0, 1].map((i) => ({ id: `ntc_ops${i}`, user_id: timelineUser, subscription_id: 'sub_ops0', kind: 'renewal_failed', dedupe_key: `ops${i}`, subject: '결제 실패 안내', body: '…', data: null, status: 'sent' as const, created_at: new Date(now.getTime() - (2 * DAY - i * 1000)), updated_at: now, sent_at: now })))
    .execute();
  const timelineEntries = payments.filter((p) => p.user_id === timelineUser).length + 1 + 2;
  return { users, payments, retrying: 5, inGrace: 5, timelineUser, timelineEntries };
}

const total = async (page: Page) => Number(await page.locator('.list-count').first().getAttribute('data-total'));
const rows = (page: Page) => page.locator('table.admin-table tbody tr');

describe('operator console in the browser: lists, search, timeline, roles', () => {
  let e2e: E2E;
  let seeds: Seeds;
  beforeAll(async () => {
    e2e = await startE2E({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
    seeds = await seed(e2e);
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it(
    'search shows the true count and pages; payments filter to independently counted totals; queues and timeline',
    async () => {
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, ADMIN_EMAIL);

      // 60 users match: the page says 60명, shows 50, and the next page the other 10.
      await page.goto(`${e2e.url}/admin/users?q=ops.example.com`);
      await page.locator('.list-count').waitFor();
      expect(await total(page)).toBe(60);
      expect(await page.locator('.list-count').innerText()).toContain('총 60명');
      expect(await rows(page).count()).toBe(50);
      await screenshot(page, 'console-01-search-count');
      await page.getByRole('button', { name: '다음' }).click();
      await page.waitForURL(/offset=50/);
      await page.locator('.list-count', { hasText: '51–60' }).waitFor();
      expect(await rows(page).count()).toBe(10);

      // By a provider transaction id and a billing key.
      await page.getByLabel(/이메일 또는 사용자 ID/).fill('T-E2E-7');
      await page.getByRole('button', { name: '검색' }).click();
      await page.locator('[data-matched-by="provider_ref"]').waitFor();
      expect(await rows(page).count()).toBe(1);
      expect(await rows(page).first().innerText()).toContain(seeds.payments[7].user_id);
      await page.getByLabel(/이메일 또는 사용자 ID/).fill('SID-E2E-3');
      await page.getByRole('button', { name: '검색' }).click();
      await page.locator('[data-matched-by="billing_key"]').waitFor();
      expect(await rows(page).first().innerText()).toContain(seeds.users[3].id);
      await screenshot(page, 'console-02-search-by-sid');

      // All payments, then filters (each total checked against the seeds).
      await page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link', { name: '결제 목록' }).click();
      await page.waitForURL(`${e2e.url}/admin/payments`);
      await page.locator('.list-count').waitFor();
      expect(await total(page)).toBe(seeds.payments.length);
      expect(await rows(page).count()).toBe(50);
      await page.getByLabel('상태').selectOption('approved');
      await page.getByLabel('결제사').selectOption('naverpay');
      await page.getByRole('button', { name: '적용' }).click();
      await page.waitForURL(/provider=naverpay/);
      const approvedNaver = seeds.payments.filter((p) => p.status === 'approved' && p.provider === 'naverpay');
      await page.locator(`.list-count[data-total="${approvedNaver.length}"]`).waitFor();
      expect(await rows(page).count()).toBe(approvedNaver.length);
      await page.getByLabel('상태').selectOption('');
      await page.getByLabel('결제사').selectOption('');
      await page.getByLabel('플랜').selectOption('pro');
      await page.getByLabel('최소 금액 (원)').fill('50000');
      await page.getByRole('button', { name: '적용' }).click();
      await page.waitForURL(/min_krw=50000/);
      const proFull = seeds.payments.filter((p) => p.plan_id === 'pro' && p.amount_krw >= 50000);
      await page.locator(`.list-count[data-total="${proFull.length}"]`).waitFor();
      expect(await rows(page).count()).toBe(proFull.length);
      await screenshot(page, 'console-03-payments-filtered');

      // Queues: the counts on the cards and the lists.
      await page.goto(`${e2e.url}/admin/queues`);
      const unknown = seeds.payments.filter((p) => p.status === 'unknown').length;
      await page.locator('[data-queue="dunning"] .queue-count', { hasText: `${seeds.retrying}건` }).waitFor();
      expect(await page.locator('[data-queue="grace"] .queue-count').innerText()).toBe(`${seeds.inGrace}건`);
      expect(await page.locator('[data-queue="grace_over"] .queue-count').innerText()).toBe('2건');
      expect(await page.locator('[data-queue="unknown"] .queue-count').innerText()).toBe(`${unknown}건`);
      await page.locator(`.list-count[data-total="${seeds.retrying}"]`).waitFor();
      expect(await rows(page).count()).toBe(seeds.retrying);
      await screenshot(page, 'console-04-queues-dunning');
      await page.locator('[data-queue="unknown"]').click();
      await page.locator(`.list-count[data-total="${unknown}"]`).waitFor();
      expect(await rows(page).count()).toBe(unknown);

      // One user's timeline.
      await page.goto(`${e2e.url}/admin/timeline?id=${seeds.timelineUser}`);
      await page.locator('ol.timeline').waitFor();
      expect(await total(page)).toBe(seeds.timelineEntries);
      expect(await page.locator('ol.timeline > li').count()).toBe(seeds.timelineEntries);
      const times = await page.locator('ol.timeline time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(await page.locator('ol.timeline > li[data-source="notice"]').count()).toBe(2);
      await screenshot(page, 'console-05-timeline');
      await page.getByRole('checkbox', { name: '결제' }).uncheck();
      await page.waitForURL(/sources=/);
      await page.locator('.list-count[data-total="3"]').waitFor();
      expect(await page.locator('ol.timeline > li[data-source="payment"]').count()).toBe(0);
    },
    E2E_TIMEOUT * 3,
  );

  it(
    'roles: an admin makes a user support, then finance; nav and pages follow, 권한 없음 when opened directly',
    async () => {
      const { page: adminPage } = await e2e.newPage();
      await adminPage.goto(`${e2e.url}/login`);
      await adminPage.getByLabel('이메일').fill(ADMIN_EMAIL);
      await adminPage.getByLabel('비밀번호').fill('correct horse battery');
      await adminPage.getByRole('button', { name: '로그인' }).click();
      await adminPage.waitForURL((u) => !u.pathname.startsWith('/login'));

      const staffEmail = uniqueEmail('staff');
      const { page } = await e2e.newPage();
      await signUpInBrowser(page, e2e.url, staffEmail);
      // A subscriber: no 관리자 in the menu, and the console says 권한 없음.
      expect(await page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리자' }).count()).toBe(0);
      await page.goto(`${e2e.url}/admin/payments`);
      await page.getByText('접근 권한이 없습니다').waitFor();

      // The admin finds them and sets the role on the timeline page.
      await adminPage.goto(`${e2e.url}/admin/users?q=${encodeURIComponent(staffEmail)}`);
      await adminPage.getByRole('link', { name: `${staffEmail} 타임라인 보기` }).click();
      await adminPage.getByLabel('역할 변경').selectOption('support');
      await adminPage.getByRole('button', { name: '저장' }).click();
      await adminPage.getByText('일반 사용자에서 고객지원(으)로 바꿨습니다.').waitFor();

      await page.goto(`${e2e.url}/`);
      await page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리자' }).click();
      await page.waitForURL(`${e2e.url}/admin`);
      await page.getByRole('heading', { name: '운영 현황' }).waitFor();
      const tabs = async () => page.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link').allInnerTexts();
      expect(await tabs()).toEqual(['대시보드', '운영 대기열', '결제 목록', '사용자 · 환불']);
      await screenshot(page, 'console-06-support-home');
      await page.goto(`${e2e.url}/admin/export`);
      await page.getByText('권한 없음').waitFor();
      await screenshot(page, 'console-07-support-no-permission');
      await page.goto(`${e2e.url}/admin/payments`);
      await page.locator(`.list-count[data-total="${seeds.payments.length}"]`).waitFor();

      // Finance: reports and exports, not the engine.
      await adminPage.getByLabel('역할 변경').selectOption('finance');
      await adminPage.getByRole('button', { name: '저장' }).click();
      await adminPage.getByText('고객지원에서 재무(으)로 바꿨습니다.').waitFor();
      await page.goto(`${e2e.url}/admin`);
      await page.locator('[data-kpi="gross"]').waitFor();
      expect(await tabs()).toEqual(['대시보드', '운영 대기열', '결제 목록', '사용자 · 환불', 'CSV 다운로드', '회계 리포트', '정산 대사']);
      await page.goto(`${e2e.url}/admin/engine`);
      await page.getByText('권한 없음').waitFor();
      await screenshot(page, 'console-08-finance-no-engine');
      // The admin still sees every tab.
      await adminPage.goto(`${e2e.url}/admin/queues`);
      await adminPage.locator('.queue-cards').waitFor();
      expect(await adminPage.getByRole('navigation', { name: '관리자 메뉴' }).getByRole('link').allInnerTexts()).toEqual([
        '대시보드',
        '운영 대기열',
        '결제 목록',
        '사용자 · 환불',
        'CSV 다운로드',
        '엔진 연동',
        '회계 리포트',
        '정산 대사',
        '작업 기록',
        '플랜 가격',
      ]);
    },
    E2E_TIMEOUT * 3,
  );
});
