import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { buildNaverPaySandbox } from '../../src/simulators/naverpay/naverpay-sandbox-app.ts';

// GET /__sandbox/ledger: what the chaos run's audit (chaos/audit.ts) compares with our ledger.

let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

describe('KakaoPay GET /__sandbox/ledger', () => {
  const post = (path: string, body: object) =>
    app.inject({
      method: 'POST',
      url: `/online/v1/payment/${path}`,
      headers: { authorization: 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET', 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it('lists approved tids with their order key and cancelled amount; unapproved ones are left out', async () => {
    app = buildKakaoPaySandbox();
    const order = { cid: 'TC0ONETIME', partner_user_id: 'usr_1', item_name: '구독', quantity: 1, total_amount: 29000, tax_free_amount: 0 };
    const urls = { approval_url: 'https://shop.test/a', cancel_url: 'https://shop.test/c', fail_url: 'https://shop.test/f' };
    const paid = (await post('ready', { ...order, ...urls, partner_order_id: 'pay_a' })).json().tid;
    await post('ready', { ...order, ...urls, partner_order_id: 'pay_open' });
    const auth = (await app.inject({ method: 'POST', url: `/__sandbox/tids/${paid}/authorize`, payload: {} })).json();
    expect((await post('approve', { cid: 'TC0ONETIME', tid: paid, partner_order_id: 'pay_a', partner_user_id: 'usr_1', pg_token: auth.pg_token })).statusCode).toBe(200);
    expect((await post('cancel', { cid: 'TC0ONETIME', tid: paid, cancel_amount: 1000, cancel_tax_free_amount: 0 })).statusCode).toBe(200);

    const ledger = (await app.inject({ method: 'GET', url: '/__sandbox/ledger' })).json();
    expect(ledger.entries).toEqual([
      { tid: paid, kind: 'single', partner_order_id: 'pay_a', partner_user_id: 'usr_1', sid: null, status: 'PART_CANCEL_PAYMENT', approved_krw: 29000, canceled_krw: 1000 },
    ]);
  });
});

describe('NaverPay GET /__sandbox/ledger', () => {
  const headers = { 'x-naver-client-id': 'sandbox-client-id', 'x-naver-client-secret': 'sandbox-client-secret', 'x-naverpay-chain-id': 'sandbox-chain-id' };
  const P = '/naverpay-partner/naverpay/payments';
  const form = (path: string, fields: Record<string, string | number>) =>
    app.inject({
      method: 'POST',
      url: `${P}/${path}`,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
    });

  it('lists approved payments with their merchantPayKey and cancelled amount', async () => {
    app = buildNaverPaySandbox();
    const reserve = async (merchantPayKey: string) =>
      (
        await app.inject({
          method: 'POST',
          url: `${P}/v2/reserve`,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({
            modelVersion: '2',
            merchantUserKey: 'usr_1',
            merchantPayKey,
            productName: '스탠다드',
            productCount: 1,
            totalPayAmount: 29000,
            taxScopeAmount: 29000,
            taxExScopeAmount: 0,
            returnUrl: 'https://shop.example/return',
            productItems: [{ categoryType: 'ETC', categoryId: 'ETC', uid: 'standard', name: '스탠다드', count: 1 }],
          }),
        })
      ).json().body.reserveId as string;
    const authorize = async (reserveId: string) =>
      (await app.inject({ method: 'POST', url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`, payload: { action: 'approve' } })).json().paymentId as string;
    const paid = await authorize(await reserve('pay_a'));
    await authorize(await reserve('pay_authorized_only'));
    expect((await form('v2.2/apply/payment', { paymentId: paid })).json().code).toBe('Success');
    const cancel = await form('v1/cancel', { paymentId: paid, cancelAmount: 4000, taxScopeAmount: 4000, taxExScopeAmount: 0, cancelReason: '환불', cancelRequester: 2 });
    expect(cancel.json().code).toBe('Success');

    const ledger = (await app.inject({ method: 'GET', url: '/__sandbox/ledger' })).json();
    expect(ledger.entries).toEqual([
      { paymentId: paid, kind: 'onetime', merchantPayKey: 'pay_a', merchantUserKey: 'usr_1', recurrentId: null, state: 'APPROVED', approved_krw: 29000, canceled_krw: 4000 },
    ]);
  });
});
