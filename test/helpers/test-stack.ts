import type { FastifyInstance } from 'fastify';
import { loadConfig, type RawEnv } from '../../src/config/load-config.ts';
import { compose, type Services } from '../../src/composition.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';
import { createTestDb, type TestDb } from './test-db.ts';
import { SIGNUP_CONSENTS } from './consents.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestStack {
  url: string;
  kakaopayUrl: string;
  naverpayUrl: string;
  db: TestDb;
  services: Services;
  app: FastifyInstance;
  api<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  signup(email?: string): Promise<{ token: string; userId: string; email: string }>;
  sandbox(provider: 'kakaopay' | 'naverpay', method: string, path: string, body?: unknown): Promise<any>;
  /** Empties the database and both sandboxes (between tests). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** The real service on a free port, with both sandboxes over real HTTP, on the test database. */
export async function startTestStack(opts: { env?: RawEnv } = {}): Promise<TestStack> {
  const db = await createTestDb();
  const kakao = await startKakaoPaySandbox({ port: 0 });
  const naver = await startNaverPaySandbox({ port: 0 });
  const config = loadConfig(process.env, {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    KAKAOPAY_BASE_URL: kakao.url,
    NAVERPAY_BASE_URL: naver.url,
    // Tests sign up and start checkouts from 127.0.0.1 in quick succession; tests of the limits set their own.
    SIGNUP_RATE_LIMIT_MAX: '1000000',
    READY_RATE_LIMIT_MAX: '1000000',
    ...opts.env,
  });
  const services = await compose(config, { db, skipMigrations: true });
  const app = await buildApp(services, { webDir: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  services.ctx.settings.publicUrl = url;

  const api: TestStack['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers };
  };

  const sandboxUrls = { kakaopay: kakao.url, naverpay: naver.url };
  const stack: TestStack = {
    url,
    kakaopayUrl: kakao.url,
    naverpayUrl: naver.url,
    db,
    services,
    app,
    api,
    async signup(email = `user${++counter}-${Date.now()}@example.com`) {
      const r = await api('POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email, password: 'correct horse battery' } });
      if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { token: r.body.token, userId: r.body.user.id, email };
    },
    async sandbox(provider, method, path, body) {
      const res = await fetch(sandboxUrls[provider] + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return text ? JSON.parse(text) : null;
    },
    async reset() {
      await db.reset();
      await stack.sandbox('kakaopay', 'POST', '/__sandbox/reset');
      await stack.sandbox('naverpay', 'POST', '/__sandbox/reset');
    },
    async close() {
      await app.close();
      await kakao.close();
      await naver.close();
      await db.close();
    },
  };
  return stack;
}
