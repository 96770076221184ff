import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, kakaoCheckout, naverCheckout, refund } from '../helpers/refund-fixtures.ts';

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

/** Every registered route as [METHOD, path], read from Fastify's route tree. */
function registeredRoutes(): [string, string][] {
  const out: [string, string][] = [];
  const stack: string[] = [];
  for (const line of s.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    for (const method of m[3]?.split(', ') ?? []) out.push([method, stack.join('')]);
  }
  return out;
}

describe(`admin API (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('refuses a non-admin (403) and an anonymous caller (401) on every /api/admin route', async () => {
    const user = await s.signup();
    const { paymentId } = await kakaoCheckout(s, user.token);
    const routes = registeredRoutes().filter(([m, p]) => p.startsWith('/api/admin') && m !== 'HEAD');
    // The admin API as documented; the route tree must contain at least these.
    for (const expected of [
      'GET /api/admin/users',
      'GET /api/admin/users/:id',
      'GET /api/admin/users/:id/payments',
      'GET /api/admin/payments',
      'GET /api/admin/payments.csv',
      'GET /api/admin/payments/:id',
      'POST /api/admin/payments/:id/refunds',
      'POST /api/admin/refunds/:id/sync',
      'GET /api/admin/reports/revenue',
      'POST /api/admin/usage',
    ]) {
      expect(routes.map(([m, p]) => `${m} ${p}`)).toContain(expected);
    }
    for (const [method, path] of routes) {
      const url = path.replace(/:id/g, paymentId);
      const body = method === 'GET' ? undefined : { amount_krw: 29000, reason: 'x', user_id: user.userId, feature: 'auto_trading' };
      const asUser = await s.api(method, url, { token: user.token, body });
      expect([`${method} ${path}`, asUser.status, asUser.body?.error?.code]).toEqual([`${method} ${path}`, 403, 'FORBIDDEN']);
      const anon = await s.api(method, url, { body });
      expect([`${method} ${path}`, anon.status, anon.body?.error?.code]).toEqual([`${method} ${path}`, 401, 'UNAUTHENTICATED']);
    }
    // Nothing was refunded or recorded by the refused calls.
    expect((await s.sandbox('kakaopay', 'GET', '/__sandbox/stats')).cancel).toBe(0);
    const p = await s.api('GET', `/api/payments/${paymentId}`, { token: user.token });
    expect(p.body.refunded_krw).toBe(0);
  });

  it("finds users by e-mail or id and shows a user's payments with refunds and fees", async () => {
    const a = await s.signup('kim.minsu@example.com');
    await s.signup('lee.jiyoung@example.com');
    const k = await kakaoCheckout(s, a.token, 'standard');
    const n = await naverCheckout(s, (await s.signup('park@example.com')).token, 'pro');
    await refund(s, admin.token, k.paymentId, { amount_krw: 5000, reason: '부분 환불' });

    const byEmail = await s.api('GET', '/api/admin/users?q=KIM.MIN', { token: admin.token });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.users.map((u: any) => u.email)).toEqual(['kim.minsu@example.com']);
    expect(byEmail.body.users[0].subscription).toMatchObject({ plan: 'standard', status: 'active', provider: 'kakaopay' });
    const byId = await s.api('GET', `/api/admin/users?q=${a.userId}`, { token: admin.token });
    expect(byId.body.users.map((u: any) => u.id)).toEqual([a.userId]);
    const wildcard = await s.api('GET', '/api/admin/users?q=%25', { token: admin.token });
    expect(wildcard.body.users).toEqual([]);
    const empty = await s.api('GET', '/api/admin/users', { token: admin.token });
    expect([empty.status, empty.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);

    const detail = await s.api('GET', `/api/admin/users/${a.userId}`, { token: admin.token });
    expect(detail.body.user.email).toBe('kim.minsu@example.com');
    expect(detail.body.payments).toHaveLength(1);
    expect(detail.body.payments[0]).toMatchObject({
      id: k.paymentId,
      user_id: a.userId,
      status: 'partially_refunded',
      refunded_krw: 5000,
      refundable_krw: 24000,
      fee_krw: 841,
      fee_vat_krw: 84,
    });
    expect(detail.body.payments[0].refunds).toMatchObject([{ amount_krw: 5000, vat_krw: 455, reason: '부분 환불', requested_by: admin.userId, status: 'succeeded' }]);
    const pays = await s.api('GET', `/api/admin/users/${a.userId}/payments`, { token: admin.token });
    expect(pays.body.payments.map((p: any) => p.id)).toEqual([k.paymentId]);
    const missing = await s.api('GET', '/api/admin/users/usr_nobody', { token: admin.token });
    expect(missing.status).toBe(404);

    const one = await s.api('GET', `/api/admin/payments/${n.paymentId}`, { token: admin.token });
    expect(one.body.payment).toMatchObject({ provider: 'naverpay', amount_krw: 99000, fee_krw: 2475, fee_vat_krw: 248 });
    expect(one.body.user.email).toBe('park@example.com');
  });

  it('lists payments with filters and a cursor', async () => {
    const u = await s.signup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await kakaoCheckout(s, u.token)).paymentId);
    ids.push((await naverCheckout(s, (await s.signup()).token)).paymentId);
    const page1 = await s.api('GET', '/api/admin/payments?limit=2', { token: admin.token });
    expect(page1.body.payments.map((p: any) => p.id)).toEqual([ids[3], ids[2]]);
    const page2 = await s.api('GET', `/api/admin/payments?limit=2&cursor=${page1.body.next_cursor}`, { token: admin.token });
    expect(page2.body.payments.map((p: any) => p.id)).toEqual([ids[1], ids[0]]);
    const page3 = await s.api('GET', `/api/admin/payments?limit=2&cursor=${page2.body.next_cursor}`, { token: admin.token });
    expect([page3.body.payments, page3.body.next_cursor]).toEqual([[], null]);
    const naver = await s.api('GET', '/api/admin/payments?provider=naverpay', { token: admin.token });
    expect(naver.body.payments.map((p: any) => p.id)).toEqual([ids[3]]);
    const byUser = await s.api('GET', `/api/admin/payments?user_id=${u.userId}&status=approved`, { token: admin.token });
    expect(byUser.body.payments).toHaveLength(3);
    const bad = await s.api('GET', '/api/admin/payments?status=nonsense', { token: admin.token });
    expect(bad.status).toBe(400);
  });

  it('exports payments as CSV: BOM, header, quoting, formula guard', async () => {
    const u = await s.signup('csv@example.com');
    const { paymentId } = await kakaoCheckout(s, u.token, 'premium');
    await refund(s, admin.token, paymentId, { amount_krw: 9000 });
    // An e-mail that a spreadsheet would read as a formula, with a comma and a quote in it.
    await s.db.db.updateTable('users').set({ email: '=HYPERLINK("x"),evil@example.com' }).where('id', '=', u.userId).execute();

    const res = await fetch(`${s.url}/api/admin/payments.csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="payments-\d{6}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
    const lines = text.split('\r\n');
    expect(lines[lines.length - 1]).toBe('');
    const header = lines[0].split(',');
    expect(header.slice(0, 4)).toEqual(['payment_id', 'user_id', 'email', 'provider']);
    expect(lines).toHaveLength(3); // header, one payment, trailing empty
    const row = lines[1];
    expect(row.startsWith(`${paymentId},${u.userId},"'=HYPERLINK(""x""),evil@example.com",kakaopay,카카오페이,checkout,premium,프리미엄,partially_refunded,59000,53636,5364,9000,50000,1711,171,1,card,`)).toBe(true);
  });
});
