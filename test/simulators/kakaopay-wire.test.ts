import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKakaoPaySandbox, type KakaoPaySandboxOptions } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';

const SECRET_AUTH = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';
const ADMIN_AUTH = 'KakaoAK sandbox-kakao-admin-key';
const TID = /^T[0-9a-f]{19}$/;
const AID = /^A[0-9a-f]{19}$/;
const SID = /^S[0-9a-f]{19}$/;
const KST = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
// 2024-01-15T03:04:05Z = 2024-01-15T12:04:05 in Seoul.
const T0 = Date.UTC(2024, 0, 15, 3, 4, 5);

type Body = Record<string, unknown>;

let app: FastifyInstance;
let nowMs: number;

function build(options: KakaoPaySandboxOptions = {}): FastifyInstance {
  nowMs = T0;
  return buildKakaoPaySandbox({ now: () => nowMs, ...options });
}

beforeEach(() => {
  app = build();
});
afterEach(async () => {
  await app.close();
});

function post(path: string, body: Body, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `/online/v1/payment/${path}`,
    headers: { authorization: SECRET_AUTH, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
}

function legacy(path: string, params: Body, via: 'form' | 'query' = 'form', headers: Record<string, string> = {}) {
  const encoded = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return app.inject({
    method: 'POST',
    url: via === 'query' ? `/v1/payment/${path}?${encoded}` : `/v1/payment/${path}`,
    headers: {
      authorization: ADMIN_AUTH,
      ...(via === 'form' ? { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' } : {}),
      ...headers,
    },
    payload: via === 'form' ? encoded : undefined,
  });
}

function json(res: LightMyRequestResponse): Body {
  return res.json() as Body;
}

function expectError(res: LightMyRequestResponse, code: number, status = 400): Body {
  expect(res.statusCode, res.body).toBe(status);
  const body = json(res);
  expect(body.error_code, res.body).toBe(code);
  expect(typeof body.error_message).toBe('string');
  return body;
}

function expectLegacyError(res: LightMyRequestResponse, code: number, status = 400): Body {
  expect(res.statusCode, res.body).toBe(status);
  const body = json(res);
  expect(body.code, res.body).toBe(code);
  expect(typeof body.msg).toBe('string');
  return body;
}

function readyBody(overrides: Body = {}): Body {
  return {
    cid: 'TC0ONETIME',
    partner_order_id: 'order-1',
    partner_user_id: 'user-1',
    item_name: '초코파이',
    quantity: 1,
    total_amount: 2200,
    tax_free_amount: 0,
    approval_url: 'https://shop.test/pay/approve?orderId=order-1',
    cancel_url: 'https://shop.test/pay/cancel',
    fail_url: 'https://shop.test/pay/fail',
    ...overrides,
  };
}

async function ready(overrides: Body = {}): Promise<Body> {
  const res = await post('ready', readyBody(overrides));
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

async function authorize(tid: string, body: Body = {}): Promise<{ redirect_url: string; pg_token?: string }> {
  const res = await app.inject({ method: 'POST', url: `/__sandbox/tids/${tid}/authorize`, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function authorized(overrides: Body = {}, method: 'CARD' | 'MONEY' = 'CARD') {
  const r = await ready(overrides);
  const tid = r.tid as string;
  const { pg_token } = await authorize(tid, { method });
  return { tid, pgToken: pg_token as string, ready: r };
}

function approveBody(tid: string, pgToken: string, overrides: Body = {}): Body {
  return {
    cid: 'TC0ONETIME',
    tid,
    partner_order_id: 'order-1',
    partner_user_id: 'user-1',
    pg_token: pgToken,
    ...overrides,
  };
}

async function approved(overrides: Body = {}, method: 'CARD' | 'MONEY' = 'CARD') {
  const { tid, pgToken } = await authorized(overrides, method);
  const res = await post(
    'approve',
    approveBody(tid, pgToken, {
      cid: overrides.cid ?? 'TC0ONETIME',
      partner_order_id: overrides.partner_order_id ?? 'order-1',
      partner_user_id: overrides.partner_user_id ?? 'user-1',
    }),
  );
  expect(res.statusCode, res.body).toBe(200);
  return { tid, approve: json(res) };
}

async function order(tid: string, cid = 'TC0ONETIME'): Promise<Body> {
  const res = await post('order', { cid, tid });
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

async function stats(): Promise<Body> {
  return (await app.inject({ method: 'GET', url: '/__sandbox/stats' })).json();
}

describe('ready', () => {
  it('returns the real response shape with sandbox hosted-page URLs', async () => {
    const res = await post('ready', readyBody(), { host: 'sandbox.local:8091' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
    const body = json(res);
    expect(Object.keys(body).sort()).toEqual(
      [
        'android_app_scheme',
        'created_at',
        'ios_app_scheme',
        'next_redirect_app_url',
        'next_redirect_mobile_url',
        'next_redirect_pc_url',
        'tid',
        'tms_result',
      ].sort(),
    );
    expect(body.tid).toMatch(TID);
    expect(body.tms_result).toBe(false);
    expect(body.created_at).toBe('2024-01-15T12:04:05');
    const page = /^http:\/\/sandbox\.local:8091\/mockup\/v1\/([0-9a-f]{64})\/info$/.exec(body.next_redirect_pc_url as string);
    expect(page).not.toBeNull();
    const token = page![1];
    expect(body.next_redirect_mobile_url).toBe(`http://sandbox.local:8091/mockup/v1/${token}/mInfo`);
    expect(body.next_redirect_app_url).toBe(`http://sandbox.local:8091/mockup/v1/${token}/aInfo`);
    const scheme = `kakaotalk://kakaopay/pg?url=http://sandbox.local:8091/pay/mockup/${token}`;
    expect(body.android_app_scheme).toBe(scheme);
    expect(body.ios_app_scheme).toBe(scheme);
  });

  it('uses publicBaseUrl when configured', async () => {
    await app.close();
    app = build({ publicBaseUrl: 'https://pay.example.test/' });
    const body = await ready();
    expect(body.next_redirect_pc_url).toMatch(/^https:\/\/pay\.example\.test\/mockup\/v1\/[0-9a-f]{64}\/info$/);
  });

  it('accepts numbers sent as JSON strings and Content-Type with charset', async () => {
    const res = await post(
      'ready',
      readyBody({ quantity: '1', total_amount: '2200', tax_free_amount: '0', vat_amount: '200' }),
      { 'content-type': 'application/json;charset=UTF-8' },
    );
    expect(res.statusCode, res.body).toBe(200);
  });

  it('defaults vat to round-half-up((total - tax_free) / 11)', async () => {
    const cases: [number, number, number][] = [
      [2200, 0, 200],
      [1000, 0, 91],
      [17, 0, 2],
      [16, 0, 1],
      [29000, 1000, 2545],
    ];
    for (const [total, taxFree, vat] of cases) {
      const r = await ready({ total_amount: total, tax_free_amount: taxFree });
      const o = await order(r.tid as string);
      expect((o.amount as Body).vat, `${total}/${taxFree}`).toBe(vat);
    }
  });

  it('rejects non-numeric and missing parameters with -2', async () => {
    expectError(await post('ready', readyBody({ total_amount: 'abc' })), -2);
    expectError(await post('ready', readyBody({ total_amount: 12.5 })), -2);
    expectError(await post('ready', readyBody({ item_name: undefined })), -2);
    expectError(await post('ready', readyBody({ quantity: 0 })), -2);
    expectError(await post('ready', readyBody({ payment_method_type: 'BITCOIN' })), -2);
    const bad = await app.inject({
      method: 'POST',
      url: '/online/v1/payment/ready',
      headers: { authorization: SECRET_AUTH, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expectError(bad, -2);
  });

  it('rejects an unknown cid with -731', async () => {
    expectError(await post('ready', readyBody({ cid: 'TCUNKNOWN1' })), -731);
  });

  it('rejects tax_free > total and vat > total - tax_free with -722 (§9)', async () => {
    expectError(await post('ready', readyBody({ total_amount: 1000, tax_free_amount: 1001 })), -722);
    expectError(await post('ready', readyBody({ total_amount: 1000, tax_free_amount: 500, vat_amount: 501 })), -722);
    expectError(await post('ready', readyBody({ total_amount: 0 })), -722);
  });

  it('rejects amounts over the configured single-payment cap with -797 (§9)', async () => {
    await app.close();
    app = build({ maxSingleAmount: 1_000_000 });
    expect((await post('ready', readyBody({ total_amount: 1_000_000 }))).statusCode).toBe(200);
    expectError(await post('ready', readyBody({ total_amount: 1_000_001 })), -797);
  });

  it('allows a duplicate partner_order_id and issues a new tid (§9)', async () => {
    const a = await ready();
    const b = await ready();
    expect(a.tid).not.toBe(b.tid);
  });
});

describe('authentication (§9 wrong auth)', () => {
  it('answers -401 / HTTP 401 in the current envelope', async () => {
    expectError(await post('ready', readyBody(), { authorization: 'SECRET_KEY wrong' }), -401, 401);
    expectError(await post('ready', readyBody(), { authorization: 'KakaoAK sandbox-kakao-admin-key' }), -401, 401);
    expectError(await post('ready', readyBody(), { authorization: 'Bearer DEV_SANDBOX_KAKAOPAY_SECRET' }), -401, 401);
    const missing = await app.inject({
      method: 'POST',
      url: '/online/v1/payment/ready',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(readyBody()),
    });
    expectError(missing, -401, 401);
  });

  it('accepts the DEV_SECRET_KEY scheme', async () => {
    const res = await post('ready', readyBody(), { authorization: 'DEV_SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET' });
    expect(res.statusCode).toBe(200);
  });

  it('answers -401 / HTTP 401 in the legacy envelope', async () => {
    const res = await legacy('ready', readyBody(), 'form', { authorization: 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET' });
    expectLegacyError(res, -401, 401);
    expectLegacyError(await legacy('ready', readyBody(), 'form', { authorization: 'KakaoAK nope' }), -401, 401);
  });

  it('honours configured keys', async () => {
    await app.close();
    app = build({ secretKeys: ['K1'], adminKeys: ['A1'] });
    expect((await post('ready', readyBody(), { authorization: 'SECRET_KEY K1' })).statusCode).toBe(200);
    expectError(await post('ready', readyBody()), -401, 401);
    expect((await legacy('ready', readyBody(), 'form', { authorization: 'KakaoAK A1' })).statusCode).toBe(200);
  });
});

describe('approve', () => {
  it('returns the MONEY shape of §4.2 without card_info', async () => {
    const { tid, pgToken } = await authorized({}, 'MONEY');
    nowMs += 61_000;
    const res = await post('approve', approveBody(tid, pgToken, { payload: 'echo-me', total_amount: '2200' }));
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({
      tid,
      cid: 'TC0ONETIME',
      partner_order_id: 'order-1',
      partner_user_id: 'user-1',
      payment_method_type: 'MONEY',
      item_name: '초코파이',
      quantity: 1,
      amount: { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 },
      created_at: '2024-01-15T12:04:05',
      approved_at: '2024-01-15T12:05:06',
      payload: 'echo-me',
    });
    expect(body.aid).toMatch(AID);
    expect(body.approved_at).toMatch(KST);
    expect(body).not.toHaveProperty('card_info');
    expect(body).not.toHaveProperty('sid');
  });

  it('returns card_info for CARD', async () => {
    const { approve } = await approved({ install_month: 3 });
    expect(approve.payment_method_type).toBe('CARD');
    expect(approve.card_info).toMatchObject({
      interest_free_install: 'N',
      bin: '621640',
      card_type: '체크',
      install_month: '03',
      installment_type: 'CARD_INSTALLMENT',
      kakaopay_purchase_corp: '비씨카드',
      kakaopay_purchase_corp_code: '104',
      kakaopay_issuer_corp: '수협은행',
      kakaopay_issuer_corp_code: '212',
    });
    expect((approve.card_info as Body).approved_id).toMatch(/^\d{8}$/);
    expect(approve.card_info).not.toHaveProperty('purchase_corp');
  });

  it('2nd approve with the same tid/pg_token → -702 and the order is unchanged (§9)', async () => {
    const { tid, pgToken } = await authorized();
    expect((await post('approve', approveBody(tid, pgToken))).statusCode).toBe(200);
    const before = await order(tid);
    expectError(await post('approve', approveBody(tid, pgToken)), -702);
    expect(await order(tid)).toEqual(before);
  });

  it('approve before the user finished auth → -701 (§9)', async () => {
    const r = await ready();
    expectError(await post('approve', approveBody(r.tid as string, '0123456789abcdef0123')), -701);
  });

  it('approve with a wrong pg_token → -708 (§9)', async () => {
    const { tid } = await authorized();
    expectError(await post('approve', approveBody(tid, 'ffffffffffffffffffff')), -708);
  });

  it('approve with a different partner_order_id / partner_user_id → -706 / -707 (§9)', async () => {
    const { tid, pgToken } = await authorized();
    expectError(await post('approve', approveBody(tid, pgToken, { partner_order_id: 'other' })), -706);
    expectError(await post('approve', approveBody(tid, pgToken, { partner_user_id: 'other' })), -707);
  });

  it('approve with a cid different from ready → -731', async () => {
    const { tid, pgToken } = await authorized();
    expectError(await post('approve', approveBody(tid, pgToken, { cid: 'TCSUBSCRIP' })), -731);
  });

  it('approve total_amount ≠ ready total → -722 by default, -725 when configured (§9)', async () => {
    const { tid, pgToken } = await authorized();
    expectError(await post('approve', approveBody(tid, pgToken, { total_amount: 2100 })), -722);
    await app.close();
    app = build({ amountMismatchCode: -725 });
    const again = await authorized();
    expectError(await post('approve', approveBody(again.tid, again.pgToken, { total_amount: 2100 })), -725);
  });

  it('approve 15 minutes after ready → -723 (§9)', async () => {
    const { tid, pgToken } = await authorized();
    nowMs += 15 * 60 * 1000 - 1;
    const stillValid = await authorized({ partner_order_id: 'order-1' });
    nowMs += 1;
    expectError(await post('approve', approveBody(tid, pgToken)), -723);
    expect((await post('approve', approveBody(stillValid.tid, stillValid.pgToken))).statusCode).toBe(200);
  });

  it('approve after the user quit → -783', async () => {
    const r = await ready();
    await authorize(r.tid as string, { action: 'cancel' });
    expectError(await post('approve', approveBody(r.tid as string, 'ffffffffffffffffffff')), -783);
  });

  it('unknown tid → -721 on approve, cancel and order (§9)', async () => {
    const tid = 'T0000000000000000000';
    expectError(await post('approve', approveBody(tid, 'ffffffffffffffffffff')), -721);
    expectError(await post('cancel', { cid: 'TC0ONETIME', tid, cancel_amount: 100, cancel_tax_free_amount: 0 }), -721);
    expectError(await post('order', { cid: 'TC0ONETIME', tid }), -721);
  });

  it('many approves of the same tid at once → exactly one success, the rest -702/-785 (§9)', async () => {
    const { tid, pgToken } = await authorized();
    const results = await Promise.all(Array.from({ length: 8 }, () => post('approve', approveBody(tid, pgToken))));
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 200)) {
      expect([-702, -785]).toContain(json(r).error_code);
    }
    const s = await stats();
    expect(s.approve).toBe(1);
    expect(s.approvals_by_partner_order_id).toEqual({ 'order-1': 1 });
  });
});

describe('order lookup', () => {
  it('reflects READY without the keys of events that have not happened, and no action details', async () => {
    const r = await ready();
    const o = await order(r.tid as string);
    expect(o).toMatchObject({
      tid: r.tid,
      cid: 'TC0ONETIME',
      status: 'READY',
      payment_action_details: [],
      created_at: '2024-01-15T12:04:05',
    });
    for (const key of ['payment_method_type', 'approved_at', 'canceled_at', 'selected_card_info', 'item_code']) expect(o).not.toHaveProperty(key);
  });

  it('shows the §4.3 shape after approval', async () => {
    const { tid, approve } = await approved();
    const o = await order(tid);
    expect(o).toMatchObject({
      status: 'SUCCESS_PAYMENT',
      payment_method_type: 'CARD',
      amount: { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 },
      canceled_amount: { total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 },
      cancel_available_amount: { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 },
      approved_at: approve.approved_at,
      selected_card_info: { card_bin: '621640', install_month: 0, card_corp_name: '수협은행', interest_free_install: 'N' },
    });
    expect(o.payment_action_details).toEqual([
      {
        aid: approve.aid,
        approved_at: approve.approved_at,
        amount: 2200,
        point_amount: 0,
        discount_amount: 0,
        green_deposit: 0,
        payment_action_type: 'PAYMENT',
        payment_method_type: 'CARD',
      },
    ]);
  });

  it('shows an expired unapproved tid as QUIT_PAYMENT', async () => {
    const r = await ready();
    await app.inject({ method: 'POST', url: '/__sandbox/clock', payload: { advance_ms: 15 * 60 * 1000 } });
    expect((await order(r.tid as string)).status).toBe('QUIT_PAYMENT');
  });
});

describe('cancel', () => {
  function cancelBody(tid: string, overrides: Body = {}): Body {
    return { cid: 'TC0ONETIME', tid, cancel_amount: 2200, cancel_tax_free_amount: 0, ...overrides };
  }

  it('full cancel returns the §4.4 shape', async () => {
    const { tid } = await approved();
    nowMs += 5000;
    const res = await post('cancel', cancelBody(tid, { cancel_vat_amount: 200, cancel_available_amount: 2200, payload: 'refund' }));
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    const full = { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 };
    expect(body).toMatchObject({
      tid,
      cid: 'TC0ONETIME',
      status: 'CANCEL_PAYMENT',
      partner_order_id: 'order-1',
      partner_user_id: 'user-1',
      payment_method_type: 'CARD',
      amount: full,
      approved_cancel_amount: full,
      canceled_amount: full,
      cancel_available_amount: { total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 },
      payload: 'refund',
    });
    expect(body.aid).toMatch(AID);
    expect(body.canceled_at).toMatch(KST);
    expect((await order(tid)).status).toBe('CANCEL_PAYMENT');
  });

  it('partial cancels summing to the total end in CANCEL_PAYMENT with 0 remaining (§9)', async () => {
    const { tid } = await approved({ total_amount: 10000 });
    const first = json(await post('cancel', cancelBody(tid, { cancel_amount: 3000 })));
    expect(first.status).toBe('PART_CANCEL_PAYMENT');
    expect(first.approved_cancel_amount).toMatchObject({ total: 3000, vat: 273 });
    expect(first.canceled_amount).toMatchObject({ total: 3000, vat: 273 });
    expect(first.cancel_available_amount).toMatchObject({ total: 7000, vat: 636 });
    const second = json(await post('cancel', cancelBody(tid, { cancel_amount: 3000, cancel_available_amount: 7000 })));
    expect(second.canceled_amount).toMatchObject({ total: 6000 });
    const last = json(await post('cancel', cancelBody(tid, { cancel_amount: '4000', cancel_available_amount: '4000' })));
    expect(last.status).toBe('CANCEL_PAYMENT');
    expect(last.canceled_amount).toMatchObject({ total: 10000, vat: 909 });
    expect(last.cancel_available_amount).toEqual({ total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 });
    const o = await order(tid);
    expect((o.payment_action_details as Body[]).map((d) => [d.payment_action_type, d.amount])).toEqual([
      ['PAYMENT', 10000],
      ['CANCEL', 3000],
      ['CANCEL', 3000],
      ['CANCEL', 4000],
    ]);
    expect((await stats()).cancel).toBe(3);
  });

  it('cancel more than remaining → -710 (§9)', async () => {
    const { tid } = await approved();
    expectError(await post('cancel', cancelBody(tid, { cancel_amount: 2201 })), -710);
    await post('cancel', cancelBody(tid, { cancel_amount: 1000 }));
    expectError(await post('cancel', cancelBody(tid, { cancel_amount: 1201 })), -710);
  });

  it('cancel when already fully cancelled → -784 with the real legacy message (§9)', async () => {
    const { tid } = await approved();
    expect((await post('cancel', cancelBody(tid))).statusCode).toBe(200);
    const current = expectError(await post('cancel', cancelBody(tid)), -784);
    expect(current.error_message).toBe('can not request cancel!(status : CANCEL_PAYMENT)');
    const old = expectLegacyError(await legacy('cancel', cancelBody(tid)), -784);
    expect(old.msg).toBe('can not request cancel!(status : CANCEL_PAYMENT)');
  });

  it('cancel a READY or QUIT_PAYMENT tid → -784 (§9)', async () => {
    const r = await ready();
    const body = expectError(await post('cancel', cancelBody(r.tid as string)), -784);
    expect(body.error_message).toBe('can not request cancel!(status : READY)');
    await authorize(r.tid as string, { action: 'cancel' });
    expect(expectError(await post('cancel', cancelBody(r.tid as string)), -784).error_message).toBe(
      'can not request cancel!(status : QUIT_PAYMENT)',
    );
  });

  it('stale cancel_available_amount → -722 (§9)', async () => {
    const { tid } = await approved();
    await post('cancel', cancelBody(tid, { cancel_amount: 1000 }));
    expectError(await post('cancel', cancelBody(tid, { cancel_amount: 500, cancel_available_amount: 2200 })), -722);
    expect((await post('cancel', cancelBody(tid, { cancel_amount: 500, cancel_available_amount: 1200 }))).statusCode).toBe(200);
  });

  it('refuses a partial cancel of a green_deposit payment with -784', async () => {
    const { tid } = await approved({ total_amount: 5000, green_deposit: 1000 });
    expectError(await post('cancel', cancelBody(tid, { cancel_amount: 1000 })), -784);
    const full = json(await post('cancel', cancelBody(tid, { cancel_amount: 5000 })));
    expect(full.canceled_amount).toMatchObject({ total: 5000, green_deposit: 1000 });
  });
});

describe('legacy route set (/v1, KakaoAK, form + query)', () => {
  it('runs ready → approve → order → cancel with params only in the query string (§9)', async () => {
    const r = await legacy('ready', readyBody(), 'query');
    expect(r.statusCode, r.body).toBe(200);
    const tid = json(r).tid as string;
    expect(tid).toMatch(TID);
    const { pg_token } = await authorize(tid);
    const a = await legacy('approve', approveBody(tid, pg_token!), 'query');
    expect(a.statusCode, a.body).toBe(200);
    expect(json(a).card_info).toMatchObject({ purchase_corp: '비씨카드', purchase_corp_code: '01', issuer_corp_code: '13' });
    const o = await app.inject({
      method: 'GET',
      url: `/v1/payment/order?cid=TC0ONETIME&tid=${tid}`,
      headers: { authorization: ADMIN_AUTH },
    });
    expect(o.statusCode).toBe(200);
    expect(json(o).status).toBe('SUCCESS_PAYMENT');
    const c = await legacy('cancel', { cid: 'TC0ONETIME', tid, cancel_amount: 2200, cancel_tax_free_amount: 0 }, 'query');
    expect(json(c).status).toBe('CANCEL_PAYMENT');
  });

  it('reads form bodies, merges the query string, and parses JSON-string arrays', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/payment/ready?cid=TC0ONETIME&partner_user_id=user-1',
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      payload: new URLSearchParams({
        partner_order_id: 'order-1',
        item_name: '초코파이',
        quantity: '1',
        total_amount: '2200',
        tax_free_amount: '0',
        approval_url: 'https://shop.test/a',
        cancel_url: 'https://shop.test/c',
        fail_url: 'https://shop.test/f',
        available_cards: '["SHINHAN","KB"]',
        custom_json: '{"return_custom_url":"kakaotalk://"}',
      }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    const tid = json(res).tid as string;
    const raw = (await app.inject({ method: 'GET', url: `/__sandbox/payments/${tid}` })).json();
    expect(raw.availableCards).toEqual(['SHINHAN', 'KB']);
    expect(raw.partnerUserId).toBe('user-1');
  });

  it('uses the legacy envelope for -2 and non-numeric values', async () => {
    const res = await legacy('ready', readyBody({ total_amount: '22OO' }));
    expectLegacyError(res, -2);
  });
});

describe('error HTTP statuses and forced errors', () => {
  it('X-Sandbox-Error forces a code in either envelope, with sample extras for -780', async () => {
    const res = await post('ready', readyBody(), { 'x-sandbox-error': '-780' });
    const body = expectError(res, -780);
    expect(body.error_message).toBe('approval failure!');
    expect(body.extras).toEqual({
      method_result_code: 'USER_LOCKED',
      method_result_message: '진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요.',
    });
    expectLegacyError(await legacy('ready', readyBody(), 'form', { 'x-sandbox-error': '-781' }), -781);
    expectError(await post('ready', readyBody(), { 'x-sandbox-error': '-9798' }), -9798, 503);
    expectError(await post('ready', readyBody(), { 'x-sandbox-error': '-401' }), -401, 401);
    expect((await stats()).ready).toBe(0);
  });

  it('makes the business-error HTTP status configurable', async () => {
    await app.close();
    app = build({ businessErrorHttpStatus: 500, httpStatusByCode: { [-708]: 403 } });
    expectError(await post('ready', readyBody(), { 'x-sandbox-error': '-780' }), -780, 500);
    expectError(await post('ready', readyBody({ total_amount: 'x' })), -2, 400);
    const { tid } = await authorized();
    expectError(await post('approve', approveBody(tid, 'ffffffffffffffffffff')), -708, 403);
  });

  it('answers unknown wire paths in the matching envelope', async () => {
    const res = await post('nope', {});
    expect(res.statusCode).toBe(404);
    expect(json(res).error_code).toBe(-2);
  });
});

describe('strict bodies (issue 12)', () => {
  const encoded = () => new URLSearchParams(Object.entries(readyBody()).map(([k, v]) => [k, String(v)])).toString();

  it('the current API refuses a form body with -2', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/online/v1/payment/ready',
      headers: { authorization: SECRET_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encoded(),
    });
    expectError(res, -2);
  });

  it('the legacy API refuses a JSON body with -2 (form and query string still work)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/payment/ready',
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify(readyBody()),
    });
    expectLegacyError(res, -2);
    expect((await legacy('ready', readyBody())).statusCode).toBe(200);
    expect((await legacy('ready', readyBody({ partner_order_id: 'order-2' }), 'query')).statusCode).toBe(200);
  });

  it('available_cards must be a JSON string: an array or a comma list is refused', async () => {
    expectError(await post('ready', readyBody({ available_cards: ['SHINHAN', 'KB'] })), -2);
    expectError(await post('ready', readyBody({ available_cards: 'SHINHAN,KB' })), -2);
    expectLegacyError(await legacy('ready', readyBody({ available_cards: 'SHINHAN,KB' })), -2);
    expect((await post('ready', readyBody({ available_cards: '["SHINHAN","KB"]' }))).statusCode).toBe(200);
  });

  it('lenientBodies turns the three checks off', async () => {
    await app.close();
    app = build({ lenientBodies: true });
    const res = await app.inject({
      method: 'POST',
      url: '/online/v1/payment/ready',
      headers: { authorization: SECRET_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encoded(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await post('ready', readyBody({ available_cards: ['SHINHAN', 'KB'] }))).statusCode).toBe(200);
  });
});
