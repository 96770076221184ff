import type { FastifyInstance } from 'fastify';
import { loadConfig, type RawEnv } from '../../src/config/load-config.ts';
import { compose, type Services } from '../../src/composition.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';
import { SIGNUP_CONSENTS, ORDER_CONSENT } from '../helpers/consents.ts';

export const DAY = 86_400_000;
export type Provider = 'kakaopay' | 'naverpay';

export interface User {
  token: string;
  userId: string;
  email: string;
}

/**
 * The service with both sandboxes, on the test database, with the service's clock frozen at
 * `t0` (whole second) under the adjustable test clock: time moves only when a test moves it
 * (`advance`, through `POST /api/sandbox/clock`, which also moves both sandboxes' clocks and
 * runs a worker tick) — Lago's `travel_to`. The API is called through `app.inject`.
 */
export interface RenewalHarness {
  t0: number;
  db: TestDb;
  services: Services;
  app: FastifyInstance;
  urls: Record<Provider, string>;
  api<T = any>(method: string, path: string, o?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
  signup(): Promise<User>;
  /** A first checkout with auto-renewal on, approved like the browser would. */
  subscribe(provider: Provider, user: User, plan?: string): Promise<any>;
  /** Completes a redirect checkout (`/ready`-shaped answer) at the sandbox and approves it. */
  completeCheckout(provider: Provider, user: User, paymentId: string, checkout: any): Promise<any>;
  /** Moves all clocks forward and runs a worker tick (the sandbox clock endpoint, as the sandbox admin). */
  advance(ms: number, user?: User): Promise<any>;
  /** A token of the sandbox admin (the sandbox tools are admin-only); made again after reset(). */
  adminToken(): Promise<string>;
  /** A worker tick at the current time, as `runOnce(now)`. */
  tick(): Promise<any>;
  now(): Date;
  sandbox(provider: Provider, method: string, path: string, body?: unknown): Promise<any>;
  /** Queues `count` declines of the next renewal charges. */
  declineNext(provider: Provider, count: number): Promise<void>;
  /** Successful billing-key charges per key, as the sandbox counts them. */
  charges(provider: Provider): Promise<Record<string, number>>;
  /** Whether the sandbox still accepts the billing key. */
  keyActive(provider: Provider, key: string): Promise<boolean>;
  subscriptionRow(userId: string): Promise<any>;
  payments(userId: string): Promise<any[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startRenewalHarness(opts: { env?: RawEnv } = {}): Promise<RenewalHarness> {
  const db = await createTestDb();
  const kakao = await startKakaoPaySandbox({ port: 0 });
  const naver = await startNaverPaySandbox({ port: 0 });
  const config = loadConfig(process.env, {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    KAKAOPAY_BASE_URL: kakao.url,
    NAVERPAY_BASE_URL: naver.url,
    SANDBOX_MODE: 'true',
    // Tokens must outlive a year of test-clock travel.
    AUTH_TOKEN_TTL_SECONDS: String(5 * 366 * 86_400),
    // Tests sign up and start checkouts from 127.0.0.1 in quick succession; tests of the limits set their own.
    SIGNUP_RATE_LIMIT_MAX: '1000000',
    READY_RATE_LIMIT_MAX: '1000000',
    ...opts.env,
  });
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  const services = await compose(config, { db, skipMigrations: true, baseClock: { now: () => new Date(t0) } });
  const app = await buildApp(services, { webDir: null });
  await app.ready();
  services.ctx.settings.publicUrl = 'http://127.0.0.1:1';
  const urls = { kakaopay: kakao.url, naverpay: naver.url };
  let adminToken: string | null = null;

  const api: RenewalHarness['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await app.inject({ method: method as any, url: path, headers, ...(o.body !== undefined ? { payload: o.body as any } : {}) });
    let body: any = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body };
  };

  const sandbox: RenewalHarness['sandbox'] = async (provider, method, path, body) => {
    const res = await fetch(urls[provider] + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };

  const h: RenewalHarness = {
    t0,
    db,
    services,
    app,
    urls,
    api,
    sandbox,
    now: () => services.clock.now(),
    async signup() {
      const email = `renew${++counter}-${t0}@example.com`;
      const r = await api('POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email, password: 'correct horse battery' } });
      if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { token: r.body.token, userId: r.body.user.id, email };
    },
    async completeCheckout(provider, user, paymentId, checkout) {
      let params: Record<string, string>;
      if (provider === 'kakaopay') {
        const tid = (await h.db.db.selectFrom('payments').select('checkout_ref').where('id', '=', paymentId).executeTakeFirstOrThrow()).checkout_ref!;
        const a = await sandbox('kakaopay', 'POST', `/__sandbox/tids/${tid}/authorize`, { action: 'approve', method: 'CARD' });
        params = { tid, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
      } else {
        const reserveId = decodeURIComponent(new URL(checkout.redirect_url).pathname.split('/').pop()!);
        const a = await sandbox('naverpay', 'POST', `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, { action: 'approve' });
        params = Object.fromEntries(new URL(a.redirect_url).searchParams);
        delete params.payment_id;
      }
      const r = await api('POST', `/api/payment/${provider}/approve`, { token: user.token, body: { payment_id: paymentId, ...params } });
      if (r.status !== 200) throw new Error(`approve failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async subscribe(provider, user, plan = 'standard') {
      const r = await api('POST', `/api/payment/${provider}/ready`, { token: user.token, body: { ...ORDER_CONSENT, plan, auto_renew: true } });
      if (r.status !== 200) throw new Error(`ready failed: ${r.status} ${JSON.stringify(r.body)}`);
      return h.completeCheckout(provider, user, r.body.payment_id, r.body.checkout);
    },
    async adminToken() {
      adminToken ??= (await issueSandboxAdminToken(services)).token;
      return adminToken;
    },
    async advance(ms) {
      const r = await api('POST', '/api/sandbox/clock', { token: await h.adminToken(), body: { advance_ms: ms } });
      if (r.status !== 200) throw new Error(`clock failed: ${r.status} ${JSON.stringify(r.body)}`);
      for (const [p, v] of Object.entries(r.body.providers as Record<string, { ok: boolean }>)) {
        if (!v.ok) throw new Error(`sandbox clock of ${p} did not move`);
      }
      return r.body.tick;
    },
    tick: () => services.renewals.runOnce(services.clock.now()),
    async declineNext(provider, count) {
      if (provider === 'kakaopay') await sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', error_code: -782, count });
      else await sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'recurrent_pay_approve', code: 'NotEnoughAccountBalance', message: '잔액 부족', count });
    },
    async charges(provider) {
      const stats = await sandbox(provider, 'GET', '/__sandbox/stats');
      return provider === 'kakaopay' ? stats.charges_by_sid : stats.charges_by_recurrent_id;
    },
    async keyActive(provider, key) {
      if (provider === 'kakaopay') return (await sandbox('kakaopay', 'GET', `/__sandbox/sids/${key}`)).status === 'ACTIVE';
      return (await sandbox('naverpay', 'GET', `/__sandbox/recurrents/${encodeURIComponent(key)}`)).state === 'VALID';
    },
    subscriptionRow: (userId) => db.db.selectFrom('subscriptions').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow(),
    payments: (userId) => db.db.selectFrom('payments').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('period_start').execute(),
    async reset() {
      await db.reset();
      adminToken = null;
      for (const p of ['kakaopay', 'naverpay'] as const) {
        await sandbox(p, 'POST', '/__sandbox/reset');
        // The service's test clock keeps its offset; the sandboxes start over at 0.
        await sandbox(p, 'POST', '/__sandbox/clock', { advance_ms: services.clock.offset });
      }
    },
    async close() {
      await services.renewals.stop();
      await app.close();
      await kakao.close();
      await naver.close();
      await db.close();
    },
  };
  return h;
}
