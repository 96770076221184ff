/**
 * Shared pieces of the browser tests: build the web app when needed, start the
 * real service with both sandboxes (startLocalStack), drive Debian's chromium
 * through playwright-core, save screenshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../dev/local-stack.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const WEB_DIST = join(ROOT, 'web', 'dist');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const E2E_TIMEOUT = 60_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newestMtime(join(path, name)));
  return max;
}

function webIsBuilt(): boolean {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  const sources = [join(ROOT, 'web', 'src'), join(ROOT, 'web', 'index.html'), join(ROOT, 'web', 'vite.config.ts')];
  return sources.every((s) => !existsSync(s) || newestMtime(s) <= built);
}

/**
 * Builds web/dist when it is missing or older than web/src. Test files run in
 * parallel, so one of them builds (holding a lock directory) while the others wait.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (webIsBuilt()) return;
  const lock = join(ROOT, 'test-results', '.web-build.lock');
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than two minutes is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the web build lock');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!webIsBuilt()) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
        cwd: ROOT,
        // Vitest sets NODE_ENV=test, which would give a development build of React.
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: 'inherit',
        timeout: 110_000,
      });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error('web build produced no web/dist/index.html');
}

/** Launches Debian's chromium. A missing browser fails the test run; it never skips. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface E2E {
  stack: LocalStack;
  browser: Browser;
  url: string;
  /** A fresh browser context (own cookies) limited to loopback, and its first page. */
  newPage(opts?: { width?: number; height?: number; mobile?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** The service, both sandboxes and a browser, for one test file. */
export async function startE2E(opts: { env?: Record<string, string> } = {}): Promise<E2E> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
  }
  await ensureWebBuilt();
  // The migrated test database (a PGlite copy, or a fresh schema when DATABASE_URL is set).
  const db: TestDb = await createTestDb();
  const dataDir = mkdtempSync(join(tmpdir(), 'smts-e2e-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      env: {
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        PUBLIC_URL: undefined,
        // Many sign-ups and checkouts from 127.0.0.1 in a few minutes.
        SIGNUP_RATE_LIMIT_MAX: '1000000',
        READY_RATE_LIMIT_MAX: '1000000',
        ...opts.env,
      },
      kakaopayPort: 0,
      naverpayPort: 0,
      webDir: WEB_DIST,
      compose: { db, skipMigrations: true },
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await stack.close();
    await db.close();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  return {
    stack,
    browser,
    url: stack.url,
    async newPage(opts = {}) {
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
        isMobile: opts.mobile ?? false,
        ...(opts.mobile
          ? { userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36' }
          : {}),
        hasTouch: opts.mobile ?? false,
        deviceScaleFactor: 1,
        locale: 'ko-KR',
        timezoneId: 'Asia/Seoul',
      });
      // Loopback only: anything else is refused.
      await context.route(/.*/, (route) => {
        const host = new URL(route.request().url()).hostname;
        if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return route.fallback();
        return route.abort('blockedbyclient');
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.setDefaultNavigationTimeout(20_000);
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await stack.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export function uniqueEmail(tag: string): string {
  return `${tag}-${process.pid}-${Date.now()}-${++counter}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Ticks the sign-up page's required consents (이용약관, 개인정보 수집·이용). */
export async function agreeToSignupTerms(page: Page): Promise<void> {
  await page.getByLabel('이용약관에 동의합니다 (필수)').check();
  await page.getByLabel('개인정보 수집 · 이용에 동의합니다 (필수)').check();
}

/** Ticks the checkout's 주문 내용 확인 및 결제 동의 box (required before the provider opens). */
export async function agreeToOrder(page: Page): Promise<void> {
  await page.getByLabel(/결제 · 청약철회 조건을 확인했으며 결제에 동의합니다/).check();
}

/** Signs up through the sign-up page (with the required consents) and waits for the plans page. */
export async function signUpInBrowser(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/signup`);
  await page.getByLabel('이메일').fill(email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await agreeToSignupTerms(page);
  await page.getByRole('button', { name: '가입하기' }).click();
  await page.waitForURL(`${url}/`);
  await page.getByRole('button', { name: '로그아웃' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}
