import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { SIGNUP_CONSENTS } from '../helpers/consents.ts';

let s: TestStack;
let web: FastifyInstance;
let webDir: string;

beforeAll(async () => {
  s = await startTestStack({ env: { NAVERPAY_SDK_URL: 'https://nsp.pay.naver.com/sdk/js/naverpay.min.js' } });
  // The same service with a (minimal) built web app, for the page responses.
  webDir = mkdtempSync(join(tmpdir(), 'smts-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><html><body><div id="root"></div></body></html>');
  web = await buildApp(s.services, { webDir });
});
afterAll(async () => {
  await web?.close();
  await s?.close();
  rmSync(webDir, { recursive: true, force: true });
});
beforeEach(async () => s.reset());

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

function directives(csp: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe(`security headers (${db})`, () => {
  it('a page: CSP allowing our scripts and the NaverPay SDK only, no framing, nosniff, referrer policy', async () => {
    for (const url of ['/', '/plans', '/payment/success?payment_id=pay_x']) {
      const res = await web.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const csp = directives(res.headers['content-security-policy'] as string);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'", 'https://nsp.pay.naver.com']);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'self'"]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    }
  });

  it('an API response: no-store, nosniff and a CSP that allows nothing', async () => {
    const u = await s.signup();
    for (const [path, token] of [['/api/plans', undefined], ['/api/subscription/status', u.token], ['/api/nothing-here', undefined]] as const) {
      const r = await s.api('GET', path, { token });
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      const csp = directives(r.headers.get('content-security-policy') ?? undefined);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    }
    const api = directives((await s.api('GET', '/api/plans')).headers.get('content-security-policy') ?? undefined);
    expect(api.get('default-src')).toEqual(["'none'"]);
    // Errors too (sign-up refused).
    const err = await s.api('POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email: 'x@example.com', password: '' } });
    expect(err.headers.get('cache-control')).toBe('no-store');
  });

  it('Swagger UI at /docs gets its own policy that lets it run', async () => {
    const res = await s.api('GET', '/docs/');
    expect(res.status).toBe(200);
    const csp = directives(res.headers.get('content-security-policy') ?? undefined);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe(`password rule at sign-up (${db})`, () => {
  const signup = (email: string, password: string) => s.api('POST', '/api/auth/signup', { body: { ...SIGNUP_CONSENTS, email, password } });

  it('refuses blank, whitespace-only, NUL-containing, short and common passwords with a Korean message', async () => {
    const cases: [string, string][] = [
      ['', 'blank'],
      ['        ', 'blank'],
      ['\t\n  \u3000  \n', 'blank'],
      ['abcd\u0001efgh-long', 'control_character'],
      ['Tr0ub4!', 'too_short'],
      ['password', 'common'],
      ['Password1', 'common'],
      ['12345678', 'common'],
      ['qwer1234', 'common'],
      ['1q2w3e4r!', 'common'],
      ['aaaaaaaaaaaa', 'too_simple'],
      ['weakpass@example.com', 'contains_email'],
    ];
    for (const [i, [password, reason]] of cases.entries()) {
      const email = i === cases.length - 1 ? 'weakpass@example.com' : `weak${i}@example.com`;
      const r = await signup(email, password);
      expect([JSON.stringify(password), r.status, r.body.error.code, r.body.error.details?.reason]).toEqual([
        JSON.stringify(password),
        400,
        'WEAK_PASSWORD',
        reason,
      ]);
      expect(r.body.error.message).toMatch(/비밀번호/);
    }
    // NUL never reaches the password rule: the text guard refuses it in any string (docs/faults.md).
    const nul = await signup('weaknul@example.com', 'abcd\u0000efgh-long');
    expect([nul.status, nul.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await s.api('POST', '/api/auth/login', { body: { email: 'weaknul@example.com', password: 'abcd-efgh-long' } })).status).toBe(401);
    const rows = await s.db.db.selectFrom('users').select('id').execute();
    expect(rows).toHaveLength(0);
  });

  it('accepts a reasonable passphrase, and log-in is not subject to the rule', async () => {
    const r = await signup('fine@example.com', 'correct horse battery');
    expect(r.status).toBe(201);
    const login = await s.api('POST', '/api/auth/login', { body: { email: 'fine@example.com', password: 'correct horse battery' } });
    expect(login.status).toBe(200);
  });
});
