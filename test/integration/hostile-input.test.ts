import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, kakaoCheckout } from '../helpers/refund-fixtures.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Issue 9, item 17: a NUL byte (or a lone surrogate) in any string, and errors raised by the
// router or the HTTP parser, must all answer 4xx with our envelope {"error":{"code","message"}};
// the CSV export must never be cut short.

let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  admin = await s.signup(ADMIN_EMAIL);
});

function expectEnvelope(r: { status: number; body: any }, status: number, code: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(Object.keys(r.body)).toEqual(['error']);
}

/** Raw HTTP/1.1 over a socket (fetch refuses to send some of what an attacker sends). */
async function raw(request: string): Promise<{ status: number; body: any; text: string }> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d.toString('utf8')));
    sock.on('error', reject);
    sock.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const text = data.slice(data.indexOf('\r\n\r\n') + 4);
      let body: any = null;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      resolve({ status, body, text: data });
    });
    sock.end(request);
  });
}

describe(`hostile input gets our error envelope (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it.each([
    ['a NUL in a JSON body string', { email: 'evil\u0000@example.com', password: 'correct horse battery' }],
    ['a NUL in the password', { email: 'nul-pass@example.com', password: 'correct horse\u0000battery' }],
    ['a lone surrogate', { email: 'surrogate\ud800@example.com', password: 'correct horse battery' }],
  ])('%s → 400 VALIDATION_FAILED, nothing stored', async (_label, body) => {
    const r = await s.api('POST', '/api/auth/signup', { body });
    expectEnvelope(r, 400, 'VALIDATION_FAILED');
    const users = await s.db.db.selectFrom('users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual([ADMIN_EMAIL]);
  });

  it('a NUL in a nested body value, a query string and a path parameter → 400', async () => {
    const u = await s.signup();
    expectEnvelope(await s.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { payment_id: 'pay_x', pg_token: 'a\u0000b' } }), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'stan\u0000dard' } }), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('GET', '/api/admin/payments?provider=kakao%00pay', { token: admin.token }), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('GET', '/api/admin/users?q=%00', { token: admin.token }), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('GET', '/api/payments/pay_%00x', { token: u.token }), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('GET', '/api/payment/kakaopay/return?payment_id=pay_x&pg_token=%00', { token: u.token }), 400, 'VALIDATION_FAILED');
  });

  it('the CSV export with a NUL in its filter is refused, not cut short', async () => {
    const r = await s.api('GET', '/api/admin/payments.csv?provider=%00', { token: admin.token });
    expectEnvelope(r, 400, 'VALIDATION_FAILED');
  });

  it('the CSV export writes every row, with hostile text escaped', async () => {
    const u = await s.signup('-1+1@example.com');
    await kakaoCheckout(s, u.token);
    const r = await fetch(`${s.url}/api/admin/payments.csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(r.status).toBe(200);
    const text = await r.text();
    const lines = text.split('\r\n');
    expect(lines).toHaveLength(3); // header, one payment, and the empty string after the last CRLF
    expect(lines[2]).toBe('');
    expect(lines[1]).toContain(`,'-1+1@example.com,`);
  });

  it('a malformed percent-encoding in the path (FST_ERR_BAD_URL) → 400 envelope', async () => {
    expectEnvelope(await s.api('GET', '/api/payments/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    expectEnvelope(await s.api('GET', '/api/payment/%zz/return'), 400, 'VALIDATION_FAILED');
  });

  it('a path parameter longer than the router allows (414) → envelope', async () => {
    const u = await s.signup();
    const r = await s.api('GET', `/api/payments/${'x'.repeat(5000)}`, { token: u.token });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('headers too large (431) → envelope', async () => {
    const r = await raw(`GET /api/plans HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(r.status, r.text.slice(0, 300)).toBe(431);
    expect(r.body).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) } });
  });

  it('a request line too long (414/431) → envelope', async () => {
    const r = await raw(`GET /api/plans?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect([414, 431]).toContain(r.status);
    expect(r.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('a malformed HTTP request (400 from the parser) → envelope', async () => {
    const r = await raw(`GET /api/plans HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n`);
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) } });
  });

  it('invalid JSON and a wrong content type → 4xx envelope', async () => {
    const bad = await fetch(`${s.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expectEnvelope({ status: bad.status, body: await bad.json() }, 400, 'VALIDATION_FAILED');
    const type = await fetch(`${s.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'text/x-nope' }, body: 'x' });
    expectEnvelope({ status: type.status, body: await type.json() }, 400, 'VALIDATION_FAILED');
  });
});
