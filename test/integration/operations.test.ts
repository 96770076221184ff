import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { loadConfig, type RawEnv } from '../../src/config/load-config.ts';
import { compose, type Services } from '../../src/composition.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';
import { createDb } from '../../src/storage/create-db.ts';
import { stopServer } from '../../src/http/graceful-stop.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { OperationsRepository } from '../../src/storage/repositories/operations-repository.ts';
import { SIGNUP_CONSENTS, ORDER_CONSENT } from '../helpers/consents.ts';

/** Known secret values: none of them may ever appear in a log line. */
const SECRETS = {
  AUTH_TOKEN_SECRET: 'auth-secret-7Qx9Lm2Vb8Nc4Zr6Tw1Ky',
  KAKAOPAY_SECRET_KEY: 'DEV_kakao-secret-3Hf8Jd2Ks9Pq',
  KAKAOPAY_CID_SECRET: 'cid-secret-5Rt7Yu1Io3Pa',
  NAVERPAY_CLIENT_SECRET: 'naver-secret-9Gh2Jk4Lz6Xc',
  METRICS_TOKEN: 'metrics-token-8Vb3Nm5Qw7Er',
  HOST_JWT_HS256_SECRET: 'host-jwt-secret-2As4Df6Gh8Jk0Lz',
  SMTP_PASSWORD: 'smtp-pass-6Tg8Yh0Uj2Ik',
};
const PASSWORD = 'user-password-4Ws6Ed8Rf0Tg';

interface Stack {
  url: string;
  services: Services;
  app: FastifyInstance;
  logs: string[];
  close(): Promise<void>;
}

