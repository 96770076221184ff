/**
 * NaverPayGateway over HTTP against the NaverPay sandbox (src/simulators/naverpay). The adapter
 * is configured exactly as for the real service; only the URLs point at the sandbox.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderDeclinedError, ProviderUnavailableError } from '../../src/domain/errors.ts';
import { krw } from '../../src/domain/money.ts';
import type { CheckoutInput, PaymentGateway } from '../../src/domain/ports.ts';
import { createNaverPayGateway, type NaverPayConfig } from '../../src/providers/naverpay/index.ts';
import { startNaverPaySandbox, type RunningNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';

let sandbox: RunningNaverPaySandbox;
let sequence = 0;

beforeAll(async () => {
  sandbox = await startNaverPaySandbox({ port: 0 });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await control('reset', {});
});

function gateway(overrides: Partial<NaverPayConfig> = {}): PaymentGateway {
  return createNaverPayGateway({
    baseUrl: sandbox.url,
    partnerId: 'naverpay-partner',
    clientId: 'sandbox-client-id',
    clientSecret: 'sandbox-client-secret',
    chainId: 'sandbox-chain-id',
    recurrentChainId: 'sandbox-recurrent-chain-id',
    mode: 'development',
    checkoutFlow: 'sdk',
    sdkUrl: `${sandbox.url}/sdk/js/naverpay.min.js`,
    pageBaseUrl: sandbox.url,
    mobilePageBaseUrl: `${sandbox.url}/m`,
    productCode: 'SMTS_PREMIUM_MONTHLY',
    timeoutMs: 5_000,
    approveTimeoutMs: 5_000,
    retryBackoffMs: 20,
    ...overrides,
  });
}

async function control(path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (response.status >= 400) throw new Error(`control ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

function checkout(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  sequence += 1;
  const paymentId = `pay_gw${sequence}`;
  return {
    paymentId,
    userRef: `usr_${sequence}`,
    itemName: '쇼미더스탁 프리미엄 월간',
    amountKrw: krw(9900),
    vatKrw: krw(900),
    returnUrl: 'https://shop.example/naverpay/return?attempt=1',
    cancelUrl: 'https://shop.example/naverpay/cancel',
    failUrl: 'https://shop.example/naverpay/fail',
    recurring: false,
    idempotencyKey: `checkout:${paymentId}`,
    ...overrides,
  };
}

/** prepare (SDK flow) → the sandbox's headless SDK open + page decision → parseReturn. */
async function authorizeViaSdk(gw: PaymentGateway, input: CheckoutInput, action = 'approve', tamper: Record<string, unknown> = {}) {
  const prepared = await gw.prepareCheckout(input);
  const launch = prepared.clientLaunch as { create: Record<string, unknown>; open: Record<string, unknown> };
  const decided = await control('sdk/authorize', { ...launch.create, ...launch.open, ...tamper, action });
  return { prepared, decided, outcome: gw.parseReturn(queryOf(decided.redirect_url)) };
}

