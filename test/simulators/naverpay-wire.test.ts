import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildNaverPaySandbox,
  type NaverPaySandboxOptions,
} from '../../src/simulators/naverpay/naverpay-sandbox-app.ts';

const P = '/naverpay-partner/naverpay/payments';
const AUTH = {
  'x-naver-client-id': 'sandbox-client-id',
  'x-naver-client-secret': 'sandbox-client-secret',
  'x-naverpay-chain-id': 'sandbox-chain-id',
};
// 2026-01-15 12:04:05 KST
const T0 = Date.UTC(2026, 0, 15, 3, 4, 5);
const PAYMENT_ID = /^\d{8}NP\d{10}$/;

interface CallOptions {
  form?: Record<string, string | number>;
  json?: unknown;
  key?: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
}

let app: FastifyInstance;
let now = T0;

function build(options: NaverPaySandboxOptions = {}): FastifyInstance {
  app = buildNaverPaySandbox({ now: () => now, ...options });
  return app;
}

async function call(path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...AUTH, ...options.headers };
  if (options.key !== undefined) headers['x-naverpay-idempotency-key'] = options.key;
  let payload: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(Object.entries(options.form).map(([k, v]) => [k, String(v)])).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.json);
  }
  const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
  const res = await app.inject({ method: options.method ?? 'POST', url: `${P}/${path}${query}`, headers, payload });
  return { status: res.statusCode, headers: res.headers, body: res.json() as { code: string; message: string; body: any } };
}

const ORDER = {
  modelVersion: '2',
  merchantUserKey: 'user-1',
  merchantPayKey: 'pay_order_1',
  productName: '프리미엄 월간 구독',
  productCount: 1,
  totalPayAmount: 29000,
  taxScopeAmount: 29000,
  taxExScopeAmount: 0,
  returnUrl: 'https://shop.example/naverpay/return?orderId=1',
  productItems: [{ categoryType: 'ETC', categoryId: 'ETC', uid: 'plan-premium', name: '프리미엄', count: 1 }],
};

async function reserve(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await call('v2/reserve', { json: { ...ORDER, ...overrides } });
  expect(res.body.code).toBe('Success');
  return res.body.body.reserveId as string;
}

