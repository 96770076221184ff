import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { createTestDb } from '../helpers/test-db.ts';
import { startLocalStack } from '../../dev/local-stack.ts';

/**
 * Issue 9, items 1–3: forged tokens, the sandbox tools, roles read from the database,
 * logout revoking the token, and `npm start` keeping configured provider URLs.
 */
const ADMIN_EMAIL = `access-admin-${process.pid}@example.com`;
/** The public default secret: published in the repository, so anyone can sign with it. */
const DEFAULT_SECRET = 'dev-only-token-secret-change-me-0000';

async function forge(claims: Record<string, unknown>, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('showmethestock-billing')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(DEFAULT_SECRET));
}

const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe(`forged tokens with the public default secret (${label})`, () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack({ env: { SANDBOX_MODE: 'false', ADMIN_EMAILS: ADMIN_EMAIL } });
  });
  afterAll(async () => s?.close());

  it('a self-made token with role admin gets no admin API, even for a real user id', async () => {
    const user = await s.signup();
    const forgedForUser = await forge({ role: 'admin' }, user.userId);
    const r1 = await s.api('GET', '/api/admin/payments', { token: forgedForUser });
    expect(r1.status).toBe(401);
    // The user's own session id with an admin role claim: the role comes from the database.
    const jti = decodeJwt(user.token).jti;
    const forgedWithSession = await forge({ role: 'admin', ...(jti ? { jti } : {}) }, user.userId);
    const r2 = await s.api('GET', '/api/admin/payments', { token: forgedWithSession });
    expect([401, 403]).toContain(r2.status);
    // A made-up user id.
    const r3 = await s.api('GET', '/api/admin/users', { token: await forge({ role: 'admin' }, 'usr_000000000000000000000000') });
    expect(r3.status).toBe(401);
  });
});

describe(`sandbox tools need an admin (${label})`, () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack({ env: { SANDBOX_MODE: 'true', ADMIN_EMAILS: ADMIN_EMAIL } });
  });
  afterAll(async () => s?.close());
  beforeEach(async () => s.reset());

  const routes = [
    ['POST', '/api/sandbox/clock', { advance_ms: 1000 }],
    ['POST', '/api/sandbox/renewals/run', undefined],
    ['GET', '/api/sandbox/mailbox', undefined],
    ['GET', '/sandbox/mailbox', undefined],
  ] as const;

  it('anonymous → 401, a signed-in user → 403, an admin → 200', async () => {
    const user = await s.signup();
    const admin = await s.signup(ADMIN_EMAIL);
    for (const [method, path, body] of routes) {
      const anon = await s.api(method, path, { body });
      expect([`${method} ${path}`, anon.status]).toEqual([`${method} ${path}`, 401]);
      const asUser = await s.api(method, path, { token: user.token, body });
      expect([`${method} ${path}`, asUser.status]).toEqual([`${method} ${path}`, 403]);
      const asAdmin = await s.api(method, path, { token: admin.token, body });
      expect([`${method} ${path}`, asAdmin.status]).toEqual([`${method} ${path}`, 200]);
    }
  });

  it('the anonymous mailbox does not list subscribers’ e-mail addresses', async () => {
    const user = await s.signup();
    const anon = await s.api('GET', `/sandbox/mailbox`);
    expect(String(anon.body)).not.toContain(user.email);
    expect(anon.status).toBe(401);
  });
});

describe(`roles and sessions come from the database (${label})`, () => {
  let s: TestStack;
  beforeAll(async () => {
    // No session cache: every request reads the session and the role.
    s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL, AUTH_SESSION_CACHE_MS: '0' } });
  });
  afterAll(async () => s?.close());
  beforeEach(async () => s.reset());

  it('a demoted admin gets 403 on the next request; a promoted user gets in', async () => {
    const admin = await s.signup(ADMIN_EMAIL);
    expect((await s.api('GET', '/api/admin/payments', { token: admin.token })).status).toBe(200);
    await s.db.db.updateTable('users').set({ role: 'user' }).where('id', '=', admin.userId).execute();
    const after = await s.api('GET', '/api/admin/payments', { token: admin.token });
    expect([after.status, after.body.error.code]).toEqual([403, 'FORBIDDEN']);

    const user = await s.signup();
    expect((await s.api('GET', '/api/admin/payments', { token: user.token })).status).toBe(403);
    await s.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', user.userId).execute();
    expect((await s.api('GET', '/api/admin/payments', { token: user.token })).status).toBe(200);
  });

  it('a deleted admin account’s token stops working', async () => {
    const admin = await s.signup(ADMIN_EMAIL);
    expect((await s.api('GET', '/api/admin/payments', { token: admin.token })).status).toBe(200);
    await s.db.reset();
    expect((await s.api('GET', '/api/admin/payments', { token: admin.token })).status).toBe(401);
  });
});

describe(`logout revokes the token (${label})`, () => {
  let s: TestStack;
  beforeAll(async () => {
    // The default session cache: logout in this process must still take effect at once.
    s = await startTestStack();
  });
  afterAll(async () => s?.close());
  beforeEach(async () => s.reset());

  it('a bearer token used after logout → 401; another session of the same user keeps working', async () => {
    const u = await s.signup();
    const second = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'correct horse battery' } });
    expect(second.status).toBe(200);
    expect((await s.api('GET', '/api/me', { token: u.token })).status).toBe(200);
    const out = await s.api('POST', '/api/auth/logout', { token: u.token });
    expect(out.status).toBe(200);
    const me = await s.api('GET', '/api/me', { token: u.token });
    expect([me.status, me.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await s.api('GET', '/api/me', { token: second.body.token })).status).toBe(200);
  });

  it('a session cookie used after logout → 401', async () => {
    const u = await s.signup();
    const login = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'correct horse battery' } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect((await s.api('GET', '/api/me', { headers: { cookie } })).status).toBe(200);
    // A cookie-authenticated POST carries our Origin, as the browser's fetch does (CSRF check).
    expect((await s.api('POST', '/api/auth/logout', { headers: { cookie, origin: new URL(s.url).origin } })).status).toBe(200);
    expect((await s.api('GET', '/api/me', { headers: { cookie } })).status).toBe(401);
  });

  it('logout without a session still answers 200 and clears the cookie', async () => {
    const r = await s.api('POST', '/api/auth/logout');
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toContain('Max-Age=0');
  });
});

describe(`npm start keeps configured provider URLs (${label})`, () => {
  it('starts no sandbox for a provider whose base URL is a real one, and leaves that URL alone', async () => {
    const db = await createTestDb();
    const dataDir = mkdtempSync(join(tmpdir(), 'smts-access-'));
    const stack = await startLocalStack({
      env: {
        APP_ENV: 'local',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PUBLIC_URL: undefined,
        KAKAOPAY_BASE_URL: 'https://open-api.kakaopay.com',
        NAVERPAY_BASE_URL: undefined,
      },
      kakaopayPort: 0,
      naverpayPort: 0,
      webDir: null,
      worker: false,
      compose: { db, skipMigrations: true },
    });
    try {
      expect(stack.services.config.kakaopay.baseUrl).toBe('https://open-api.kakaopay.com');
      expect(stack.kakaopayUrl).toBeNull();
      // The provider left at its loopback default still gets its sandbox.
      expect(stack.naverpayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stack.services.config.naverpay.baseUrl).toBe(stack.naverpayUrl);
    } finally {
      await stack.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
