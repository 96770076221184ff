import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKakaoPaySandbox, startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';

const SECRET_AUTH = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';
const SID = /^S[0-9a-f]{19}$/;
const TID = /^T[0-9a-f]{19}$/;

type Body = Record<string, unknown>;

let app: FastifyInstance;
let nowMs: number;

beforeEach(() => {
  nowMs = Date.UTC(2024, 0, 31, 14, 59, 0); // 2024-01-31T23:59:00 KST
  app = buildKakaoPaySandbox({ now: () => nowMs });
});
afterEach(async () => {
  await app.close();
});

function post(path: string, body: Body) {
  return app.inject({
    method: 'POST',
    url: `/online/v1/payment/${path}`,
    headers: { authorization: SECRET_AUTH, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

function control(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Body) {
  return app.inject({ method, url: `/__sandbox${url}`, payload });
}

function expectError(res: LightMyRequestResponse, code: number, status = 400): Body {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().error_code, res.body).toBe(code);
  return res.json();
}

async function ready(overrides: Body = {}): Promise<string> {
  const res = await post('ready', {
    cid: 'TC0ONETIME',
    partner_order_id: 'order-1',
    partner_user_id: 'user-1',
    item_name: '구독',
    quantity: 1,
    total_amount: 9900,
    tax_free_amount: 0,
    approval_url: 'https://shop.test/a',
    cancel_url: 'https://shop.test/c',
    fail_url: 'https://shop.test/f',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().tid;
}

async function authorize(tid: string, body: Body = {}) {
  const res = await control('POST', `/tids/${tid}/authorize`, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { redirect_url: string; pg_token?: string; status: string };
}

function approve(tid: string, pgToken: string, overrides: Body = {}) {
  return post('approve', {
    cid: 'TC0ONETIME',
    tid,
    partner_order_id: 'order-1',
    partner_user_id: 'user-1',
    pg_token: pgToken,
    ...overrides,
  });
}

async function stats(): Promise<Body> {
  return (await control('GET', '/stats')).json();
}

describe('authorize control', () => {
  it('approves without a browser and returns redirect_url + pg_token', async () => {
    const tid = await ready();
    const result = await authorize(tid, { method: 'MONEY' });
    expect(result.pg_token).toMatch(/^[0-9a-f]{20}$/);
    expect(result.redirect_url).toBe(`https://shop.test/a?pg_token=${result.pg_token}`);
    expect(result.status).toBe('AUTH_PASSWORD');
  });

  it('cancel and fail return the unchanged URLs; a second authorize is refused with 409', async () => {
    const a = await ready();
    expect(await authorize(a, { action: 'cancel' })).toMatchObject({ redirect_url: 'https://shop.test/c', status: 'QUIT_PAYMENT' });
    const b = await ready();
    expect(await authorize(b, { action: 'fail' })).toMatchObject({ redirect_url: 'https://shop.test/f', status: 'FAIL_AUTH_PASSWORD' });
    expect((await control('POST', `/tids/${b}/authorize`, {})).statusCode).toBe(409);
    expect((await control('POST', '/tids/T0000000000000000000/authorize', {})).statusCode).toBe(404);
    expect((await control('POST', `/tids/${b}/authorize`, { action: 'steal' })).statusCode).toBe(400);
  });
});

describe('clock control and expiry', () => {
  it('advances the sandbox clock and expires the tid after 15 minutes', async () => {
    const before = (await control('GET', '/clock')).json();
    expect(before.now).toBe(nowMs);
    const tid = await ready();
    const { pg_token } = await authorize(tid);
    const moved = (await control('POST', '/clock', { advance_ms: 15 * 60 * 1000 })).json();
    expect(moved.now).toBe(nowMs + 15 * 60 * 1000);
    expectError(await approve(tid, pg_token!), -723);
    expect((await post('order', { cid: 'TC0ONETIME', tid })).json().status).toBe('QUIT_PAYMENT');
    expect((await control('POST', '/clock', { advance_ms: -1 })).statusCode).toBe(400);
  });

  it('honours a custom tidTtlMs', async () => {
    await app.close();
    app = buildKakaoPaySandbox({ now: () => nowMs, tidTtlMs: 1000 });
    const tid = await ready();
    const { pg_token } = await authorize(tid);
    nowMs += 1000;
    expectError(await approve(tid, pg_token!), -723);
  });
});

describe('scripted behaviour', () => {
  it('error_code fails the next matching request without changing state, with extras', async () => {
    const tid = await ready();
    const { pg_token } = await authorize(tid);
    const queued = await control('POST', '/script', {
      operation: 'approve',
      error_code: -780,
      extras: { method_result_code: 'CARD_LIMIT', method_result_message: '한도초과' },
      match: { tid },
    });
    expect(queued.statusCode, queued.body).toBe(201);
    const failed = expectError(await approve(tid, pg_token!), -780);
    expect(failed.extras).toEqual({ method_result_code: 'CARD_LIMIT', method_result_message: '한도초과' });
    expect((await control('GET', `/payments/${tid}`)).json().status).toBe('AUTH_PASSWORD');
    expect((await approve(tid, pg_token!)).statusCode).toBe(200);
  });

  it('count and match restrict which requests are affected', async () => {
    const other = await ready({ partner_order_id: 'other' });
    const target = await ready({ partner_order_id: 'target' });
    await control('POST', '/script', { operation: 'order', error_code: -9798, count: 2, match: { tid: target } });
    expect((await post('order', { cid: 'TC0ONETIME', tid: other })).statusCode).toBe(200);
    expectError(await post('order', { cid: 'TC0ONETIME', tid: target }), -9798, 503);
    expectError(await post('order', { cid: 'TC0ONETIME', tid: target }), -9798, 503);
    expect((await post('order', { cid: 'TC0ONETIME', tid: target })).statusCode).toBe(200);
  });

  it('DELETE /script clears pending scripts', async () => {
    await control('POST', '/script', { operation: 'ready', error_code: -1 });
    expect((await control('GET', '/script')).json().scripts).toHaveLength(1);
    await control('DELETE', '/script');
    expect((await control('GET', '/script')).json().scripts).toHaveLength(0);
    await ready();
  });

  it("delay 'after' commits the approval before the (late) response", async () => {
    const tid = await ready();
    const { pg_token } = await authorize(tid);
    await control('POST', '/script', { operation: 'approve', delay_ms: 300, delay: 'after' });
    const started = Date.now();
    const pending = approve(tid, pg_token!);
    await new Promise((r) => setTimeout(r, 50));
    // The response is still on its way, but the payment is already approved.
    expect((await post('order', { cid: 'TC0ONETIME', tid })).json().status).toBe('SUCCESS_PAYMENT');
    expectError(await approve(tid, pg_token!), -702);
    const late = await pending;
    expect(late.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect((await stats()).approve).toBe(1);
  });

  it("delay 'before' holds the tid in flight: a concurrent approve gets -785", async () => {
    const tid = await ready();
    const { pg_token } = await authorize(tid);
    await control('POST', '/script', { operation: 'approve', delay_ms: 200, delay: 'before' });
    const first = approve(tid, pg_token!);
    await new Promise((r) => setTimeout(r, 30));
    expect((await post('order', { cid: 'TC0ONETIME', tid })).json().status).toBe('AUTH_PASSWORD');
    expectError(await approve(tid, pg_token!), -785);
    expect((await first).statusCode).toBe(200);
    expectError(await approve(tid, pg_token!), -702);
    expect((await stats()).approvals_by_partner_order_id).toEqual({ 'order-1': 1 });
  });

  it('rejects malformed scripts', async () => {
    expect((await control('POST', '/script', { operation: 'teleport', error_code: -1 })).statusCode).toBe(400);
    expect((await control('POST', '/script', { operation: 'approve' })).statusCode).toBe(400);
  });

  it('latencyMs delays every wire response', async () => {
    await app.close();
    app = buildKakaoPaySandbox({ now: () => nowMs, latencyMs: 120 });
    const started = Date.now();
    await ready();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('subscription SID lifecycle', () => {
  const SUB = 'TCSUBSCRIP';

  async function issueSid(total = 9900, method: 'CARD' | 'MONEY' = 'CARD') {
    const tid = await ready({ cid: SUB, partner_order_id: 'first', partner_user_id: 'member-7', total_amount: total });
    const { pg_token } = await authorize(tid, { method });
    const res = await approve(tid, pg_token!, { cid: SUB, partner_order_id: 'first', partner_user_id: 'member-7' });
    expect(res.statusCode, res.body).toBe(200);
    return { tid, body: res.json() as Body };
  }

  function charge(sid: string, overrides: Body = {}) {
    return post('subscription', {
      cid: SUB,
      sid,
      partner_order_id: 'renew-1',
      partner_user_id: 'member-7',
      item_name: '구독 2회차',
      quantity: '1',
      total_amount: '9900',
      tax_free_amount: '0',
      ...overrides,
    });
  }

  it('first approve issues an ACTIVE sid; charges create new cancellable tids; inactivate stops charges', async () => {
    const { tid: firstTid, body: first } = await issueSid();
    expect(first.sid).toMatch(SID);
    const sid = first.sid as string;
    const status = (await post('manage/subscription/status', { cid: SUB, sid })).json();
    expect(status).toMatchObject({
      available: true,
      cid: SUB,
      sid,
      status: 'ACTIVE',
      payment_method_type: 'CARD',
      item_name: '구독',
      created_at: '2024-01-31T23:59:00',
      last_approved_at: '2024-01-31T23:59:00',
    });
    expect(status).not.toHaveProperty('inactivated_at');

    nowMs += 60_000; // into February (KST)
    const c1 = await charge(sid, { payload: 'cycle-2' });
    expect(c1.statusCode, c1.body).toBe(200);
    const charged = c1.json();
    expect(charged.tid).toMatch(TID);
    expect(charged.tid).not.toBe(firstTid);
    expect(charged).toMatchObject({
      cid: SUB,
      sid,
      partner_order_id: 'renew-1',
      partner_user_id: 'member-7',
      payment_method_type: 'CARD',
      amount: { total: 9900, tax_free: 0, vat: 900, point: 0, discount: 0, green_deposit: 0 },
      approved_at: '2024-02-01T00:00:00',
      payload: 'cycle-2',
    });
    expect(charged.card_info).toMatchObject({ kakaopay_issuer_corp: '수협은행' });

    const lookup = (await post('order', { cid: SUB, tid: charged.tid })).json();
    expect(lookup.status).toBe('SUCCESS_PAYMENT');
    const refund = await post('cancel', { cid: SUB, tid: charged.tid, cancel_amount: 9900, cancel_tax_free_amount: 0 });
    expect(refund.json().status).toBe('CANCEL_PAYMENT');

    const c2 = await charge(sid, { partner_order_id: 'renew-2' });
    expect(c2.statusCode).toBe(200);

    const off = (await post('manage/subscription/inactive', { cid: SUB, sid })).json();
    expect(off).toMatchObject({ cid: SUB, sid, status: 'INACTIVE', inactivated_at: '2024-02-01T00:00:00' });
    expectError(await charge(sid, { partner_order_id: 'renew-3' }), -751);
    // §9: inactivate twice returns the current INACTIVE record.
    const again = await post('manage/subscription/inactive', { cid: SUB, sid });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(off);
    expect((await post('manage/subscription/status', { cid: SUB, sid })).json()).toMatchObject({ available: false, status: 'INACTIVE' });

    const s = await stats();
    expect(s).toMatchObject({ ready: 1, approve: 1, subscription: 2, cancel: 1, inactive: 2 });
    expect(s.charges_by_sid).toEqual({ [sid]: 2 });
    expect(s.approvals_by_partner_order_id).toEqual({ first: 1, 'renew-1': 1, 'renew-2': 1 });
  });

  it('charge errors: unknown sid -750, other partner_user_id -753, wrong cid -731 (§9)', async () => {
    const { body } = await issueSid();
    const sid = body.sid as string;
    expectError(await charge('S0000000000000000000'), -750);
    expectError(await charge(sid, { partner_user_id: 'someone-else' }), -753);
    expectError(await charge(sid, { cid: 'TC0ONETIME' }), -731);
    expectError(await charge(sid, { total_amount: 'lots' }), -2);
    expect((await stats()).subscription).toBe(0);
  });

  it('scripted -782 fails a charge with extras and no new payment', async () => {
    const { body } = await issueSid();
    await control('POST', '/script', { operation: 'subscription', error_code: -782, match: { sid: body.sid as string } });
    const failed = expectError(await charge(body.sid as string), -782);
    expect(failed.extras).toHaveProperty('method_result_code');
    expect((await stats()).charges_by_sid).toEqual({});
  });

  it('optional monthly cap → -752', async () => {
    await app.close();
    app = buildKakaoPaySandbox({ now: () => nowMs, sidMonthlyChargeCap: 1 });
    const { body } = await issueSid();
    const sid = body.sid as string;
    expect((await charge(sid)).statusCode).toBe(200);
    expectError(await charge(sid, { partner_order_id: 'renew-2' }), -752);
    nowMs += 60_000; // next KST month
    expect((await charge(sid, { partner_order_id: 'renew-2' })).statusCode).toBe(200);
  });

  it('0-won registration on the subscription CID → ISSUED_SID', async () => {
    const { tid, body } = await issueSid(0);
    expect(body.sid).toMatch(SID);
    expect(body.amount).toEqual({ total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 });
    // The kakaopay_* corp fields are there (issue 12); the legacy purchase/issuer fields are not.
    expect(body.card_info).toMatchObject({ kakaopay_issuer_corp: '수협은행', kakaopay_purchase_corp_code: '104' });
    expect(body.card_info).not.toHaveProperty('issuer_corp');
    const lookup = (await post('order', { cid: SUB, tid })).json();
    expect(lookup.status).toBe('ISSUED_SID');
    expect(lookup.payment_action_details[0].payment_action_type).toBe('ISSUED_SID');
    expectError(await post('cancel', { cid: SUB, tid, cancel_amount: 1, cancel_tax_free_amount: 0 }), -784);
    expect((await charge(body.sid as string)).statusCode).toBe(200);
  });

  it('sid status / inactive for an unknown sid → -750', async () => {
    expectError(await post('manage/subscription/status', { cid: SUB, sid: 'S0000000000000000000' }), -750);
    expectError(await post('manage/subscription/inactive', { cid: SUB, sid: 'S0000000000000000000' }), -750);
  });
});

describe('stats, raw records and reset', () => {
  it('counts only successful operations and reset clears store, scripts and clock', async () => {
    const tid = await ready();
    await post('ready', { cid: 'TC0ONETIME' });
    await control('POST', '/script', { operation: 'ready', error_code: -1 });
    await control('POST', '/clock', { advance_ms: 1000 });
    expect((await stats()).ready).toBe(1);
    const raw = (await control('GET', `/payments/${tid}`)).json();
    expect(raw).toMatchObject({ tid, status: 'READY', partnerOrderId: 'order-1' });
    expect((await control('GET', '/payments/T0000000000000000000')).statusCode).toBe(404);

    expect((await control('POST', '/reset')).statusCode).toBe(200);
    expect((await stats()).ready).toBe(0);
    expect((await control('GET', `/payments/${tid}`)).statusCode).toBe(404);
    expect((await control('GET', '/clock')).json().offset_ms).toBe(0);
    await ready(); // the queued -1 script is gone
  });
});

describe('over a real port', () => {
  it('runs ready → hosted page approve → approve with fetch', async () => {
    const sandbox = await startKakaoPaySandbox({ port: 0 });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const headers = { authorization: SECRET_AUTH, 'content-type': 'application/json;charset=UTF-8' };
      const readyRes = await fetch(`${sandbox.url}/online/v1/payment/ready`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          cid: 'TC0ONETIME',
          partner_order_id: 'o-http',
          partner_user_id: 'u-http',
          item_name: '실서버 테스트',
          quantity: '1',
          total_amount: '1000',
          tax_free_amount: '0',
          approval_url: 'http://merchant.test/ok',
          cancel_url: 'http://merchant.test/cancel',
          fail_url: 'http://merchant.test/fail',
        }),
      });
      expect(readyRes.status).toBe(200);
      expect(readyRes.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      const r = (await readyRes.json()) as Body;
      expect(r.next_redirect_pc_url as string).toMatch(new RegExp(`^${sandbox.url}/mockup/v1/[0-9a-f]{64}/info$`));

      const page = await fetch(r.next_redirect_pc_url as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('1,000원');

      const pressed = await fetch(r.next_redirect_pc_url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=approve-card',
        redirect: 'manual',
      });
      expect(pressed.status).toBe(302);
      const pgToken = new URL(pressed.headers.get('location')!).searchParams.get('pg_token')!;

      const approveRes = await fetch(`${sandbox.url}/online/v1/payment/approve`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ cid: 'TC0ONETIME', tid: r.tid, partner_order_id: 'o-http', partner_user_id: 'u-http', pg_token: pgToken }),
      });
      expect(approveRes.status).toBe(200);
      expect(((await approveRes.json()) as Body).amount).toMatchObject({ total: 1000, vat: 91 });

      const wrongKey = await fetch(`${sandbox.url}/v1/payment/order?cid=TC0ONETIME&tid=${r.tid}`, {
        headers: { authorization: 'KakaoAK wrong' },
      });
      expect(wrongKey.status).toBe(401);
      expect(await wrongKey.json()).toMatchObject({ code: -401 });
    } finally {
      await sandbox.close();
    }
  });

  it('close() does not wait for a long scripted delay', async () => {
    const sandbox = await startKakaoPaySandbox({ port: 0 });
    await fetch(`${sandbox.url}/__sandbox/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'order', delay_ms: 60_000 }),
    });
    const pending = fetch(`${sandbox.url}/online/v1/payment/order`, {
      method: 'POST',
      headers: { authorization: SECRET_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ cid: 'TC0ONETIME', tid: 'T0000000000000000000' }),
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await sandbox.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