async function authorize(reserveId: string, action = 'approve') {
  const res = await app.inject({
    method: 'POST',
    url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`,
    payload: { action },
  });
  return res.json() as { redirect_url: string; paymentId?: string; reserveId: string };
}

/** Reserve + user approval on the hosted page: a paymentId ready for `apply/payment`. */
async function authorizedPayment(overrides: Record<string, unknown> = {}): Promise<string> {
  const out = await authorize(await reserve(overrides));
  return out.paymentId!;
}

async function approve(paymentId: string, key?: string) {
  return call('v2.2/apply/payment', { form: { paymentId }, key });
}

async function approvedPayment(overrides: Record<string, unknown> = {}): Promise<string> {
  const paymentId = await authorizedPayment(overrides);
  expect((await approve(paymentId)).body.code).toBe('Success');
  return paymentId;
}

function cancelForm(paymentId: string, amount: number, extra: Record<string, string | number> = {}) {
  return {
    paymentId,
    cancelAmount: amount,
    cancelReason: '고객 요청',
    cancelRequester: 2,
    taxScopeAmount: amount,
    taxExScopeAmount: 0,
    ...extra,
  };
}

async function script(body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/__sandbox/script', payload: body });
  expect(res.statusCode).toBe(201);
}

async function stats() {
  return (await app.inject({ method: 'GET', url: '/__sandbox/stats' })).json() as Record<string, any>;
}

beforeEach(() => {
  now = T0;
  build();
});

afterEach(async () => {
  await app.close();
});

describe('conventions (§2)', () => {
  it('wraps results in {code, message, body} with the JSON content type', async () => {
    const res = await call('v2/reserve', { json: ORDER });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(res.body).toEqual({ code: 'Success', message: expect.any(String), body: { reserveId: expect.any(String) } });
    // reserveIds carry +, / and = so that encoding bugs show up.
    expect(res.body.body.reserveId).toMatch(/^\d{8}[A-Za-z0-9+/]+=*$/);
    expect(res.body.body.reserveId).toMatch(/[+/=]/);
  });

  it('answers bad credentials with 401 and a missing chain id with 401', async () => {
    expect((await call('v2/reserve', { json: ORDER, headers: { 'x-naver-client-secret': 'wrong' } })).status).toBe(401);
    const noId = await app.inject({
      method: 'POST',
      url: `${P}/v2/reserve`,
      headers: { 'x-naver-client-secret': 'sandbox-client-secret', 'x-naverpay-chain-id': 'sandbox-chain-id' },
      payload: ORDER,
    });
    expect(noId.statusCode).toBe(401);
    const noChain = await app.inject({
      method: 'POST',
      url: `${P}/v2/reserve`,
      headers: { 'x-naver-client-id': 'sandbox-client-id', 'x-naver-client-secret': 'sandbox-client-secret' },
      payload: ORDER,
    });
    expect(noChain.statusCode).toBe(401);
  });

  it('accepts a missing chain id when requireChainId is false', async () => {
    await app.close();
    build({ requireChainId: false });
    const res = await app.inject({
      method: 'POST',
      url: `${P}/v2/reserve`,
      headers: { 'x-naver-client-id': 'sandbox-client-id', 'x-naver-client-secret': 'sandbox-client-secret' },
      payload: ORDER,
    });
    expect(res.json().code).toBe('Success');
  });

  it('returns InvalidMerchant (HTTP 200, body null) for an unknown partnerId or chain id', async () => {
    const chain = await call('v2/reserve', { json: ORDER, headers: { 'x-naverpay-chain-id': 'other-chain' } });
    expect(chain.status).toBe(200);
    expect(chain.body).toMatchObject({ code: 'InvalidMerchant', body: null });
    const res = await app.inject({ method: 'POST', url: '/np_unknown/naverpay/payments/v2/reserve', headers: AUTH, payload: ORDER });
    expect(res.statusCode).toBe(200);
    expect(res.json().code).toBe('InvalidMerchant');
  });

  it('the recurrent chain id on a one-time route answers InvalidMerchant (issue 12); chainPerProduct: false accepts it', async () => {
    await app.close();
    build({ partnerIds: ['np_abcde123456'] });
    const inject = () =>
      app.inject({
        method: 'POST',
        url: '/np_abcde123456/naverpay/payments/v2/reserve',
        headers: { ...AUTH, 'x-naverpay-chain-id': 'sandbox-recurrent-chain-id' },
        payload: ORDER,
      });
    expect((await inject()).json()).toMatchObject({ code: 'InvalidMerchant', body: null });
    await app.close();
    build({ partnerIds: ['np_abcde123456'], chainPerProduct: false });
    expect((await inject()).json().code).toBe('Success');
  });

  it('the one-time chain id on a recurrent route answers InvalidMerchant', async () => {
    const res = await call('recurrent/v1/list', { json: { recurrentId: 'X' }, headers: { 'x-naverpay-chain-id': 'sandbox-chain-id' } });
    expect(res.body).toMatchObject({ code: 'InvalidMerchant', body: null });
  });

  it('an approval detail says settleExpected false with the expected amounts, as the documented sample does', async () => {
    const res = await approve(await authorizedPayment());
    expect(res.body.body.detail).toMatchObject({ settleExpected: false, settleExpectAmount: expect.any(Number), payCommissionAmount: expect.any(Number) });
    await app.close();
    build({ settleExpectedOnApproval: true });
    expect((await approve(await authorizedPayment())).body.body.detail.settleExpected).toBe(true);
  });

  it('does not implement the fabricated v2.2/reserve and v2.2/inquiry', async () => {
    expect((await call('v2.2/reserve', { json: ORDER })).status).toBe(404);
    expect((await call('v2.2/inquiry', { json: {} })).status).toBe(404);
  });

  it('reports a missing field as RequireParameter and a bad amount split as InvalidParameter', async () => {
    const { merchantPayKey: _omit, ...noKey } = ORDER;
    expect((await call('v2/reserve', { json: noKey })).body).toMatchObject({ code: 'RequireParameter', body: null });
    const bad = await call('v2/reserve', { json: { ...ORDER, taxScopeAmount: 1000 } });
    expect(bad.body).toMatchObject({ code: 'InvalidParameter', body: null });
    const empty = await call('v2/reserve');
    expect(empty.body.code).toBe('RequireParameter');
  });

  it('accepts numeric strings for amounts', async () => {
    const res = await call('v2/reserve', { json: { ...ORDER, totalPayAmount: '29000', taxScopeAmount: '29000', taxExScopeAmount: '0' } });
    expect(res.body.code).toBe('Success');
  });

  it('ignores a JSON body on form endpoints (client bug surfaces as RequireParameter)', async () => {
    const paymentId = await authorizedPayment();
    const res = await call('v2.2/apply/payment', { json: { paymentId } });
    expect(res.body.code).toBe('RequireParameter');
  });

  it('merges query-string fields into form endpoints', async () => {
    const paymentId = await authorizedPayment();
    const res = await call('v2.2/apply/payment', { query: { paymentId } });
    expect(res.body.code).toBe('Success');
  });

  it('adds the configured latency before wire responses', async () => {
    await app.close();
    build({ latencyMs: 60 });
    const started = performance.now();
    await call('v2/reserve', { json: ORDER });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('approve (§3.5, §6.6)', () => {
  it('returns the detail shape of the spec sample', async () => {
    const paymentId = await authorizedPayment({ merchantExtraParameter: 'extra-1' });
    const res = await approve(paymentId);
    expect(res.status).toBe(200);
    expect(res.body.code).toBe('Success');
    expect(res.body.body.paymentId).toBe(paymentId);
    expect(paymentId).toMatch(PAYMENT_ID);
    const detail = res.body.body.detail;
    const sampleKeys = [
      'productName', 'merchantId', 'merchantName', 'cardNo', 'admissionYmdt', 'payHistId', 'totalPayAmount',
      'applyPayAmount', 'primaryPayAmount', 'npointPayAmount', 'giftCardAmount', 'discountPayAmount',
      'taxScopeAmount', 'taxExScopeAmount', 'environmentDepositAmount', 'primaryPayMeans', 'merchantPayKey',
      'merchantUserKey', 'cardCorpCode', 'paymentId', 'admissionTypeCode', 'settleExpectAmount',
      'payCommissionAmount', 'admissionState', 'tradeConfirmYmdt', 'cardAuthNo', 'cardInstCount', 'usedCardPoint',
      'bankCorpCode', 'bankAccountNo', 'settleExpected', 'extraDeduction', 'useCfmYmdt', 'userIdentifier',
    ];
    for (const key of sampleKeys) expect(detail, key).toHaveProperty(key);
    expect(detail).toMatchObject({
      paymentId,
      productName: '프리미엄 월간 구독',
      totalPayAmount: 29000,
      applyPayAmount: 29000,
      primaryPayAmount: 29000,
      taxScopeAmount: 29000,
      taxExScopeAmount: 0,
      primaryPayMeans: 'CARD',
      merchantPayKey: 'pay_order_1',
      merchantUserKey: 'user-1',
      admissionTypeCode: '01',
      admissionState: 'SUCCESS',
      admissionYmdt: '20260115120405',
      merchantExtraParameter: 'extra-1',
    });
    expect(detail.payHistId).toMatch(PAYMENT_ID);
    expect(detail.payHistId).not.toBe(paymentId);
    expect(detail.settleExpectAmount + detail.payCommissionAmount).toBe(29000);
  });

  it('computes dates in KST from the injected clock, not the machine time zone', async () => {
    now = Date.UTC(2026, 0, 15, 16, 30, 0); // 2026-01-16 01:30 KST
    const paymentId = await authorizedPayment();
    expect(paymentId.startsWith('20260116NP')).toBe(true);
    const res = await approve(paymentId);
    expect(res.body.body.detail.admissionYmdt).toBe('20260116013000');
  });

  it('§7 approve twice, same idempotency key → HTTP 409 replaying the first Success body', async () => {
    const paymentId = await authorizedPayment();
    const first = await approve(paymentId, 'apply-1');
    expect(first.status).toBe(200);
    expect(first.headers['x-naverpay-idempotency-key']).toBe('apply-1');
    const second = await approve(paymentId, 'apply-1');
    expect(second.status).toBe(409);
    expect(second.body).toEqual(first.body);
    expect(second.headers['x-naverpay-idempotency-key']).toBe('apply-1');
    expect((await stats()).approve).toBe(1);
  });

  it('§7 approve twice, new key → AlreadyComplete with body null', async () => {
    const paymentId = await authorizedPayment();
    expect((await approve(paymentId, 'k1')).body.code).toBe('Success');
    const again = await approve(paymentId, 'k2');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ code: 'AlreadyComplete', message: expect.any(String), body: null });
  });

  it('§7 two approves racing → exactly one Success, the other AlreadyOnGoing', async () => {
    await app.close();
    build({ latencyMs: 40 });
    const paymentId = await authorizedPayment();
    const results = await Promise.all([approve(paymentId), approve(paymentId)]);
    const codes = results.map((r) => r.body.code).sort();
    expect(codes).toEqual(['AlreadyOnGoing', 'Success']);
  });

  it('many concurrent approves of one paymentId → exactly one Success', async () => {
    const paymentId = await authorizedPayment();
    const results = await Promise.all(Array.from({ length: 10 }, () => approve(paymentId)));
    expect(results.filter((r) => r.body.code === 'Success')).toHaveLength(1);
    expect((await stats()).approvals_by_merchant_pay_key).toEqual({ pay_order_1: 1 });
  });

  it('a repeat of an in-flight idempotency key gets AlreadyOnGoing', async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', delay_ms: 80 });
    const [a, b] = await Promise.all([approve(paymentId, 'same'), approve(paymentId, 'same')]);
    expect([a.body.code, b.body.code].sort()).toEqual(['AlreadyOnGoing', 'Success']);
    expect((await approve(paymentId, 'same')).status).toBe(409);
  });

  it('§7 approve after >10 min → TimeExpired, body null, never charged', async () => {
    const paymentId = await authorizedPayment();
    await app.inject({ method: 'POST', url: '/__sandbox/clock', payload: { advance_ms: 10 * 60_000 + 1000 } });
    const res = await approve(paymentId);
    expect(res.body).toEqual({ code: 'TimeExpired', message: expect.any(String), body: null });
    expect((await approve(paymentId)).body.code).toBe('TimeExpired');
    expect((await stats()).approve).toBe(0);
    const history = await call('v2.2/list/history', { json: { paymentId } });
    expect(history.body.body.list.filter((r: any) => r.admissionState === 'SUCCESS')).toHaveLength(0);
  });

  it('approves just inside the window; the window is configurable', async () => {
    const paymentId = await authorizedPayment();
    now += 9 * 60_000;
    expect((await approve(paymentId)).body.code).toBe('Success');
    await app.close();
    build({ approvalWindowMs: 1000 });
    const other = await authorizedPayment();
    now += 2000;
    expect((await approve(other)).body.code).toBe('TimeExpired');
  });

  it('unknown paymentId → Fail; missing paymentId → RequireParameter', async () => {
    expect((await approve('20260115NP0000000000')).body).toMatchObject({ code: 'Fail', body: null });
    expect((await call('v2.2/apply/payment', { form: {} })).body.code).toBe('RequireParameter');
  });

  it('accepts the older v2/apply/payment path', async () => {
    const paymentId = await authorizedPayment();
    expect((await call('v2/apply/payment', { form: { paymentId } })).body.code).toBe('Success');
  });

  it('§7 amount tampered in the browser: the sandbox approves what was sent', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/__sandbox/sdk/authorize',
      payload: {
        clientId: 'sandbox-client-id', chainId: 'sandbox-chain-id', mode: 'development',
        merchantPayKey: 'pay_tampered', productName: '프리미엄', productCount: 1,
        totalPayAmount: 100, taxScopeAmount: 100, taxExScopeAmount: 0,
        returnUrl: 'https://shop.example/return',
      },
    });
    const { paymentId } = res.json();
    const approved = await approve(paymentId);
    expect(approved.body.body.detail).toMatchObject({ totalPayAmount: 100, merchantPayKey: 'pay_tampered' });
  });

  it('magic amount 4001 → NotEnoughAccountBalance, recorded as a FAIL history row', async () => {
    const paymentId = await authorizedPayment({ totalPayAmount: 4001, taxScopeAmount: 4001 });
    const res = await approve(paymentId);
    expect(res.body).toMatchObject({ code: 'NotEnoughAccountBalance', body: null });
    const history = await call('v2.2/list/history', { json: { paymentId } });
    expect(history.body.body.list).toEqual([
      expect.objectContaining({ paymentId, admissionTypeCode: '01', admissionState: 'FAIL', totalPayAmount: 4001 }),
    ]);
    expect((await approve(paymentId)).body.code).toBe('NotEnoughAccountBalance');
  });

  it('§7 card not in the user name → approve code OwnerAuthFail (magic 4002)', async () => {
    const paymentId = await authorizedPayment({ totalPayAmount: 4002, taxScopeAmount: 4002 });
    expect((await approve(paymentId)).body.code).toBe('OwnerAuthFail');
  });
});

describe('idempotency (§2.6, §6.3)', () => {
  it('replays a stored failure with 409 for the same key', async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', code: 'NotEnoughAccountBalance', message: '잔액 부족' });
    const first = await approve(paymentId, 'fail-key');
    expect(first.body).toEqual({ code: 'NotEnoughAccountBalance', message: '잔액 부족', body: null });
    const replay = await approve(paymentId, 'fail-key');
    expect(replay.status).toBe(409);
    expect(replay.body).toEqual(first.body);
  });

  it('replays regardless of the new body and scopes keys per partner', async () => {
    const p1 = await authorizedPayment();
    const p2 = await authorizedPayment({ merchantPayKey: 'pay_order_2' });
    const first = await approve(p1, 'shared');
    const other = await approve(p2, 'shared');
    expect(other.status).toBe(409);
    expect(other.body.body.paymentId).toBe(p1);
    expect(first.body.body.paymentId).toBe(p1);
  });

  it('rejects keys longer than 64 characters', async () => {
    const res = await call('v2/reserve', { json: ORDER, key: 'k'.repeat(65) });
    expect(res.status).toBe(400);
    expect(res.headers['x-naverpay-idempotency-key']).toBe('k'.repeat(65));
    expect((await call('v2/reserve', { json: ORDER, key: 'k'.repeat(64) })).status).toBe(200);
  });

  it('echoes the key on 401 responses too', async () => {
    const res = await call('v2/reserve', { json: ORDER, key: 'echo-me', headers: { 'x-naver-client-secret': 'bad' } });
    expect(res.status).toBe(401);
    expect(res.headers['x-naverpay-idempotency-key']).toBe('echo-me');
  });

  it('does not store scripted 5xx responses: a retry with the same key executes', async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', http_status: 500 });
    const first = await approve(paymentId, 'retry-key');
    expect(first.status).toBe(500);
    expect((await app.inject({ method: 'GET', url: `/__sandbox/payments/${paymentId}` })).json().state).toBe('AUTHORIZED');
    const retry = await approve(paymentId, 'retry-key');
    expect(retry.status).toBe(200);
    expect(retry.body.code).toBe('Success');
  });
});

describe('scripted behaviour and delays', () => {
  it("delay 'after': processed and committed before the delayed response; a same-key retry gets 409 Success", async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', delay_ms: 300, delay: 'after', match: { paymentId } });
    const slow = approve(paymentId, 'slow-key');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await stats()).approve).toBe(1);
    const raw = (await app.inject({ method: 'GET', url: `/__sandbox/payments/${paymentId}` })).json();
    expect(raw.state).toBe('APPROVED');
    const retry = await approve(paymentId, 'slow-key');
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('Success');
    expect((await slow).body.code).toBe('Success');
  });

  it("http_status with delay 'after': really approved, but the client sees a 5xx", async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', http_status: 502, delay: 'after', delay_ms: 10 });
    const res = await approve(paymentId, 'k');
    expect(res.status).toBe(502);
    expect((await approve(paymentId, 'k')).status).toBe(409);
    expect((await approve(paymentId, 'k2')).body.code).toBe('AlreadyComplete');
    expect((await stats()).approvals_by_merchant_pay_key).toEqual({ pay_order_1: 1 });
  });

  it('§7 maintenance: MaintenanceOngoing (200) or HTTP 503', async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', code: 'MaintenanceOngoing', count: 1 });
    await script({ operation: 'approve', http_status: 503 });
    expect((await approve(paymentId)).body).toMatchObject({ code: 'MaintenanceOngoing', body: null });
    const unavailable = await approve(paymentId);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.code).toBe('MaintenanceOngoing');
    expect((await approve(paymentId)).body.code).toBe('Success');
  });

  it('matches scripts on merchantPayKey and honours count', async () => {
    const a = await authorizedPayment({ merchantPayKey: 'pay_a' });
    const b = await authorizedPayment({ merchantPayKey: 'pay_b' });
    await script({ operation: 'approve', code: 'Fail', message: '카드사 거절', match: { merchantPayKey: 'pay_b' }, count: 2 });
    expect((await approve(a)).body.code).toBe('Success');
    expect((await approve(b)).body).toMatchObject({ code: 'Fail', message: '카드사 거절' });
  });

  it('DELETE /__sandbox/script clears the queue', async () => {
    const paymentId = await authorizedPayment();
    await script({ operation: 'approve', code: 'Fail' });
    await app.inject({ method: 'DELETE', url: '/__sandbox/script' });
    expect((await approve(paymentId)).body.code).toBe('Success');
  });

  it('validates script bodies', async () => {
    const res = await app.inject({ method: 'POST', url: '/__sandbox/script', payload: { operation: 'nope' } });
    expect(res.statusCode).toBe(400);
  });

  it('scripts reserve and history failures', async () => {
    await script({ operation: 'reserve', code: 'Fail', message: 'x' });
    expect((await call('v2/reserve', { json: ORDER })).body).toMatchObject({ code: 'Fail', body: null });
    await script({ operation: 'history', code: 'MaintenanceOngoing' });
    expect((await call('v2.2/list/history', { json: { paymentId: 'x' } })).body.code).toBe('MaintenanceOngoing');
  });
});

describe('cancel (§3.6, §6.7)', () => {
  it('full cancel → 03, totalRestAmount 0; again → AlreadyCanceled', async () => {
    const paymentId = await approvedPayment();
    const res = await call('v1/cancel', { form: cancelForm(paymentId, 29000) });
    expect(res.body.code).toBe('Success');
    expect(res.body.body).toMatchObject({
      paymentId,
      primaryPayMeans: 'CARD',
      primaryPayCancelAmount: 29000,
      primaryPayRestAmount: 0,
      npointCancelAmount: 0,
      npointRestAmount: 0,
      taxScopeAmount: 29000,
      taxExScopeAmount: 0,
      taxScopeRestAmount: 0,
      taxExScopeRestAmount: 0,
      cancelYmdt: '20260115120405',
      totalRestAmount: 0,
    });
    expect(res.body.body.payHistId).toMatch(PAYMENT_ID);
    const again = await call('v1/cancel', { form: cancelForm(paymentId, 1000) });
    expect(again.body).toMatchObject({ code: 'AlreadyCanceled', body: null });
    const history = await call('v2.2/list/history', { json: { paymentId } });
    expect(history.body.body.list.map((r: any) => r.admissionTypeCode)).toEqual(['03', '01']);
  });

  it('§7 partial cancels: 04 rows, over-cancel → OverRemainAmount, the emptying part is still 04', async () => {
    const paymentId = await approvedPayment();
    now += 1000;
    const first = await call('v1/cancel', { form: cancelForm(paymentId, 10000, { merchantPayTransactionKey: 'ref_1' }) });
    expect(first.body.body).toMatchObject({ totalRestAmount: 19000, primaryPayRestAmount: 19000, taxScopeRestAmount: 19000 });
    const over = await call('v1/cancel', { form: cancelForm(paymentId, 20000) });
    expect(over.body).toMatchObject({ code: 'OverRemainAmount', body: null });
    now += 1000;
    const last = await call('v1/cancel', { form: cancelForm(paymentId, 19000, { merchantPayTransactionKey: 'ref_2' }) });
    expect(last.body.body.totalRestAmount).toBe(0);
    const history = await call('v2.2/list/history', { json: { paymentId } });
    const list = history.body.body.list;
    expect(list.map((r: any) => [r.admissionTypeCode, r.totalPayAmount, r.merchantPayTransactionKey])).toEqual([
      ['04', 19000, 'ref_2'],
      ['04', 10000, 'ref_1'],
      ['01', 29000, undefined],
    ]);
    expect(list[0].payHistId).toBe(last.body.body.payHistId);
    expect((await stats()).cancels_by_payment_id).toEqual({ [paymentId]: 2 });
  });

  it('§7 tax split ≠ cancel amount → TaxScopeAmountError', async () => {
    const paymentId = await approvedPayment();
    const res = await call('v1/cancel', { form: cancelForm(paymentId, 1000, { taxScopeAmount: 900, taxExScopeAmount: 0 }) });
    expect(res.body.code).toBe('TaxScopeAmountError');
  });

  it('§7 tax bucket > remaining bucket → TaxScopeAmtGreaterThanRemainError', async () => {
    const paymentId = await approvedPayment({ taxScopeAmount: 20000, taxExScopeAmount: 9000 });
    const res = await call('v1/cancel', { form: cancelForm(paymentId, 10000, { taxScopeAmount: 0, taxExScopeAmount: 10000 }) });
    expect(res.body.code).toBe('TaxScopeAmtGreaterThanRemainError');
    const ok = await call('v1/cancel', { form: cancelForm(paymentId, 10000, { taxScopeAmount: 1000, taxExScopeAmount: 9000 }) });
    expect(ok.body.body).toMatchObject({ taxScopeRestAmount: 19000, taxExScopeRestAmount: 0, totalRestAmount: 19000 });
  });

  it('§7 wrong expectedRestAmount → RestAmountDiff only with doCompareRest=1', async () => {
    const paymentId = await approvedPayment();
    const wrong = await call('v1/cancel', { form: cancelForm(paymentId, 1000, { doCompareRest: 1, expectedRestAmount: 5 }) });
    expect(wrong.body.code).toBe('RestAmountDiff');
    const ignored = await call('v1/cancel', { form: cancelForm(paymentId, 1000, { doCompareRest: 0, expectedRestAmount: 5 }) });
    expect(ignored.body.code).toBe('Success');
    const right = await call('v1/cancel', { form: cancelForm(paymentId, 1000, { doCompareRest: 1, expectedRestAmount: 27000 }) });
    expect(right.body.body.totalRestAmount).toBe(27000);
  });

  it('§7 cancel unknown or never-approved paymentId → InvalidPaymentId', async () => {
    expect((await call('v1/cancel', { form: cancelForm('20260115NP0000000001', 1000) })).body.code).toBe('InvalidPaymentId');
    const authorizedOnly = await authorizedPayment();
    expect((await call('v1/cancel', { form: cancelForm(authorizedOnly, 1000) })).body.code).toBe('InvalidPaymentId');
  });

  it('requires the documented fields', async () => {
    const paymentId = await approvedPayment();
    const { cancelReason: _r, ...noReason } = cancelForm(paymentId, 1000);
    expect((await call('v1/cancel', { form: noReason })).body.code).toBe('RequireParameter');
    expect((await call('v1/cancel', { form: cancelForm(paymentId, 1000, { cancelRequester: 3 }) })).body.code).toBe('InvalidParameter');
  });

  it('§7 next partial before the previous is reflected → PreCancelNotComplete', async () => {
    await app.close();
    build({ cancelPendingMs: 5000 });
    const paymentId = await approvedPayment();
    expect((await call('v1/cancel', { form: cancelForm(paymentId, 1000) })).body.code).toBe('Success');
    const history = await call('v2.2/list/history', { json: { paymentId } });
    expect(history.body.body.list).toHaveLength(1);
    expect((await call('v1/cancel', { form: cancelForm(paymentId, 1000) })).body.code).toBe('PreCancelNotComplete');
    now += 5000;
    expect((await call('v1/cancel', { form: cancelForm(paymentId, 1000) })).body.code).toBe('Success');
  });

  it('§7 cancel too late → CancelDeadlineExpired (with cancelDeadlineMs)', async () => {
    await app.close();
    build({ cancelDeadlineMs: 60_000 });
    const paymentId = await approvedPayment();
    now += 61_000;
    expect((await call('v1/cancel', { form: cancelForm(paymentId, 1000) })).body.code).toBe('CancelDeadlineExpired');
  });

  it('§7 CancelNotComplete: accepted with empty payHistId, completes later', async () => {
    await app.close();
    build({ cancelPendingMs: 2000 });
    const paymentId = await approvedPayment();
    await script({ operation: 'cancel', code: 'CancelNotComplete' });
    const res = await call('v1/cancel', { form: cancelForm(paymentId, 29000) });
    expect(res.body.code).toBe('CancelNotComplete');
    expect(res.body.body).toMatchObject({ payHistId: '', totalRestAmount: 0 });
    now += 2000;
    const history = await call('v2.2/list/history', { json: { paymentId, approvalType: 'CANCEL' } });
    expect(history.body.body.list).toHaveLength(1);
  });

  it('§7 timeout on cancel: same key → 409 replay; new key → a second refund', async () => {
    const paymentId = await approvedPayment();
    await script({ operation: 'cancel', delay: 'after', delay_ms: 20 });
    const first = await call('v1/cancel', { form: cancelForm(paymentId, 1000), key: 'cancel-ref_1-1' });
    expect(first.body.code).toBe('Success');
    const sameKey = await call('v1/cancel', { form: cancelForm(paymentId, 1000), key: 'cancel-ref_1-1' });
    expect(sameKey.status).toBe(409);
    const newKey = await call('v1/cancel', { form: cancelForm(paymentId, 1000), key: 'cancel-ref_1-2' });
    expect(newKey.body.body.totalRestAmount).toBe(27000);
    expect((await stats()).cancels_by_payment_id).toEqual({ [paymentId]: 2 });
  });
});

describe('history (§3.7, §6.8)', () => {
  it('form B pages rows of one payment, newest first', async () => {
    const paymentId = await approvedPayment();
    for (let i = 0; i < 3; i += 1) {
      now += 1000;
      await call('v1/cancel', { form: cancelForm(paymentId, 1000) });
    }
    const page1 = await call(`v2.2/list/history/${paymentId}`, { json: { pageNumber: 1, rowsPerPage: 3 } });
    expect(page1.body.body).toMatchObject({ totalCount: 4, responseCount: 3, totalPageCount: 2, currentPageNumber: 1 });
    const page2 = await call(`v2.2/list/history/${paymentId}`, { json: { pageNumber: 2, rowsPerPage: 3 } });
    expect(page2.body.body.list.map((r: any) => r.admissionTypeCode)).toEqual(['01']);
    const approvals = await call(`v2.2/list/history/${paymentId}`, { json: { approvalType: 'APPROVAL' } });
    expect(approvals.body.body.totalCount).toBe(1);
    const getAlias = await call(`v2.3/list/history/${paymentId}`, { method: 'GET' });
    expect(getAlias.body.body.totalCount).toBe(4);
  });

  it('rows follow the spec sample shape, including settleInfo', async () => {
    const paymentId = await approvedPayment();
    const res = await call('v2.2/list/history', { json: { paymentId } });
    const row = res.body.body.list[0];
    for (const key of [
      'paymentId', 'payHistId', 'merchantId', 'merchantName', 'merchantPayKey', 'merchantUserKey', 'admissionTypeCode',
      'admissionYmdt', 'tradeConfirmYmdt', 'admissionState', 'totalPayAmount', 'applyPayAmount', 'primaryPayAmount',
      'npointPayAmount', 'giftCardPayAmount', 'discountPayAmount', 'taxScopeAmount', 'taxExScopeAmount',
      'environmentDepositAmount', 'primaryPayMeans', 'cardCorpCode', 'cardNo', 'cardAuthNo', 'cardInstCount',
      'usedCardPoint', 'bankCorpCode', 'bankAccountNo', 'productName', 'extraDeduction', 'useCfmYmdt', 'settleInfo',
    ]) {
      expect(row, key).toHaveProperty(key);
    }
    expect(row.settleInfo).toMatchObject({ totalSettleAmount: expect.any(Number), settleCreated: true });
  });

  it('queries a time range (≤31 days) across payments', async () => {
    const a = await approvedPayment({ merchantPayKey: 'a' });
    now += 24 * 60 * 60_000;
    const b = await approvedPayment({ merchantPayKey: 'b' });
    const res = await call('v2.2/list/history', {
      json: { startTime: '20260115000000', endTime: '20260116235959', rowsPerPage: 10 },
    });
    expect(res.body.body.list.map((r: any) => r.paymentId)).toEqual([b, a]);
    const onlyFirstDay = await call('v2.2/list/history', { json: { startTime: '20260115000000', endTime: '20260115235959' } });
    expect(onlyFirstDay.body.body.list.map((r: any) => r.paymentId)).toEqual([a]);
    const tooLong = await call('v2.2/list/history', { json: { startTime: '20260101000000', endTime: '20260215000000' } });
    expect(tooLong.body.code).toBe('RequireCondition');
    expect((await call('v2.2/list/history', { json: {} })).body.code).toBe('RequireParameter');
    expect((await call('v2.2/list/history', { json: { paymentId: a, rowsPerPage: 500 } })).body.code).toBe('Success');
    expect((await call(`v2.2/list/history/${a}`, { json: { rowsPerPage: 500 } })).body.code).toBe('InvalidParameter');
  });

  it('an unknown paymentId gives Success with an empty list', async () => {
    const res = await call('v2.2/list/history', { json: { paymentId: '20260115NP9999999999' } });
    expect(res.body).toMatchObject({ code: 'Success', body: { totalCount: 0, list: [] } });
  });
});

describe('control surface', () => {
  it('moves the clock and reports stats', async () => {
    const before = (await app.inject({ method: 'GET', url: '/__sandbox/clock' })).json().now;
    expect(before).toBe(T0);
    await app.inject({ method: 'POST', url: '/__sandbox/clock', payload: { advance_ms: 5000 } });
    expect((await app.inject({ method: 'GET', url: '/__sandbox/clock' })).json().now).toBe(T0 + 5000);
    const paymentId = await approvedPayment();
    await call('v1/cancel', { form: cancelForm(paymentId, 1000) });
    expect(await stats()).toMatchObject({
      reserve: 1,
      authorize: 1,
      approve: 1,
      cancel: 1,
      approvals_by_merchant_pay_key: { pay_order_1: 1 },
      charges_by_recurrent_id: {},
    });
  });

  it('dumps a raw payment and resets everything', async () => {
    const paymentId = await approvedPayment();
    const raw = await app.inject({ method: 'GET', url: `/__sandbox/payments/${paymentId}` });
    expect(raw.json()).toMatchObject({ paymentId, state: 'APPROVED', totalPayAmount: 29000 });
    await app.inject({ method: 'POST', url: '/__sandbox/reset' });
    expect((await app.inject({ method: 'GET', url: `/__sandbox/payments/${paymentId}` })).statusCode).toBe(404);
    expect((await stats()).approve).toBe(0);
  });
});
