import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';
import { SIGNUP_CONSENTS } from '../helpers/consents.ts';

/**
 * Issue 11 item 7: sessions live in real time. With the sandbox's test clock moved 7+ days
 * ahead, a log-in must still get a cookie that lives as long as its session (AUTH_TOKEN_TTL_SECONDS),
 * not one issued already expired (Max-Age computed against the test clock).
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });
const TTL_SECONDS = 7 * 24 * 3600;

beforeAll(async () => {
  h = await startRenewalHarness({ env: { AUTH_TOKEN_TTL_SECONDS: String(TTL_SECONDS) } });
});
afterAll(async () => h?.close());

function maxAgeOf(setCookie: string | string[] | undefined): number {
  const header = Array.isArray(setCookie) ? setCookie.join('\n') : (setCookie ?? '');
  const m = /smts_session=[^;]+;.*Max-Age=(\d+)/.exec(header);
  if (!m) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return Number(m[1]);
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : (setCookie ?? '');
  return header.split(';')[0];
}

describe(`session cookie lifetime with the test clock moved (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('sign-up and log-in after moving the test clock 8 days issue a cookie that lives the full session TTL and works', async () => {
    const email = `clock-cookie-${Date.now()}@example.com`;
    const password = 'correct horse battery';
    await h.advance(8 * DAY);
    expect(h.now().getTime() - h.t0).toBeGreaterThanOrEqual(8 * DAY);

    const signup = await h.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { ...SIGNUP_CONSENTS, email, password } });
    expect(signup.statusCode).toBe(201);
    expect(maxAgeOf(signup.headers['set-cookie'])).toBe(TTL_SECONDS);

    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { ...SIGNUP_CONSENTS, email, password } });
    expect(login.statusCode).toBe(200);
    expect(maxAgeOf(login.headers['set-cookie'])).toBe(TTL_SECONDS);
    // The session (and the token's own expiry) run on real time as well.
    expect(Date.parse(JSON.parse(login.body).expires_at)).toBe(h.t0 + TTL_SECONDS * 1000);

    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookieOf(login.headers['set-cookie']) } });
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body).user.email).toBe(email);
  });
});
