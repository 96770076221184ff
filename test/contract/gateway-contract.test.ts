import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { krw, vatIncluded } from '../../src/domain/money.ts';
import type { PaymentGateway, PreparedCheckout } from '../../src/domain/ports.ts';
import { ProviderDeclinedError, ProviderUnavailableError } from '../../src/domain/errors.ts';
import { createKakaoPayGateway } from '../../src/providers/kakaopay/index.ts';
import { createNaverPayGateway } from '../../src/providers/naverpay/index.ts';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';

/**
 * One suite, looped over both providers, through the PaymentGateway interface
 * against each provider's sandbox over real HTTP. Only `authorize` (what the
 * user does on the provider's page) and the sandbox scripts differ.
 */
interface Driver {
  id: string;
  url: string;
  gateway(opts?: { timeoutMs?: number }): PaymentGateway;
  /** Acts on the provider's page; returns the query our return URL receives. */
  authorize(c: PreparedCheckout, action: 'approve' | 'cancel' | 'fail'): Promise<Record<string, string>>;
  scriptDecline(): Promise<void>;
  scriptSlowApprove(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function post(url: string, body: unknown) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

function queryOf(redirectUrl: string): Record<string, string> {
  return Object.fromEntries(new URL(redirectUrl).searchParams);
}

async function kakaoDriver(): Promise<Driver> {
  const sb = await startKakaoPaySandbox({ port: 0 });
  return {
    id: 'kakaopay',
    url: sb.url,
    gateway: (o = {}) =>
      createKakaoPayGateway({
        baseUrl: sb.url,
        api: 'current',
        secretKey: 'DEV_SANDBOX_KAKAOPAY_SECRET',
        adminKey: 'sandbox-kakao-admin-key',
        cid: 'TC0ONETIME',
        subscriptionCid: 'TCSUBSCRIP',
        timeoutMs: o.timeoutMs ?? 5000,
        tidLifetimeMs: 15 * 60_000,
      }),
    async authorize(c, action) {
      const r = await post(`${sb.url}/__sandbox/tids/${c.providerRef}/authorize`, { action });
      const q = queryOf(r.redirect_url);
      // Our cancel/fail URLs carry `outcome`; KakaoPay adds nothing to them.
      return q;
    },
    scriptDecline: () => post(`${sb.url}/__sandbox/script`, { operation: 'approve', error_code: -780 }),
    scriptSlowApprove: (ms) => post(`${sb.url}/__sandbox/script`, { operation: 'approve', delay: 'after', delay_ms: ms }),
    close: sb.close,
  };
}

async function naverDriver(): Promise<Driver> {
  const sb = await startNaverPaySandbox({ port: 0 });
  const base = {
    partnerId: 'naverpay-partner',
    clientId: 'sandbox-client-id',
    clientSecret: 'sandbox-client-secret',
    chainId: 'sandbox-chain-id',
    recurrentChainId: 'sandbox-recurrent-chain-id',
    mode: 'development' as const,
    productCode: 'contract',
  };
  return {
    id: 'naverpay',
    url: sb.url,
    gateway: (o = {}) =>
      createNaverPayGateway({
        ...base,
        baseUrl: sb.url,
        sdkUrl: `${sb.url}/sdk/js/naverpay.min.js`,
        pageBaseUrl: sb.url,
        mobilePageBaseUrl: sb.url,
        checkoutFlow: 'sdk',
        timeoutMs: o.timeoutMs ?? 5000,
        approveTimeoutMs: o.timeoutMs ?? 5000,
        maxRetries: o.timeoutMs ? 0 : 2,
      }),
    async authorize(c, action) {
      const launch = c.clientLaunch as { create: object; open: object } | null;
      const r = launch
        ? await post(`${sb.url}/__sandbox/sdk/authorize`, { ...launch.create, ...launch.open, action })
        : await post(`${sb.url}/__sandbox/reserves/${encodeURIComponent(c.providerRef!)}/authorize`, { action });
      return queryOf(r.redirect_url);
    },
    scriptDecline: () => post(`${sb.url}/__sandbox/script`, { operation: 'approve', code: 'NotEnoughAccountBalance', message: '잔액 부족' }),
    scriptSlowApprove: (ms) => post(`${sb.url}/__sandbox/script`, { operation: 'approve', delay: 'after', delay_ms: ms }),
    close: sb.close,
  };
}

let n = 0;
function checkoutInput(amount = 29000) {
  const paymentId = `pay_contract_${Date.now()}_${++n}`;
  return {
    paymentId,
    userRef: `usr_contract_${n}`,
    itemName: 'ShowMeTheStock 스탠다드 (30일)',
    amountKrw: krw(amount),
    vatKrw: vatIncluded(krw(amount)),
    returnUrl: `http://127.0.0.1:1/api/payment/x/return?payment_id=${paymentId}`,
    cancelUrl: `http://127.0.0.1:1/api/payment/x/return?payment_id=${paymentId}&outcome=cancel`,
    failUrl: `http://127.0.0.1:1/api/payment/x/return?payment_id=${paymentId}&outcome=fail`,
    recurring: false,
    idempotencyKey: `checkout-${paymentId}`,
  };
}

describe.each([['kakaopay', kakaoDriver], ['naverpay', naverDriver]] as const)('gateway contract: %s', (_name, makeDriver) => {
  let d: Driver;
  let gw: PaymentGateway;
  beforeAll(async () => {
    d = await makeDriver();
    gw = d.gateway();
  });
  afterAll(async () => d?.close());
  beforeEach(async () => {
    await post(`${d.url}/__sandbox/reset`, {});
  });

  async function authorized(amount = 29000) {
    const input = checkoutInput(amount);
    const c = await gw.prepareCheckout(input);
    const ret = gw.parseReturn(await d.authorize(c, 'approve'));
    expect(ret.outcome).toBe('authorized');
    if (ret.outcome !== 'authorized') throw new Error('not authorized');
    const approve = {
      paymentId: input.paymentId,
      userRef: input.userRef,
      providerRef: ret.providerRef ?? c.providerRef!,
      approvalToken: ret.approvalToken,
      amountKrw: input.amountKrw,
      recurring: false,
      idempotencyKey: `approve-${input.paymentId}`,
    };
    return { input, approve };
  }

  it('approves a checkout the user authorized', async () => {
    const { approve } = await authorized();
    const r = await gw.approveCheckout(approve);
    expect(r.status).toBe('approved');
    expect(r.amountKrw).toBe(29000);
    expect(r.refundableKrw).toBe(29000);
    expect(r.occurredAt).toBeInstanceOf(Date);
    const looked = await gw.getPayment({ paymentId: approve.paymentId, providerRef: r.providerRef });
    expect([looked.status, looked.amountKrw]).toEqual(['approved', 29000]);
  });

  it('reports a user cancel on the provider page as canceled (or our cancel URL)', async () => {
    const input = checkoutInput();
    const c = await gw.prepareCheckout(input);
    const q = await d.authorize(c, 'cancel');
    // KakaoPay sends the browser to our cancel_url unchanged (our own `outcome=cancel`);
    // NaverPay appends resultCode/resultMessage=userCancel to the return URL.
    if (q.outcome) expect(q.outcome).toBe('cancel');
    else expect(gw.parseReturn(q).outcome).toBe('canceled');
  });

  it('turns a decline into ProviderDeclinedError', async () => {
    const { approve } = await authorized();
    await d.scriptDecline();
    const err = await gw.approveCheckout(approve).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderDeclinedError);
    expect(err.reason).toBe('declined');
    expect(err.retryable).toBe(false);
  });

  it('a duplicate approve is declined as already approved and charges once', async () => {
    const { approve } = await authorized();
    await gw.approveCheckout(approve);
    const err = await gw.approveCheckout({ ...approve, idempotencyKey: `${approve.idempotencyKey}-again` }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderDeclinedError);
    expect(err.reason).toBe('already_approved');
  });

  it('a timeout on approve is outcome-unknown, and the lookup settles it as approved', async () => {
    const { approve } = await authorized();
    await d.scriptSlowApprove(1200);
    const slow = d.gateway({ timeoutMs: 300 });
    const err = await slow.approveCheckout(approve).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(err.outcomeUnknown).toBe(true);
    await new Promise((r) => setTimeout(r, 1300));
    const looked = await gw.getPayment({ paymentId: approve.paymentId, providerRef: approve.providerRef });
    expect([looked.status, looked.amountKrw]).toEqual(['approved', 29000]);
  });

  it('refuses an approval whose amount differs from the checkout', async () => {
    const { approve } = await authorized();
    const err = await gw.approveCheckout({ ...approve, amountKrw: krw(100) }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderDeclinedError);
    expect(err.reason).toBe('amount_mismatch');
  });

  it('refunds partially, then the rest, and refuses a refund beyond what remains', async () => {
    const { approve } = await authorized(10000);
    const paid = await gw.approveCheckout({ ...approve, amountKrw: krw(10000) });
    const r1 = await gw.refund({
      paymentId: approve.paymentId,
      providerRef: paid.providerRef,
      amountKrw: krw(3000),
      vatKrw: krw(273),
      refundableBeforeKrw: krw(10000),
      reason: '부분 환불',
      idempotencyKey: 'refund-contract-1',
    });
    expect([r1.amountKrw, r1.remainingKrw]).toEqual([3000, 7000]);
    const over = await gw
      .refund({
        paymentId: approve.paymentId,
        providerRef: paid.providerRef,
        amountKrw: krw(8000),
        vatKrw: krw(727),
        refundableBeforeKrw: krw(7000),
        reason: '초과 환불',
        idempotencyKey: 'refund-contract-2',
      })
      .catch((e) => e);
    expect(over).toBeInstanceOf(ProviderDeclinedError);
    expect(over.reason).toBe('exceeds_refundable');
    const r2 = await gw.refund({
      paymentId: approve.paymentId,
      providerRef: paid.providerRef,
      amountKrw: krw(7000),
      vatKrw: krw(909 - 273),
      refundableBeforeKrw: krw(7000),
      reason: '나머지 환불',
      idempotencyKey: 'refund-contract-3',
    });
    expect(r2.remainingKrw).toBe(0);
    const looked = await gw.getPayment({ paymentId: approve.paymentId, providerRef: paid.providerRef });
    expect([looked.status, looked.refundableKrw]).toEqual(['refunded', 0]);
  });
});