async function approvedPayment(gw: PaymentGateway, input = checkout()) {
  const { outcome } = await authorizeViaSdk(gw, input);
  if (outcome.outcome !== 'authorized') throw new Error('not authorized');
  const result = await gw.approveCheckout({
    paymentId: input.paymentId,
    userRef: input.userRef,
    providerRef: outcome.providerRef!,
    approvalToken: outcome.approvalToken,
    amountKrw: input.amountKrw,
    recurring: false,
    idempotencyKey: `approve:${input.paymentId}`,
  });
  return { input, result };
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Recurring checkout through the registration page; returns the approve input. */
async function registered(gw: PaymentGateway, input: CheckoutInput) {
  const prepared = await gw.prepareCheckout(input);
  expect(prepared.clientLaunch).toBeNull();
  expect(prepared.redirectUrl).toBe(`${sandbox.url}/payments/recurrent/${encodeURIComponent(prepared.providerRef!)}`);
  const decided = await control(`reserves/${encodeURIComponent(prepared.providerRef!)}/authorize`, { action: 'approve' });
  const outcome = gw.parseReturn(queryOf(decided.redirect_url));
  if (outcome.outcome !== 'authorized') throw new Error(`registration not authorized: ${JSON.stringify(outcome)}`);
  return {
    reserveId: prepared.providerRef!,
    approve: {
      paymentId: input.paymentId,
      userRef: input.userRef,
      providerRef: outcome.providerRef!,
      approvalToken: outcome.approvalToken,
      amountKrw: input.amountKrw,
      recurring: true,
      idempotencyKey: `approve:${input.paymentId}`,
    },
  };
}

describe('NaverPayGateway against the sandbox', () => {
  it('declares its capabilities', () => {
    expect(gateway().id).toBe('naverpay');
    expect(gateway().capabilities).toEqual({
      partialRefund: true,
      billingKey: true,
      checkoutStyle: 'sdk',
      returnRef: { onetime: 'assigned', recurring: 'prepared' },
      idempotentCharge: true,
    });
    expect(gateway({ checkoutFlow: 'reserve' }).capabilities.checkoutStyle).toBe('redirect');
  });

  it('SDK flow: prepare without a server call → authorize → parseReturn → approve', async () => {
    const gw = gateway();
    const input = checkout();
    const { prepared, outcome } = await authorizeViaSdk(gw, input);
    expect(prepared).toMatchObject({ providerRef: null, redirectUrl: null, expiresAt: null });
    expect(prepared.clientLaunch).toMatchObject({
      sdkUrl: `${sandbox.url}/sdk/js/naverpay.min.js`,
      create: { mode: 'development', clientId: 'sandbox-client-id', chainId: 'sandbox-chain-id', payType: 'normal', openType: 'page' },
      open: { merchantPayKey: input.paymentId, merchantUserKey: input.userRef, totalPayAmount: 9900, taxScopeAmount: 9900, taxExScopeAmount: 0, productCount: 1 },
    });
    expect(JSON.stringify(prepared.clientLaunch)).not.toContain('sandbox-client-secret');
    expect((await control('stats')).reserve).toBe(0);
    expect(outcome).toMatchObject({ outcome: 'authorized', approvalToken: null });

    const result = await gw.approveCheckout({
      paymentId: input.paymentId,
      userRef: input.userRef,
      providerRef: (outcome as { providerRef: string }).providerRef,
      approvalToken: null,
      amountKrw: input.amountKrw,
      recurring: false,
      idempotencyKey: `approve:${input.paymentId}`,
    });
    expect(result).toMatchObject({
      providerRef: (outcome as { providerRef: string }).providerRef,
      status: 'approved',
      amountKrw: 9900,
      refundableKrw: 9900,
      methodKind: 'card',
      billingKey: null,
      orderRef: input.paymentId,
    });
    expect(result.methodLabel).toMatch(/\*/);
    expect(result.occurredAt).toBeInstanceOf(Date);

    const looked = await gw.getPayment({ paymentId: input.paymentId, providerRef: result.providerRef });
    expect(looked).toMatchObject({ status: 'approved', amountKrw: 9900, refundableKrw: 9900, orderRef: input.paymentId });
  });

  it('reserve flow: v2/reserve → hosted page → return → approve', async () => {
    const gw = gateway({ checkoutFlow: 'reserve' });
    const input = checkout();
    const prepared = await gw.prepareCheckout(input);
    expect(prepared.clientLaunch).toBeNull();
    expect(prepared.redirectUrl).toBe(`${sandbox.url}/payments/${encodeURIComponent(prepared.providerRef!)}`);
    expect(prepared.mobileRedirectUrl).toBe(`${sandbox.url}/m/payments/${encodeURIComponent(prepared.providerRef!)}`);
    const page = await fetch(prepared.redirectUrl!);
    expect(page.status).toBe(200);
    await page.text();

    const decided = await control(`reserves/${encodeURIComponent(prepared.providerRef!)}/authorize`, { action: 'approve' });
    const outcome = gw.parseReturn(queryOf(decided.redirect_url));
    expect(outcome.outcome).toBe('authorized');
    const result = await gw.approveCheckout({
      paymentId: input.paymentId,
      userRef: input.userRef,
      providerRef: (outcome as { providerRef: string }).providerRef,
      approvalToken: null,
      amountKrw: input.amountKrw,
      recurring: false,
      idempotencyKey: `approve:${input.paymentId}`,
    });
    expect(result).toMatchObject({ status: 'approved', amountKrw: 9900, orderRef: input.paymentId });
    expect((await control('stats')).reserve).toBe(1);
  });

  it('user cancel and page failures decode as canceled / failed', async () => {
    const gw = gateway();
    expect((await authorizeViaSdk(gw, checkout(), 'cancel')).outcome).toEqual({ outcome: 'canceled', reason: 'userCancel' });
    expect((await authorizeViaSdk(gw, checkout(), 'fail')).outcome).toEqual({ outcome: 'failed', reason: 'OwnerAuthFail' });
    expect((await authorizeViaSdk(gw, checkout(), 'expire')).outcome).toEqual({ outcome: 'failed', reason: 'paymentTimeExpire' });
  });

  it('a scripted decline is final; a magic maintenance amount is retryable', async () => {
    const gw = gateway();
    const input = checkout();
    const { outcome } = await authorizeViaSdk(gw, input);
    const paymentId = (outcome as { providerRef: string }).providerRef;
    await control('script', { operation: 'approve', code: 'NotEnoughAccountBalance', message: '잔액 부족', match: { paymentId } });
    const approve = { paymentId: input.paymentId, userRef: input.userRef, providerRef: paymentId, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve:${input.paymentId}` };
    const error = await rejection(gw.approveCheckout(approve));
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: 'NotEnoughAccountBalance', reason: 'declined', message: '잔액 부족' });
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: paymentId })).toMatchObject({ status: 'declined', refundableKrw: 0 });

    const maintenance = checkout({ amountKrw: krw(4006) });
    const second = await authorizeViaSdk(gw, maintenance);
    const unavailable = await rejection(
      gw.approveCheckout({ ...approve, paymentId: maintenance.paymentId, amountKrw: maintenance.amountKrw, providerRef: (second.outcome as { providerRef: string }).providerRef, idempotencyKey: `approve:${maintenance.paymentId}` }),
    );
    expect(unavailable).toBeInstanceOf(ProviderUnavailableError);
    expect(unavailable).toMatchObject({ providerCode: 'MaintenanceOngoing', outcomeUnknown: false });
  });

  it('duplicate approve: same key replays the success, a new key gets already_approved', async () => {
    const gw = gateway();
    const { input, result } = await approvedPayment(gw);
    const again = await gw.approveCheckout({
      paymentId: input.paymentId,
      userRef: input.userRef,
      providerRef: result.providerRef,
      approvalToken: null,
      amountKrw: input.amountKrw,
      recurring: false,
      idempotencyKey: `approve:${input.paymentId}`,
    });
    expect(again.providerRef).toBe(result.providerRef);
    const stats = await control('stats');
    expect(stats.idempotent_replay).toBe(1);
    expect(stats.approvals_by_merchant_pay_key[input.paymentId]).toBe(1);

    const error = await rejection(
      gw.approveCheckout({ paymentId: input.paymentId, userRef: input.userRef, providerRef: result.providerRef, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve-again:${input.paymentId}` }),
    );
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: 'AlreadyComplete', reason: 'already_approved' });
  });

  it('approval window: approving more than 10 minutes after authorisation → expired', async () => {
    const gw = gateway();
    const input = checkout();
    const { outcome } = await authorizeViaSdk(gw, input);
    await control('clock', { advance_ms: 11 * 60_000 });
    const error = await rejection(
      gw.approveCheckout({ paymentId: input.paymentId, userRef: input.userRef, providerRef: (outcome as { providerRef: string }).providerRef, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve:${input.paymentId}` }),
    );
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: 'TimeExpired', reason: 'expired' });
    await expect(gw.getPayment({ paymentId: input.paymentId, providerRef: (outcome as { providerRef: string }).providerRef })).rejects.toMatchObject({ reason: 'not_found' });
  });

  it('approve timeout: the retry with the same key gets the 409 replay → success, charged once', async () => {
    const gw = gateway({ approveTimeoutMs: 300 });
    const input = checkout();
    const { outcome } = await authorizeViaSdk(gw, input);
    const paymentId = (outcome as { providerRef: string }).providerRef;
    await control('script', { operation: 'approve', delay: 'after', delay_ms: 1_500, match: { paymentId } });
    const result = await gw.approveCheckout({ paymentId: input.paymentId, userRef: input.userRef, providerRef: paymentId, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve:${input.paymentId}` });
    expect(result).toMatchObject({ providerRef: paymentId, status: 'approved', amountKrw: 9900 });
    const stats = await control('stats');
    expect(stats.idempotent_replay).toBe(1);
    expect(stats.approvals_by_merchant_pay_key[input.paymentId]).toBe(1);
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: paymentId })).toMatchObject({ status: 'approved', refundableKrw: 9900 });
  });

  it('approve timeout with retries exhausted → outcome unknown; getPayment settles it as approved', async () => {
    const gw = gateway({ approveTimeoutMs: 300, maxRetries: 0 });
    const input = checkout();
    const { outcome } = await authorizeViaSdk(gw, input);
    const paymentId = (outcome as { providerRef: string }).providerRef;
    await control('script', { operation: 'approve', delay: 'after', delay_ms: 1_000, match: { paymentId } });
    const error = await rejection(
      gw.approveCheckout({ paymentId: input.paymentId, userRef: input.userRef, providerRef: paymentId, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve:${input.paymentId}` }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.outcomeUnknown).toBe(true);
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: paymentId })).toMatchObject({ status: 'approved', amountKrw: 9900 });
  });

  it('a tampered SDK amount is cancelled and reported as amount_mismatch', async () => {
    const gw = gateway();
    const input = checkout();
    const { outcome } = await authorizeViaSdk(gw, input, 'approve', { totalPayAmount: 100, taxScopeAmount: 100 });
    const paymentId = (outcome as { providerRef: string }).providerRef;
    const error = await rejection(
      gw.approveCheckout({ paymentId: input.paymentId, userRef: input.userRef, providerRef: paymentId, approvalToken: null, amountKrw: input.amountKrw, recurring: false, idempotencyKey: `approve:${input.paymentId}` }),
    );
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: 'AmountMismatch', reason: 'amount_mismatch' });
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: paymentId })).toMatchObject({ status: 'refunded', amountKrw: 100, refundableKrw: 0 });
  });

  it('partial refunds, remaining balance, replay, over-refund and stale balance', async () => {
    const gw = gateway();
    const { input, result } = await approvedPayment(gw, checkout({ amountKrw: krw(10_000) }));
    const base = { paymentId: input.paymentId, providerRef: result.providerRef, vatKrw: krw(0), reason: '부분 환불' };

    const first = await gw.refund({ ...base, amountKrw: krw(3_000), refundableBeforeKrw: krw(10_000), idempotencyKey: 'refund:ref_1' });
    expect(first).toMatchObject({ amountKrw: 3_000, remainingKrw: 7_000 });
    expect(first.providerRefundRef).toMatch(/NP/);
    const replay = await gw.refund({ ...base, amountKrw: krw(3_000), refundableBeforeKrw: krw(10_000), idempotencyKey: 'refund:ref_1' });
    expect(replay.providerRefundRef).toBe(first.providerRefundRef);
    expect((await control('stats')).cancels_by_payment_id[result.providerRef]).toBe(1);
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: result.providerRef })).toMatchObject({ status: 'partially_refunded', refundableKrw: 7_000 });

    // More than we believe is refundable: refused locally.
    expect(await rejection(gw.refund({ ...base, amountKrw: krw(8_000), refundableBeforeKrw: krw(7_000), idempotencyKey: 'refund:ref_2' }))).toMatchObject({ reason: 'exceeds_refundable' });
    // Our view too high: NaverPay refuses (OverRemainAmount).
    expect(await rejection(gw.refund({ ...base, amountKrw: krw(8_000), refundableBeforeKrw: krw(9_000), idempotencyKey: 'refund:ref_3' }))).toMatchObject({ providerCode: 'OverRemainAmount', reason: 'exceeds_refundable' });
    // Stale view within range: the expectedRestAmount guard refuses (RestAmountDiff).
    expect(await rejection(gw.refund({ ...base, amountKrw: krw(1_000), refundableBeforeKrw: krw(9_000), idempotencyKey: 'refund:ref_4' }))).toMatchObject({ providerCode: 'RestAmountDiff', reason: 'exceeds_refundable' });

    const rest = await gw.refund({ ...base, amountKrw: krw(7_000), refundableBeforeKrw: krw(7_000), idempotencyKey: 'refund:ref_5' });
    expect(rest.remainingKrw).toBe(0);
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: result.providerRef })).toMatchObject({ status: 'refunded', refundableKrw: 0 });
    expect(await rejection(gw.refund({ ...base, amountKrw: krw(1_000), refundableBeforeKrw: krw(1_000), idempotencyKey: 'refund:ref_6' }))).toMatchObject({ providerCode: 'AlreadyCanceled', reason: 'already_canceled' });
  });

  it('refund of an unknown paymentId → not_found; lookup of an unknown payment → not_found', async () => {
    const gw = gateway();
    expect(await rejection(gw.refund({ paymentId: 'pay_x', providerRef: '20990101NP0000000000', amountKrw: krw(100), vatKrw: krw(0), refundableBeforeKrw: krw(100), reason: 'x', idempotencyKey: 'refund:x' }))).toMatchObject({ providerCode: 'InvalidPaymentId', reason: 'not_found' });
    expect(await rejection(gw.getPayment({ paymentId: 'pay_x', providerRef: '20990101NP0000000000' }))).toMatchObject({ reason: 'not_found' });
    expect(await rejection(gw.getPayment({ paymentId: 'pay_x', providerRef: null }))).toMatchObject({ reason: 'not_found' });
  });

  it('recurrent: register + first charge, then chargeBillingKey is counted once per key', async () => {
    const gw = gateway();
    const input = checkout({ recurring: true });
    const { approve } = await registered(gw, input);
    const first = await gw.approveCheckout(approve);
    expect(first).toMatchObject({ status: 'approved', amountKrw: 9900, refundableKrw: 9900 });
    expect(first.billingKey).toBeTruthy();
    expect(first.providerRef).toMatch(/NP/);
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: first.providerRef })).toMatchObject({ status: 'approved', orderRef: input.paymentId });

    const renewal = { paymentId: 'pay_renewal_1', userRef: input.userRef, billingKey: first.billingKey!, itemName: '쇼미더스탁 프리미엄 2월', amountKrw: krw(9900), vatKrw: krw(900), idempotencyKey: 'renew:sub_1:2030-02-01' };
    const charged = await gw.chargeBillingKey(renewal);
    const again = await gw.chargeBillingKey(renewal);
    expect(again.providerRef).toBe(charged.providerRef);
    expect(charged).toMatchObject({ status: 'approved', billingKey: first.billingKey, orderRef: 'pay_renewal_1' });
    const stats = await control('stats');
    expect(stats.charges_by_recurrent_id[first.billingKey!]).toBe(2);

    const refund = await gw.refund({ paymentId: 'pay_renewal_1', providerRef: charged.providerRef, amountKrw: krw(9900), vatKrw: krw(900), refundableBeforeKrw: krw(9900), reason: '해지 환불', idempotencyKey: 'refund:ref_r1' });
    expect(refund.remainingKrw).toBe(0);
  });

  it('recurrent: a refused first charge throws and expires the new registration', async () => {
    const gw = gateway();
    const input = checkout({ recurring: true, amountKrw: krw(4001) });
    const { reserveId, approve } = await registered(gw, input);
    const error = await rejection(gw.approveCheckout(approve));
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: 'NotEnoughAccountBalance', reason: 'declined' });
    const reserve = await control(`reserves/${encodeURIComponent(reserveId)}`);
    expect((await control(`recurrents/${encodeURIComponent(reserve.recurrentId)}`)).state).toBe('EXPIRED');
  });

  it('recurrent: an unknown charge outcome is found by getPayment through our order key', async () => {
    const gw = gateway({ approveTimeoutMs: 300, maxRetries: 0 });
    const input = checkout({ recurring: true });
    const { approve } = await registered(gw, input);
    await control('script', { operation: 'recurrent_pay_approve', delay: 'after', delay_ms: 1_000 });
    const error = await rejection(gw.approveCheckout(approve));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.outcomeUnknown).toBe(true);
    // providerRef is still the registration's reserveId at this point.
    expect(await gw.getPayment({ paymentId: input.paymentId, providerRef: approve.providerRef })).toMatchObject({ status: 'approved', amountKrw: 9900, orderRef: input.paymentId });
    // Retrying the approval with the same key replays every step.
    const retried = await gateway().approveCheckout(approve);
    expect(retried).toMatchObject({ status: 'approved', amountKrw: 9900 });
    expect((await control('stats')).charges_by_recurrent_id[retried.billingKey!]).toBe(1);
  });

  it('revoke, revoke again, then a charge is refused as billing_key_inactive', async () => {
    const gw = gateway();
    const input = checkout({ recurring: true });
    const { approve } = await registered(gw, input);
    const first = await gw.approveCheckout(approve);
    await gw.revokeBillingKey(first.billingKey!);
    await gw.revokeBillingKey(first.billingKey!);
    expect((await control(`recurrents/${encodeURIComponent(first.billingKey!)}`)).state).toBe('EXPIRED');
    const error = await rejection(
      gw.chargeBillingKey({ paymentId: 'pay_after_revoke', userRef: input.userRef, billingKey: first.billingKey!, itemName: '갱신', amountKrw: krw(9900), vatKrw: krw(900), idempotencyKey: 'renew:after-revoke' }),
    );
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error.reason).toBe('billing_key_inactive');
  });

  it('wrong credentials → ProviderConfigError', async () => {
    const error = await rejection(gateway({ checkoutFlow: 'reserve', clientSecret: 'wrong' }).prepareCheckout(checkout()));
    expect(error.name).toBe('ProviderConfigError');
    expect(String(error.message)).not.toContain('wrong');
  });
});