async function startStack(db: TestDb | Awaited<ReturnType<typeof createDb>>, env: RawEnv = {}): Promise<Stack> {
  const kakao = await startKakaoPaySandbox({ port: 0, secretKeys: [SECRETS.KAKAOPAY_SECRET_KEY] });
  const naver = await startNaverPaySandbox({ port: 0, clientSecret: SECRETS.NAVERPAY_CLIENT_SECRET });
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const config = loadConfig(process.env, {
    PORT: '0',
    LOG_LEVEL: 'trace',
    KAKAOPAY_BASE_URL: kakao.url,
    NAVERPAY_BASE_URL: naver.url,
    KAKAOPAY_SECRET_KEY: SECRETS.KAKAOPAY_SECRET_KEY,
    NAVERPAY_CLIENT_SECRET: SECRETS.NAVERPAY_CLIENT_SECRET,
    ...env,
  });
  const services = await compose(config, { db, skipMigrations: true, logDestination });
  const app = await buildApp(services, { webDir: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  services.ctx.settings.publicUrl = url;
  return {
    url,
    services,
    app,
    logs,
    async close() {
      await app.close();
      await services.close();
      await kakao.close();
      await naver.close();
    },
  };
}

async function call(url: string, method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), redirect: 'manual' });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe(`metrics and logs after real checkouts (${label})`, () => {
  let db: TestDb;
  let s: Stack;
  const seen: string[] = [];
  let kakaoPaymentId = '';
  let naverPaymentId = '';

  beforeAll(async () => {
    db = await createTestDb();
    s = await startStack(db, {
      ...SECRETS,
      SMTP_URL: `smtp://mailer:${SECRETS.SMTP_PASSWORD}@127.0.0.1:9`,
    });
    const email = `ops-${Date.now()}@example.com`;
    const signup = await call(s.url, 'POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email, password: PASSWORD } });
    expect(signup.status).toBe(201);
    await call(s.url, 'POST', '/api/auth/login', { body: { email, password: 'wrong-password-123456' } });
    const login = await call(s.url, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token: string = login.body.token;
    seen.push(token, signup.body.token);

    // KakaoPay: ready → the sandbox's hosted page approves → the browser follows our return URL.
    const ready = await call(s.url, 'POST', '/api/payment/kakaopay/ready', { token, body: { ...ORDER_CONSENT, plan: 'standard' } });
    expect(ready.status).toBe(200);
    kakaoPaymentId = ready.body.payment_id;
    const auth = await fetch(`${new URL(ready.body.payment_url).origin}/__sandbox/tids/${ready.body.tid}/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'approve', method: 'CARD' }),
    }).then((r) => r.json() as Promise<{ redirect_url: string }>);
    seen.push(new URL(auth.redirect_url).searchParams.get('pg_token')!);
    const back = await fetch(auth.redirect_url, { redirect: 'manual', headers: { cookie: `smts_session=${token}` } });
    expect(back.headers.get('location')).toContain('/payment/success');

    // NaverPay through the SDK flow.
    const nready = await call(s.url, 'POST', '/api/payment/naverpay/ready', { token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    expect(nready.status).toBe(200);
    naverPaymentId = nready.body.payment_id;
    const nauth = await fetch(`${s.services.config.naverpay.baseUrl}/__sandbox/sdk/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...nready.body.checkout.create, ...nready.body.checkout.open, action: 'approve' }),
    }).then((r) => r.json() as Promise<{ redirect_url: string }>);
    expect(nauth, JSON.stringify(nready.body)).toHaveProperty('redirect_url');
    const nback = await fetch(nauth.redirect_url, { redirect: 'manual', headers: { cookie: `smts_session=${token}` } });
    expect(nback.headers.get('location')).toContain('/payment/success');
    await call(s.url, 'GET', '/api/payments', { token });
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await db?.close();
  });

  it('GET /metrics: per-route HTTP figures, provider calls per operation and outcome, payments by outcome, backlogs', async () => {
    const denied = await call(s.url, 'GET', '/metrics');
    expect(denied.status).toBe(401);
    const r = await call(s.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text: string = r.body;
    for (const line of [
      'billing_http_requests_total{method="POST",route="/api/payment/:method/ready",status_code="200",role="server"} 2',
      'billing_http_requests_total{method="GET",route="/api/payment/:method/return",status_code="303",role="server"} 2',
      'billing_http_requests_total{method="POST",route="/api/auth/login",status_code="401",role="server"} 1',
      'billing_http_request_duration_seconds_count{role="server",method="POST",route="/api/auth/signup",status_code="201"} 1',
      'billing_provider_call_duration_seconds_count{role="server",provider="kakaopay",operation="prepare_checkout",outcome="ok"} 1',
      'billing_provider_call_duration_seconds_count{role="server",provider="kakaopay",operation="approve_checkout",outcome="ok"} 1',
      'billing_provider_call_duration_seconds_count{role="server",provider="naverpay",operation="approve_checkout",outcome="ok"} 1',
      'billing_payments_total{provider="kakaopay",operation="approve",outcome="approved",role="server"} 1',
      'billing_payments_total{provider="naverpay",operation="approve",outcome="approved",role="server"} 1',
      'billing_unsettled_refunds{role="server"} 0',
      'billing_database_up{role="server"} 1',
    ]) {
      expect(text).toContain(line);
    }
    // Each approved checkout wrote its 결제 완료 notice; the relay (port 9) refuses, so both wait in the outbox.
    expect(text).toMatch(/^billing_outbox_pending\{queue="notices",role="server"\} 2$/m);
    expect(text).toMatch(/^billing_outbox_oldest_age_seconds\{queue="notices",role="server"\} \d+(\.\d+)?$/m);
    expect(text).toMatch(/^billing_renewal_lag_seconds\{role="server"\} [0-9.e+-]+$/m);
    expect(text).toMatch(/^billing_outbox_pending\{queue="billing_key_revocations",role="server"\} \d+$/m);
    expect(text).toMatch(/^billing_renewals_due\{role="server"\} \d+$/m);
    for (const name of ['billing_unknown_payments', 'billing_unknown_payment_oldest_age_seconds', 'billing_worker_heartbeat_age_seconds', 'billing_worker_ticks_total', 'process_cpu_user_seconds_total']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    // Route patterns only: no payment ids, no query strings in labels.
    expect(text).not.toContain(kakaoPaymentId);
    expect(text).not.toContain('pg_token');
  });

  it('the unknown-outcome backlog is counted per provider', async () => {
    await db.db.updateTable('payments').set({ status: 'unknown' }).where('id', '=', kakaoPaymentId).execute();
    try {
      const r = await call(s.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } });
      expect(r.body).toContain('billing_unknown_payments{provider="kakaopay",role="server"} 1');
    } finally {
      await db.db.updateTable('payments').set({ status: 'approved' }).where('id', '=', kakaoPaymentId).execute();
    }
  });

  it('request logs carry a request id; provider calls are logged with our payment id', async () => {
    const lines = s.logs.map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(5);
    for (const l of requests) expect(l.request_id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(requests.some((l) => l.route === '/api/payment/:method/return' && l.status === 303 && l.user_id)).toBe(true);
    const calls = lines.filter((l) => l.msg === 'provider call');
    expect(calls).toContainEqual(expect.objectContaining({ provider: 'kakaopay', operation: 'approve_checkout', payment_id: kakaoPaymentId, outcome: 'ok', level: 30 }));
    expect(calls).toContainEqual(expect.objectContaining({ provider: 'naverpay', operation: 'approve_checkout', payment_id: naverPaymentId, outcome: 'ok' }));
  });

  it('X-Request-Id: a well-formed incoming id is kept and echoed; anything else is replaced', async () => {
    const given = await call(s.url, 'GET', '/api/plans', { headers: { 'x-request-id': 'lb-0123456789abcdef' } });
    expect(given.headers.get('x-request-id')).toBe('lb-0123456789abcdef');
    const bad = await call(s.url, 'GET', '/api/plans', { headers: { 'x-request-id': 'bad id with spaces!' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    expect(s.logs.some((l) => l.includes('"request_id":"lb-0123456789abcdef"'))).toBe(true);
  });

  it('secrets never reach the logs: keys, tokens, passwords, pg_token, SMTP password', () => {
    const all = s.logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries(SECRETS)) expect(all, name).not.toContain(value);
    expect(all).not.toContain(PASSWORD);
    for (const value of seen) expect(all).not.toContain(value);
  });
});

describe(`readiness and liveness (${label})`, () => {
  let db: TestDb;
  let s: Stack;

  beforeAll(async () => {
    db = await createTestDb();
    // 3 s, not 1: the grace period counts from when the app was built, and starting the stack on
    // a loaded machine took more than a second (the "just started" check then failed).
    s = await startStack(db, { WORKER_HEARTBEAT_STALE_SECONDS: '3' });
  });
  afterAll(async () => {
    await s?.close();
    await db?.close();
  });

  it('/livez answers while the process runs; /readyz checks database, migrations, worker heartbeat and shutdown', async () => {
    expect((await call(s.url, 'GET', '/livez')).body).toEqual({ ok: true });
    // Just started: no heartbeat yet, but within the grace period.
    const early = await call(s.url, 'GET', '/readyz');
    expect(early.status).toBe(200);
    expect(early.body.checks).toMatchObject({ database: { ok: true }, migrations: { ok: true }, worker: { ok: true, starting: true } });

    // No worker for longer than the stale limit: not ready.
    await new Promise((r) => setTimeout(r, 3200));
    const stale = await call(s.url, 'GET', '/readyz');
    expect(stale.status).toBe(503);
    expect(stale.body.checks.worker).toMatchObject({ ok: false, heartbeat_age_seconds: null });
    expect((await call(s.url, 'GET', '/healthz')).status).toBe(503);

    // A worker loop starts (its heartbeat comes at once) → ready; stopping it removes the heartbeat.
    s.services.renewals.start();
    await expect.poll(async () => (await call(s.url, 'GET', '/readyz')).status, { timeout: 5000 }).toBe(200);
    await s.services.renewals.stop();
    expect(await s.services.operations.lastBeat()).toBeNull();

    await s.services.operations.beat({ id: 'wrk_test', host: 'h', pid: 1, startedAt: new Date() }, new Date());
    expect((await call(s.url, 'GET', '/readyz')).status).toBe(200);

    // A migration this build knows is missing: not ready.
    await sql`DELETE FROM kysely_migration WHERE name = '0009-operations'`.execute(db.db);
    const pending = await call(s.url, 'GET', '/readyz');
    expect(pending.status).toBe(503);
    expect(pending.body.checks.migrations).toEqual({ ok: false, pending: ['0009-operations'] });
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('0009-operations', ${new Date().toISOString()})`.execute(db.db);
    expect((await call(s.url, 'GET', '/readyz')).status).toBe(200);

    // Shutdown begun: not ready (the load balancer drains), still live.
    s.services.lifecycle.shuttingDown = true;
    expect((await call(s.url, 'GET', '/readyz')).status).toBe(503);
    expect((await call(s.url, 'GET', '/livez')).status).toBe(200);
    s.services.lifecycle.shuttingDown = false;
  });
});

/**
 * A TCP proxy in front of PostgreSQL that can black-hole traffic: queries hang as in a network
 * partition or a database that stopped answering.
 */
function pgProxy(target: { host: string; port: number }) {
  let down = false;
  const pairs: { client: Socket; upstream: Socket; held: Buffer[] }[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    const pair = { client, upstream, held: [] as Buffer[] };
    pairs.push(pair);
    // While down, what the service sends is held back (not lost): its queries hang unanswered.
    client.on('data', (d) => (down ? pair.held.push(d) : upstream.write(d)));
    upstream.on('data', (d) => client.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
  });
  return {
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port))),
    down: () => {
      down = true;
    },
    up: () => {
      down = false;
      for (const p of pairs) for (const d of p.held.splice(0)) p.upstream.write(d);
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!process.env.DATABASE_URL)('readiness when the database goes away (PostgreSQL)', () => {
  it('fails while the database does not answer and recovers when it is back', async () => {
    const test = await createTestDb();
    const schema = test.label.split(':')[1];
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = pgProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await proxy.listen();
    const viaProxy = new URL(process.env.DATABASE_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(port);
    const db = await createDb({ kind: 'postgres', url: viaProxy.toString(), searchPath: schema, poolSize: 20 });
    const s = await startStack(db);
    try {
      expect((await call(s.url, 'GET', '/readyz')).status).toBe(200);
      proxy.down();
      const started = Date.now();
      const down = await call(s.url, 'GET', '/readyz');
      expect(down.status).toBe(503);
      expect(down.body.checks.database).toMatchObject({ ok: false, error: expect.stringContaining('no answer') });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await call(s.url, 'GET', '/livez')).status).toBe(200);
      proxy.up();
      await expect.poll(async () => (await call(s.url, 'GET', '/readyz')).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await s.close();
      await db.close();
      await proxy.close();
      await test.close();
    }
  }, 30_000);
});

describe(`the test clock with the worker in another process (${label})`, () => {
  it('a clock move made through the server reaches a worker that shares only the database', async () => {
    const db = await createTestDb();
    const email = `clock-admin-${Date.now()}@example.com`;
    const server = await startStack(db, { ADMIN_EMAILS: email, RENEWAL_TICK_MS: '100' });
    // The worker process: its own composition (own clock, own worker loop), the same database.
    const workerConfig = loadConfig(process.env, { LOG_LEVEL: 'silent', RENEWAL_TICK_MS: '100' });
    const worker = await compose(workerConfig, { db, skipMigrations: true, role: 'worker' });
    try {
      worker.renewals.start();
      const signup = await call(server.url, 'POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email, password: PASSWORD } });
      const moved = await call(server.url, 'POST', '/api/sandbox/clock', { token: signup.body.token, body: { advance_days: 3 } });
      expect(moved.status).toBe(200);
      expect(moved.body.offset_ms).toBe(3 * 86_400_000);
      await expect.poll(() => worker.clock.offset, { timeout: 5000 }).toBe(3 * 86_400_000);
      expect(Math.abs(worker.clock.now().getTime() - server.services.clock.now().getTime())).toBeLessThan(2000);
      // The worker's heartbeat made the server ready; stopping the worker removes it.
      expect((await call(server.url, 'GET', '/readyz')).body.checks.worker.ok).toBe(true);
    } finally {
      await worker.renewals.stop();
      await worker.close();
      await server.close();
      await db.close();
    }
  }, 30_000);
});

describe(`graceful shutdown (${label})`, () => {
  it('finishes the request in flight, refuses new ones, stops the worker and removes its heartbeat', async () => {
    const db = await createTestDb();
    const s = await startStack(db);
    try {
      s.services.renewals.start();
      await expect.poll(() => s.services.operations.lastBeat(), { timeout: 5000 }).not.toBeNull();
      const signup = await call(s.url, 'POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email: `stop-${Date.now()}@example.com`, password: PASSWORD } });
      // KakaoPay answers this ready after 1.5 s: the request is in flight when the stop begins.
      await fetch(`${s.services.config.kakaopay.baseUrl}/__sandbox/script`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'ready', delay_ms: 1500 }),
      });
      const inFlight = call(s.url, 'POST', '/api/payment/kakaopay/ready', { token: signup.body.token, body: { ...ORDER_CONSENT, plan: 'standard' } });
      await new Promise((r) => setTimeout(r, 300));
      const stopping = stopServer(s.app, s.services);
      expect(s.services.lifecycle.shuttingDown).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      // New connections are refused; the request in flight still gets its answer.
      await expect(fetch(`${s.url}/livez`)).rejects.toThrow();
      const r = await inFlight;
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.tid).toBeTruthy();
      await stopping;
      expect(await new OperationsRepository(db.db).lastBeat()).toBeNull();
    } finally {
      await s.close().catch(() => undefined);
      await db.close();
    }
  }, 30_000);
});
