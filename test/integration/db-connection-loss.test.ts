import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { kakaoCheckout } from '../helpers/refund-fixtures.ts';
import { SIGNUP_CONSENTS } from '../helpers/consents.ts';

// Issue 9, item 15: a dropped database connection must not crash the API or the worker.
// Requests in flight fail with 503 DATABASE_UNAVAILABLE; the next ones succeed. Only this
// file's own backends are terminated (found by application_name): other test files and CI
// jobs share the PostgreSQL database.

const url = process.env.DATABASE_URL;

async function terminate(applicationName: string): Promise<number> {
  const c = new pg.Client({ connectionString: url, application_name: 'smts-test-terminator' });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [
      applicationName,
    ]);
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!url)('dropped database connections (PostgreSQL only; PGlite is embedded and has no connections to drop)', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack({ env: { KAKAOPAY_TIMEOUT_MS: '2000' } });
  });
  afterAll(async () => s?.close());

  it('in-process: a request in flight gets 503 DATABASE_UNAVAILABLE, the next ones succeed', async () => {
    const u = await s.signup();
    await kakaoCheckout(s, u.token);
    // Several connections in the pool, some idle.
    await Promise.all(Array.from({ length: 6 }, () => s.api('GET', '/api/payments', { token: u.token })));

    // Hold a lock so that one request is waiting inside the database when its connection drops.
    const locker = new pg.Client({ connectionString: url, application_name: 'smts-test-locker', options: `-c search_path=${s.db.schema}` });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE payments IN ACCESS EXCLUSIVE MODE');
    const inFlight = s.api('GET', '/api/payments', { token: u.token });
    await sleep(300);
    expect(await terminate(s.db.applicationName!)).toBeGreaterThan(0);
    const failed = await inFlight;
    await locker.query('ROLLBACK');
    await locker.end();
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });

    await sleep(200);
    for (let i = 0; i < 5; i++) {
      const ok = await s.api('GET', '/api/payments', { token: u.token });
      expect(ok.status).toBe(200);
      expect(ok.body.payments).toHaveLength(1);
    }
    // Every connection dropped at once, idle ones included: still answering.
    await terminate(s.db.applicationName!);
    await sleep(200);
    const st = await s.api('GET', '/api/subscription/status', { token: u.token });
    expect(st.status).toBe(200);
    expect(st.body.is_active).toBe(true);
  });

  async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
      });
    });
  }

  function start(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => out, exited };
  }

  function childEnv(applicationName: string, port: number): Record<string, string> {
    const u = new URL(url!);
    u.searchParams.set('application_name', applicationName);
    u.searchParams.set('options', `-c search_path=${s.db.schema}`);
    return {
      DATABASE_URL: u.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RENEWAL_TICK_MS: '100',
      KAKAOPAY_BASE_URL: s.kakaopayUrl,
      NAVERPAY_BASE_URL: s.naverpayUrl,
    };
  }

  it('the API server process survives every connection of its pool being terminated', async () => {
    const port = await freePort();
    const name = `smts-test-child-${randomBytes(4).toString('hex')}`;
    const server = start('src/http/server.ts', childEnv(name, port));
    const base = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
        if (ok) break;
        if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${server.output()}`);
        await sleep(200);
      }
      const signup = async () =>
        fetch(`${base}/api/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...SIGNUP_CONSENTS, email: `child-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery' }),
        });
      expect((await signup()).status).toBe(201);
      expect(await terminate(name)).toBeGreaterThan(0);
      await sleep(1000);
      expect(server.child.exitCode, server.output()).toBeNull();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await signup()).status);
      expect(statuses.every((x) => x === 201 || x === 503)).toBe(true);
      expect(statuses[statuses.length - 1]).toBe(201);
      expect(server.child.exitCode, server.output()).toBeNull();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);

  it('the worker process survives too, logging the failed ticks and carrying on', async () => {
    const name = `smts-test-worker-${randomBytes(4).toString('hex')}`;
    const worker = start('src/worker/main.ts', childEnv(name, 0));
    try {
      const deadline = Date.now() + 60_000;
      while (!worker.output().includes('"ready"')) {
        if (worker.child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${worker.output()}`);
        await sleep(200);
      }
      await sleep(500);
      for (let i = 0; i < 3; i++) {
        await terminate(name);
        await sleep(400);
      }
      await sleep(1000);
      expect(worker.child.exitCode, worker.output()).toBeNull();
      // It reconnects: its backends are back.
      const c = new pg.Client({ connectionString: url, application_name: 'smts-test-terminator' });
      await c.connect();
      const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
      await c.end();
      expect(r.rows[0].n).toBeGreaterThan(0);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 90_000);
});
