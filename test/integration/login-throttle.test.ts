import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { loadConfig, type RawEnv } from '../../src/config/load-config.ts';
import { compose } from '../../src/composition.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { LoginThrottle } from '../../src/use-cases/log-in.ts';
import { LoginAttemptRepository } from '../../src/storage/repositories/login-attempt-repository.ts';
import { AppError } from '../../src/domain/errors.ts';
import { SIGNUP_CONSENTS, ORDER_CONSENT } from '../helpers/consents.ts';

let s: TestStack;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await s?.close();
});
beforeEach(async () => s.reset());

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const PASSWORD = 'correct horse battery';

/** Another replica of the service on the same database, called through inject. */
async function replica(env: RawEnv): Promise<FastifyInstance> {
  const config = loadConfig(process.env, {
    PORT: '0',
    LOG_LEVEL: 'silent',
    KAKAOPAY_BASE_URL: s.kakaopayUrl,
    NAVERPAY_BASE_URL: s.naverpayUrl,
    ...env,
  });
  const services = await compose(config, { db: s.db, skipMigrations: true });
  const app = await buildApp(services, { webDir: null });
  apps.push(app);
  return app;
}

async function login(app: FastifyInstance, email: string, password: string, from: { remote?: string; forwarded?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: from.remote ?? '127.0.0.1',
    headers: from.forwarded ? { 'x-forwarded-for': from.forwarded } : {},
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

describe(`login throttle, counted in the database (${db})`, () => {
  it('32 parallel wrong guesses: all but the allowed attempts get 429', async () => {
    const u = await s.signup('parallel@example.com');
    const results = await Promise.all(
      Array.from({ length: 32 }, () => s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'wrong password' } })),
    );
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(27);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password is refused too while the account is locked.
    const right = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: PASSWORD } });
    expect(right.status).toBe(429);
  });

  it('one account guessed from an address does not lock another account behind the same address', async () => {
    const a = await s.signup('victim-a@example.com');
    const b = await s.signup('victim-b@example.com');
    for (let i = 0; i < 12; i++) await s.api('POST', '/api/auth/login', { body: { email: a.email, password: 'wrong password' } });
    expect((await s.api('POST', '/api/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(429);
    const ok = await s.api('POST', '/api/auth/login', { body: { email: b.email, password: PASSWORD } });
    expect(ok.status).toBe(200);
  });

  it('the per-address limit (higher than per-account) stops spraying many accounts from one address', async () => {
    const app = await replica({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '8' });
    const from = { remote: '203.0.113.10' };
    for (let i = 0; i < 8; i++) expect((await login(app, `spray${i}@example.com`, 'wrong password', from)).status).toBe(401);
    const blocked = await login(app, 'spray-next@example.com', 'wrong password', from);
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    // Another address is not affected.
    expect((await login(app, 'spray-next@example.com', 'wrong password', { remote: '203.0.113.11' })).status).toBe(401);
  });

  it('counts IPv6 clients by their /64 network', async () => {
    const app = await replica({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '4' });
    for (let i = 1; i <= 4; i++) {
      expect((await login(app, `v6-${i}@example.com`, 'wrong password', { remote: `2001:db8:1:2::${i}` })).status).toBe(401);
    }
    expect((await login(app, 'v6-5@example.com', 'wrong password', { remote: '2001:db8:1:2:ffff::5' })).status).toBe(429);
    expect((await login(app, 'v6-5@example.com', 'wrong password', { remote: '2001:db8:1:3::1' })).status).toBe(401);
  });

  it('successful log-ins do not use up the per-address allowance', async () => {
    const app = await replica({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3' });
    const u = await s.signup('office@example.com');
    for (let i = 0; i < 6; i++) expect((await login(app, u.email, PASSWORD, { remote: '203.0.113.20' })).status).toBe(200);
  });

  it('TRUST_PROXY: X-Forwarded-For is used only when the proxy is trusted', async () => {
    const untrusted = await replica({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3' });
    for (let i = 1; i <= 3; i++) {
      expect((await login(untrusted, `xff${i}@example.com`, 'wrong password', { forwarded: `198.51.100.${i}` })).status).toBe(401);
    }
    // Forged X-Forwarded-For headers do not escape the limit: all of them were 127.0.0.1.
    expect((await login(untrusted, 'xff4@example.com', 'wrong password', { forwarded: '198.51.100.4' })).status).toBe(429);

    await s.reset();
    const trusted = await replica({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3', TRUST_PROXY: '127.0.0.1' });
    // Behind the trusted proxy, each client address has its own allowance…
    for (let i = 1; i <= 5; i++) {
      expect((await login(trusted, `prx${i}@example.com`, 'wrong password', { forwarded: `198.51.100.${i}` })).status).toBe(401);
    }
    // …and one client address is limited on its own.
    for (let i = 0; i < 2; i++) expect((await login(trusted, `one${i}@example.com`, 'wrong password', { forwarded: '198.51.100.1' })).status).toBe(401);
    expect((await login(trusted, 'one9@example.com', 'wrong password', { forwarded: '198.51.100.1' })).status).toBe(429);
  });

  it('lock time doubles after each lock, and a right password clears the account', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = { now: () => now };
    const policy = { maxAttempts: 2, windowMs: 60_000, lockMs: 10_000, maxLockMs: 35_000, forgetMs: 24 * 3_600_000 };
    const throttle = new LoginThrottle(new LoginAttemptRepository(s.db.db), clock, { account: policy, address: { ...policy, maxAttempts: 100 } });
    const attempt = async () => {
      try {
        await throttle.begin('backoff@example.com', '203.0.113.30');
        return 0;
      } catch (err) {
        expect((err as AppError).code).toBe('RATE_LIMITED');
        return (err as AppError).details!.retry_after_seconds as number;
      }
    };
    expect([await attempt(), await attempt(), await attempt()]).toEqual([0, 0, 10]);
    now = new Date(now.getTime() + 5_000);
    expect(await attempt()).toBe(5);
    now = new Date(now.getTime() + 5_000);
    expect([await attempt(), await attempt(), await attempt()]).toEqual([0, 0, 20]);
    now = new Date(now.getTime() + 20_000);
    expect([await attempt(), await attempt(), await attempt()]).toEqual([0, 0, 35]); // capped
    now = new Date(now.getTime() + 35_000);
    expect(await attempt()).toBe(0);
    await throttle.succeeded('backoff@example.com', '203.0.113.30');
    // Cleared: a full allowance and the first lock length again.
    expect([await attempt(), await attempt(), await attempt()]).toEqual([0, 0, 10]);
  });

  it('an unknown e-mail costs the same scrypt work as a known one', async () => {
    await s.signup('known@example.com');
    const passwords = s.services.ctx.passwords;
    const original = passwords.verify.bind(passwords);
    let verified = 0;
    passwords.verify = async (p, h) => {
      verified++;
      return original(p, h);
    };
    try {
      const known = await s.api('POST', '/api/auth/login', { body: { email: 'known@example.com', password: 'wrong password' } });
      const unknown = await s.api('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'wrong password' } });
      expect([known.status, unknown.status]).toEqual([401, 401]);
      expect(unknown.body).toEqual(known.body);
      expect(verified).toBe(2);
    } finally {
      passwords.verify = original;
    }
  });
});

describe(`rate limits on sign-up and checkout start, shared by replicas (${db})`, () => {
  it('sign-up: per address, counted across replicas', async () => {
    const env = { SIGNUP_RATE_LIMIT_MAX: '3' };
    const [a, b] = [await replica(env), await replica(env)];
    const signup = (app: FastifyInstance, i: number, remote = '203.0.113.40') =>
      app.inject({ method: 'POST', url: '/api/auth/signup', payload: { ...SIGNUP_CONSENTS, email: `rl${i}@example.com`, password: PASSWORD }, remoteAddress: remote });
    expect((await signup(a, 1)).statusCode).toBe(201);
    expect((await signup(b, 2)).statusCode).toBe(201);
    expect((await signup(a, 3)).statusCode).toBe(201);
    const over = await signup(b, 4);
    expect([over.statusCode, over.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signup(b, 5, '203.0.113.41')).statusCode).toBe(201);
  });

  it('payment ready: per user, counted across replicas', async () => {
    const env = { READY_RATE_LIMIT_MAX: '2' };
    const [a, b] = [await replica(env), await replica(env)];
    const u = await s.signup();
    const v = await s.signup();
    const ready = (app: FastifyInstance, token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/payment/kakaopay/ready',
        payload: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false },
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await ready(a, u.token)).statusCode).toBe(200);
    expect((await ready(b, u.token)).statusCode).toBe(200);
    const over = await ready(a, u.token);
    expect([over.statusCode, over.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await ready(b, v.token)).statusCode).toBe(200);
  });

  it('payment ready without a session: counted per address, then refused with 429', async () => {
    const a = await replica({ READY_RATE_LIMIT_MAX: '2' });
    const anonymous = (ip: string) =>
      a.inject({ method: 'POST', url: '/api/payment/kakaopay/ready', payload: { ...ORDER_CONSENT, plan: 'standard' }, remoteAddress: ip });
    expect((await anonymous('203.0.113.50')).statusCode).toBe(401);
    expect((await anonymous('203.0.113.50')).statusCode).toBe(401);
    const over = await anonymous('203.0.113.50');
    expect([over.statusCode, over.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await anonymous('203.0.113.51')).statusCode).toBe(401);
  });
});
