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
  'x-naverpay-chain-id': 'sandbox-recurrent-chain-id',
};
const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);

let app: FastifyInstance;
let now = T0;

function build(options: NaverPaySandboxOptions = {}) {
  app = buildNaverPaySandbox({ now: () => now, ...options });
}

beforeEach(() => {
  now = T0;
  build();
});

afterEach(async () => {
  await app.close();
});

async function form(path: string, fields: Record<string, string | number>, key?: string) {
  const headers: Record<string, string> = { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' };
  if (key) headers['x-naverpay-idempotency-key'] = key;
  const res = await app.inject({
    method: 'POST',
    url: `${P}/${path}`,
    headers,
    payload: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
  });
  return { status: res.statusCode, body: res.json() as { code: string; message: string; body: any } };
}

async function json(path: string, body: unknown) {
  const res = await app.inject({ method: 'POST', url: `${P}/${path}`, headers: AUTH, payload: body as object });
  return res.json() as { code: string; body: any };
}

const REGISTRATION = {
  actionType: 'NEW',
  productCode: 'premium-monthly',
  productName: '프리미엄 정기결제',
  totalPayAmount: 9900,
  returnUrl: 'https://shop.example/recurrent/return',
};

/** Registration reserve → hosted page approve → return URL → regist approval → recurrentId. */
async function register(fields: Record<string, string | number> = {}): Promise<string> {
  const reserved = await form('recurrent/regist/v1/reserve', { ...REGISTRATION, ...fields });
  expect(reserved.body.code).toBe('Success');
  const reserveId: string = reserved.body.body.reserveId;
  const page = await app.inject({ method: 'GET', url: `/payments/recurrent/${encodeURIComponent(reserveId)}` });
  expect(page.body).toContain('등록하기');
  const pressed = await app.inject({
    method: 'POST',
    url: `/payments/recurrent/${encodeURIComponent(reserveId)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'action=approve',
  });
  expect(pressed.statusCode).toBe(302);
  const back = new URL(pressed.headers.location as string);
  expect(back.searchParams.get('resultCode')).toBe('Success');
  expect(back.searchParams.get('reserveId')).toBe(reserveId);
  const tempReceiptId = back.searchParams.get('tempReceiptId')!;
  expect(tempReceiptId).toMatch(/^\d{8}TP\d{10}[A-Za-z]{6}$/);
  const approved = await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId });
  expect(approved.body.code).toBe('Success');
  expect(approved.body.body).toMatchObject({ reserveId, tempReceiptId, actionType: fields.actionType ?? 'NEW' });
  // The documented response shape always carries preRecurrentId (issue 12).
  expect(approved.body.body).toHaveProperty('preRecurrentId', fields.actionType === 'CHANGE' ? fields.targetRecurrentId : null);
  return approved.body.body.recurrentId;
}

async function charge(recurrentId: string, extra: Record<string, string | number> = {}) {
  const reserved = await form('recurrent/pay/v3/reserve', {
    recurrentId,
    totalPayAmount: 9900,
    taxScopeAmount: 9900,
    taxExScopeAmount: 0,
    productName: '프리미엄 1월',
    merchantPayId: 'pay_cycle_1',
    merchantUserId: 'user-1',
    ...extra,
  });
  if (reserved.body.code !== 'Success') return reserved;
  return form('recurrent/pay/v3/approval', { recurrentId, paymentId: reserved.body.body.paymentId });
}

describe('recurrent (§3.8, §6.9)', () => {
  it('registration → charge → cancel → expire → charge refused', async () => {
    const recurrentId = await register();
    // Ids contain +, / and =; they survived form encoding both ways.
    expect(recurrentId).toMatch(/^\d{8}[A-Za-z0-9+/]{38}==$/);
    expect(recurrentId).toMatch(/\+/);
    expect(recurrentId).toMatch(/\//);

    const charged = await charge(recurrentId);
    expect(charged.body.code).toBe('Success');
    const { paymentId, detail } = charged.body.body;
    expect(charged.body.body.recurrentId).toBe(recurrentId);
    expect(paymentId).toMatch(/^\d{8}NP\d{10}$/);
    expect(detail).toMatchObject({
      paymentId,
      totalPayAmount: 9900,
      merchantPayKey: 'pay_cycle_1',
      merchantUserKey: 'user-1',
      admissionTypeCode: '01',
      admissionState: 'SUCCESS',
    });

    const cancelled = await form('v1/cancel', {
      paymentId,
      cancelAmount: 9900,
      cancelReason: '해지 환불',
      cancelRequester: 2,
      taxScopeAmount: 9900,
      taxExScopeAmount: 0,
    });
    expect(cancelled.body.body.totalRestAmount).toBe(0);
    const history = await json('v2.2/list/history', { paymentId });
    expect(history.body.list.map((r: any) => r.admissionTypeCode)).toEqual(['03', '01']);

    const expired = await form('recurrent/expire/v1/request', { recurrentId, expireRequester: 2, expireReason: '사용자 해지' });
    expect(expired.body).toMatchObject({ code: 'Success', body: { recurrentId } });
    expect((await form('recurrent/expire/v1/request', { recurrentId })).body.code).toBe('Fail');

    const refused = await charge(recurrentId, { merchantPayId: 'pay_cycle_2' });
    expect(refused.body).toMatchObject({ code: 'Fail', body: null });
    expect(refused.body.message).toContain('expired');

    const stats = (await app.inject({ method: 'GET', url: '/__sandbox/stats' })).json();
    expect(stats).toMatchObject({
      recurrent_reserve: 1,
      recurrent_approve: 1,
      recurrent_pay_reserve: 1,
      recurrent_pay_approve: 1,
      recurrent_expire: 1,
      cancel: 1,
      charges_by_recurrent_id: { [recurrentId]: 1 },
      approvals_by_merchant_pay_key: { pay_cycle_1: 1 },
    });
  });

  it('§7 charge on an unknown recurrentId → non-Success (configurable code)', async () => {
    expect((await charge('20260115unknown+/==')).body.code).toBe('Fail');
    await app.close();
    build({ invalidRecurrentCode: 'InvalidRecurrentId' });
    expect((await charge('20260115unknown+/==')).body.code).toBe('InvalidRecurrentId');
  });

  it('an expiry between pay reserve and pay approval refuses the approval', async () => {
    const recurrentId = await register();
    const reserved = await form('recurrent/pay/v3/reserve', {
      recurrentId, totalPayAmount: 9900, taxScopeAmount: 9900, taxExScopeAmount: 0, productName: 'x', merchantPayId: 'p1',
    });
    await form('recurrent/expire/v1/request', { recurrentId });
    const res = await form('recurrent/pay/v3/approval', { recurrentId, paymentId: reserved.body.body.paymentId });
    expect(res.body.code).toBe('Fail');
  });

  it('accepts merchantPayKey/merchantUserKey as aliases and query-string fields', async () => {
    const recurrentId = await register();
    const res = await charge(recurrentId, { merchantPayId: '', merchantPayKey: 'pay_alias' });
    expect(res.body.body.detail.merchantPayKey).toBe('pay_alias');
    const expired = await app.inject({
      method: 'POST',
      url: `${P}/recurrent/expire/v1/request?${new URLSearchParams({ recurrentId })}`,
      headers: AUTH,
    });
    expect(expired.json().code).toBe('Success');
  });

  it('an unencoded + in a form field is read as a space, so the id is not found', async () => {
    const recurrentId = await register();
    const res = await app.inject({
      method: 'POST',
      url: `${P}/recurrent/expire/v1/request`,
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `recurrentId=${recurrentId}`,
    });
    expect(res.json().code).toBe('Fail');
  });

  it('the charge approve follows the one-time rules: window, duplicates, scripted failures', async () => {
    const recurrentId = await register();
    const reserve = (key: string) =>
      form('recurrent/pay/v3/reserve', {
        recurrentId, totalPayAmount: 9900, taxScopeAmount: 9900, taxExScopeAmount: 0, productName: 'x', merchantPayId: key,
      });
    const late = (await reserve('late')).body.body.paymentId;
    now += 11 * 60_000;
    expect((await form('recurrent/pay/v3/approval', { recurrentId, paymentId: late })).body.code).toBe('TimeExpired');

    const twice = (await reserve('twice')).body.body.paymentId;
    expect((await form('recurrent/pay/v3/approval', { recurrentId, paymentId: twice }, 'a')).body.code).toBe('Success');
    expect((await form('recurrent/pay/v3/approval', { recurrentId, paymentId: twice }, 'a')).status).toBe(409);
    expect((await form('recurrent/pay/v3/approval', { recurrentId, paymentId: twice })).body.code).toBe('AlreadyComplete');

    await app.inject({
      method: 'POST',
      url: '/__sandbox/script',
      payload: { operation: 'recurrent_pay_approve', code: 'NotEnoughAccountBalance', match: { recurrentId } },
    });
    const declined = (await reserve('declined')).body.body.paymentId;
    expect((await form('recurrent/pay/v3/approval', { recurrentId, paymentId: declined })).body.code).toBe('NotEnoughAccountBalance');

    const magic = await charge(recurrentId, { totalPayAmount: 4001, taxScopeAmount: 4001, merchantPayId: 'magic' });
    expect(magic.body.code).toBe('NotEnoughAccountBalance');

    const stats = (await app.inject({ method: 'GET', url: '/__sandbox/stats' })).json();
    expect(stats.charges_by_recurrent_id).toEqual({ [recurrentId]: 1 });
  });

  it("a charge delayed 'after' is committed: the retry with the same key replays it", async () => {
    const recurrentId = await register();
    await app.inject({
      method: 'POST',
      url: '/__sandbox/script',
      payload: { operation: 'recurrent_pay_approve', delay: 'after', delay_ms: 200 },
    });
    const reserved = await form('recurrent/pay/v3/reserve', {
      recurrentId, totalPayAmount: 9900, taxScopeAmount: 9900, taxExScopeAmount: 0, productName: 'x', merchantPayId: 'slow',
    });
    const paymentId = reserved.body.body.paymentId;
    const slow = form('recurrent/pay/v3/approval', { recurrentId, paymentId }, 'renew-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retry = await form('recurrent/pay/v3/approval', { recurrentId, paymentId }, 'renew-1');
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('Success');
    expect((await slow).body.code).toBe('Success');
    const stats = (await app.inject({ method: 'GET', url: '/__sandbox/stats' })).json();
    expect(stats.charges_by_recurrent_id).toEqual({ [recurrentId]: 1 });
  });

  it('regist approval is single-use; the same key replays it', async () => {
    const reserved = await form('recurrent/regist/v1/reserve', REGISTRATION);
    const reserveId = reserved.body.body.reserveId;
    const auth = (
      await app.inject({ method: 'POST', url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, payload: {} })
    ).json();
    expect(auth.tempReceiptId).toEqual(expect.any(String));
    const first = await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId: auth.tempReceiptId }, 'reg-1');
    expect(first.body.code).toBe('Success');
    const replay = await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId: auth.tempReceiptId }, 'reg-1');
    expect(replay.status).toBe(409);
    expect(replay.body).toEqual(first.body);
    expect((await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId: auth.tempReceiptId })).body.code).toBe('Fail');
    expect((await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId: 'wrong' })).body.code).toBe('Fail');
  });

  it('registration page cancel → resultCode=Fail&resultMessage=userCancel&reserveId', async () => {
    const reserved = await form('recurrent/regist/v1/reserve', REGISTRATION);
    const reserveId = reserved.body.body.reserveId;
    const res = await app.inject({
      method: 'POST',
      url: `/payments/recurrent/${encodeURIComponent(reserveId)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'action=cancel',
    });
    const url = new URL(res.headers.location as string);
    expect(url.searchParams.get('resultCode')).toBe('Fail');
    expect(url.searchParams.get('resultMessage')).toBe('userCancel');
    expect(url.searchParams.get('reserveId')).toBe(reserveId);
  });

  it('§7 CHANGE issues a new recurrentId, expires the old one and returns preRecurrentId', async () => {
    const oldId = await register();
    const newId = await register({ actionType: 'CHANGE', targetRecurrentId: oldId });
    expect(newId).not.toBe(oldId);
    const list = await json('recurrent/v1/list', { recurrentId: oldId });
    expect(list.body.list[0]).toMatchObject({ recurrentId: oldId, recurrentState: 'EXPIRED', expireYmdt: expect.stringMatching(/^\d{14}$/) });
    expect((await charge(oldId)).body.code).toBe('Fail');
    expect((await charge(newId)).body.code).toBe('Success');
    const reg = (await app.inject({ method: 'GET', url: `/__sandbox/recurrents/${encodeURIComponent(newId)}` })).json();
    expect(reg.preRecurrentId).toBe(oldId);
  });

  it('a second NEW registration of the same user and productCode fails', async () => {
    await register({ merchantUserKey: 'user-7' });
    const reserved = await form('recurrent/regist/v1/reserve', { ...REGISTRATION, merchantUserKey: 'user-7' });
    const reserveId = reserved.body.body.reserveId;
    const auth = (
      await app.inject({ method: 'POST', url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, payload: {} })
    ).json();
    const dup = await form('recurrent/regist/v1/approval', { reserveId, tempReceiptId: auth.tempReceiptId });
    expect(dup.body.code).toBe('Fail');
    await register({ merchantUserKey: 'user-8' });
  });

  it('recurrent/v1/list filters by state and range, and pages', async () => {
    const a = await register();
    now += 1000;
    const b = await register();
    await form('recurrent/expire/v1/request', { recurrentId: a });
    const all = await json('recurrent/v1/list', { startTime: '20260115000000', endTime: '20260115235959' });
    expect(all.body).toMatchObject({ totalCount: 2, responseCount: 2, currentPageNumber: 1 });
    expect(all.body.list.map((r: any) => r.recurrentId)).toEqual([b, a]);
    const row = all.body.list[0];
    for (const key of ['productCode', 'naverPointUse', 'primaryPayMeans', 'primaryPayMeansCorpCd', 'primaryPayMeansNo', 'registYmdt', 'expireYmdt']) {
      expect(row).toHaveProperty(key);
    }
    const valid = await json('recurrent/v1/list', { startTime: '20260115000000', endTime: '20260115235959', state: 'VALID' });
    expect(valid.body.list.map((r: any) => r.recurrentId)).toEqual([b]);
    const paged = await json('recurrent/list', { startTime: '20260115000000', endTime: '20260115235959', rowsPerPage: 1, pageNumber: 2 });
    expect(paged.body).toMatchObject({ totalCount: 2, responseCount: 1, totalPageCount: 2 });
    expect((await json('recurrent/v1/list', { startTime: '20260115000000', endTime: '20260115235959', pageNumber: 0 })).code).toBe('InvalidParameter');
  });

  it('recurrent/v1/list ignores paging when recurrentId is given (pageNumber 0 still gets the row; issue 12)', async () => {
    const a = await register();
    const res = await json('recurrent/v1/list', { recurrentId: a, pageNumber: 0, rowsPerPage: 0 });
    expect(res).toMatchObject({ code: 'Success', body: { totalCount: 1, currentPageNumber: 1 } });
    expect(res.body.list[0].recurrentId).toBe(a);
  });

  it('headless SDK registration via /__sandbox/sdk/authorize', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/__sandbox/sdk/authorize',
      payload: {
        clientId: 'sandbox-client-id',
        chainId: 'sandbox-recurrent-chain-id',
        mode: 'development',
        payType: 'recurrent',
        ...REGISTRATION,
      },
    });
    const out = res.json();
    expect(out.redirect_url).toContain('resultCode=Success&reserveId=');
    const approved = await form('recurrent/regist/v1/approval', { reserveId: out.reserveId, tempReceiptId: out.tempReceiptId });
    expect(approved.body.code).toBe('Success');
    expect((await charge(approved.body.body.recurrentId)).body.code).toBe('Success');
  });
});
