import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderRequestError,
  ProviderUnavailableError,
  type DeclineReason,
} from '../../src/domain/errors.ts';
import { krw, vatIncluded } from '../../src/domain/money.ts';
import type { CheckoutInput, PaymentResult } from '../../src/domain/ports.ts';
import {
  createKakaoPayGateway,
  type KakaoPayConfig,
  type KakaoPayGateway,
  type KakaoPayLogger,
} from '../../src/providers/kakaopay/index.ts';
import { startKakaoPaySandbox, type RunningKakaoPaySandbox } from '../../src/simulators/kakaopay/index.ts';

const SECRET = 'DEV_SANDBOX_KAKAOPAY_SECRET';
const ADMIN_KEY = 'sandbox-kakao-admin-key';
const TID = /^T[0-9a-f]{19}$/;
const SID = /^S[0-9a-f]{19}$/;
const AID = /^A[0-9a-f]{19}$/;
const FIFTEEN_MIN = 15 * 60 * 1000;

let sandbox: RunningKakaoPaySandbox;

beforeAll(async () => {
  sandbox = await startKakaoPaySandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await control('POST', '/reset');
});

async function control(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(): KakaoPayLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
  };
}

function gatewayWith(overrides: Partial<KakaoPayConfig> = {}, logger?: KakaoPayLogger): KakaoPayGateway {
  return createKakaoPayGateway(
    {
      baseUrl: sandbox.url,
      api: 'current',
      secretKey: SECRET,
      adminKey: ADMIN_KEY,
      cid: 'TC0ONETIME',
      subscriptionCid: 'TCSUBSCRIP',
      timeoutMs: 5_000,
      tidLifetimeMs: FIFTEEN_MIN,
      ...overrides,
    },
    { logger },
  );
}

let seq = 0;
function checkoutInput(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  seq += 1;
  const amount = overrides.amountKrw ?? krw(29000);
  return {
    paymentId: `pay_${seq}`,
    userRef: 'usr_1',
    itemName: '프로 플랜',
    amountKrw: amount,
    vatKrw: vatIncluded(amount),
    returnUrl: `https://shop.test/checkout/return?p=pay_${seq}`,
    cancelUrl: `https://shop.test/checkout/cancel?p=pay_${seq}`,
    failUrl: `https://shop.test/checkout/fail?p=pay_${seq}`,
    recurring: false,
    idempotencyKey: `checkout:pay_${seq}`,
    ...overrides,
  };
}

/** The user's step at KakaoPay, without a browser; returns the redirect's query. */
async function userActs(
  tid: string,
  action: 'approve' | 'cancel' | 'fail' = 'approve',
  method: 'CARD' | 'MONEY' = 'CARD',
): Promise<{ redirectUrl: string; query: Record<string, string> }> {
  const res = await control('POST', `/tids/${tid}/authorize`, { action, method });
  const url = new URL(res.redirect_url);
  return { redirectUrl: res.redirect_url, query: Object.fromEntries(url.searchParams) };
}

/** prepare → user approves → parseReturn → approve. */
async function checkout(
  gateway: KakaoPayGateway,
  overrides: Partial<CheckoutInput> = {},
  method: 'CARD' | 'MONEY' = 'CARD',
): Promise<{ input: CheckoutInput; tid: string; result: PaymentResult }> {
  const input = checkoutInput(overrides);
  const prepared = await gateway.prepareCheckout(input);
  const tid = prepared.providerRef!;
  const { query } = await userActs(tid, 'approve', method);
  const ret = gateway.parseReturn(query);
  if (ret.outcome !== 'authorized') throw new Error(`unexpected return ${JSON.stringify(ret)}`);
  const result = await gateway.approveCheckout({
    paymentId: input.paymentId,
    userRef: input.userRef,
    providerRef: tid,
    approvalToken: ret.approvalToken,
    amountKrw: input.amountKrw,
    recurring: input.recurring,
    idempotencyKey: `approve:${input.paymentId}`,
  });
  return { input, tid, result };
}

function approveInput(input: CheckoutInput, tid: string, token: string | null) {
  return {
    paymentId: input.paymentId,
    userRef: input.userRef,
    providerRef: tid,
    approvalToken: token,
    amountKrw: input.amountKrw,
    recurring: input.recurring,
    idempotencyKey: `approve:${input.paymentId}`,
  };
}

async function expectDeclined(promise: Promise<unknown>, reason: DeclineReason, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderDeclinedError);
  expect(error).toMatchObject({ provider: 'kakaopay', reason, providerCode: code, retryable: false });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(['current', 'legacy'] as const)('full checkout (%s API)', (api) => {
  it('prepare → user approves with CARD → parseReturn → approve → lookup', async () => {
    const gateway = gatewayWith({ api });
    expect(gateway.id).toBe('kakaopay');
    expect(gateway.capabilities).toEqual({
      partialRefund: true,
      billingKey: true,
      checkoutStyle: 'redirect',
      returnRef: { onetime: 'prepared', recurring: 'prepared' },
      idempotentCharge: false,
    });

    const input = checkoutInput();
    const before = Date.now();
    const prepared = await gateway.prepareCheckout(input);
    expect(prepared.providerRef).toMatch(TID);
    expect(prepared.redirectUrl).toMatch(new RegExp(`^${sandbox.url}/mockup/v1/[0-9a-f]{64}/info$`));
    expect(prepared.mobileRedirectUrl).toMatch(/\/mInfo$/);
    expect(prepared.clientLaunch).toBeNull();
    // created_at has second precision, so allow a second either way.
    const expiresIn = prepared.expiresAt!.getTime() - before;
    expect(expiresIn).toBeGreaterThan(FIFTEEN_MIN - 2_000);
    expect(expiresIn).toBeLessThan(FIFTEEN_MIN + 2_000);

    const { redirectUrl, query } = await userActs(prepared.providerRef!);
    expect(redirectUrl.startsWith(input.returnUrl)).toBe(true);
    const ret = gateway.parseReturn(query);
    expect(ret).toEqual({ outcome: 'authorized', providerRef: null, approvalToken: expect.stringMatching(/^[0-9a-f]{20}$/) });
    if (ret.outcome !== 'authorized') return;

    const result = await gateway.approveCheckout(approveInput(input, prepared.providerRef!, ret.approvalToken));
    expect(result).toMatchObject({
      providerRef: prepared.providerRef,
      status: 'approved',
      amountKrw: 29000,
      refundableKrw: 29000,
      methodKind: 'card',
      methodLabel: '비씨카드 621640******',
      billingKey: null,
      orderRef: input.paymentId,
    });
    expect(Math.abs(result.occurredAt.getTime() - Date.now())).toBeLessThan(5_000);
    expect(result.raw).toMatchObject({ tid: prepared.providerRef, cid: 'TC0ONETIME' });

    const lookup = await gateway.getPayment({ paymentId: input.paymentId, providerRef: prepared.providerRef });
    expect(lookup).toMatchObject({
      providerRef: prepared.providerRef,
      status: 'approved',
      amountKrw: 29000,
      refundableKrw: 29000,
      methodKind: 'card',
      methodLabel: '수협은행 621640******',
      orderRef: input.paymentId,
    });
  });

  it('MONEY approval, partial refund and refund of the rest', async () => {
    const gateway = gatewayWith({ api });
    const { input, tid, result } = await checkout(gateway, { amountKrw: krw(10000) }, 'MONEY');
    expect(result).toMatchObject({ methodKind: 'money', methodLabel: '카카오페이머니', amountKrw: 10000 });

    const first = await gateway.refund({
      paymentId: input.paymentId,
      providerRef: tid,
      amountKrw: krw(3000),
      vatKrw: krw(273),
      refundableBeforeKrw: krw(10000),
      reason: 'customer request',
      idempotencyKey: 'refund:1',
    });
    expect(first).toMatchObject({ amountKrw: 3000, remainingKrw: 7000, providerRefundRef: expect.stringMatching(AID) });

    const rest = await gateway.refund({
      paymentId: input.paymentId,
      providerRef: tid,
      amountKrw: krw(7000),
      vatKrw: krw(909 - 273),
      refundableBeforeKrw: krw(7000),
      reason: 'customer request',
      idempotencyKey: 'refund:2',
    });
    expect(rest).toMatchObject({ amountKrw: 7000, remainingKrw: 0 });
    const lookup = await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid });
    expect(lookup).toMatchObject({ status: 'refunded', amountKrw: 10000, refundableKrw: 0 });
  });
});

describe('user leaves without approving', () => {
  it('cancel: redirected to our cancel URL, no token, lookup says abandoned, approve is declined', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { redirectUrl, query } = await userActs(tid!, 'cancel');
    expect(redirectUrl).toBe(input.cancelUrl);
    expect(gateway.parseReturn(query)).toEqual({ outcome: 'failed', reason: 'no_pg_token' });
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'abandoned',
      refundableKrw: 0,
    });
    await expectDeclined(gateway.approveCheckout(approveInput(input, tid!, 'forged')), 'declined', '-783');
  });

  it('auth failure: redirected to our fail URL, lookup says declined', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { redirectUrl, query } = await userActs(tid!, 'fail');
    expect(redirectUrl).toBe(input.failUrl);
    expect(gateway.parseReturn(query)).toEqual({ outcome: 'failed', reason: 'no_pg_token' });
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'declined',
    });
  });

  it('approve before the user finished → user_auth_incomplete; lookup says pending', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    await expectDeclined(gateway.approveCheckout(approveInput(input, tid!, 'early')), 'user_auth_incomplete', '-701');
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'pending',
      methodKind: 'unknown',
    });
  });
});

describe('approve failures', () => {
  it('scripted -780 → ProviderDeclinedError; the payment stays authorized', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { query } = await userActs(tid!);
    await control('POST', '/script', { operation: 'approve', error_code: -780, match: { tid } });
    const error = await rejection(gateway.approveCheckout(approveInput(input, tid!, query.pg_token)));
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ reason: 'declined', providerCode: '-780' });
    expect((error as Error).message).toContain('USER_LOCKED');
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'authorized',
    });
  });

  it('approve twice → already_approved', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { query } = await userActs(tid!);
    await gateway.approveCheckout(approveInput(input, tid!, query.pg_token));
    await expectDeclined(gateway.approveCheckout(approveInput(input, tid!, query.pg_token)), 'already_approved', '-702');
  });

  it('tid past its lifetime → expired; lookup says abandoned', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { query } = await userActs(tid!);
    await control('POST', '/clock', { advance_ms: FIFTEEN_MIN + 60_000 });
    await expectDeclined(gateway.approveCheckout(approveInput(input, tid!, query.pg_token)), 'expired', '-723');
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'abandoned',
    });
  });

  it('approve without a token is our bug, caught before calling KakaoPay', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const error = await rejection(gateway.approveCheckout(approveInput(input, tid!, null)));
    expect(error).toBeInstanceOf(ProviderRequestError);
  });

  it('reply lost after KakaoPay approved → outcomeUnknown, not retried; getPayment reports approved', async () => {
    const logger = recordingLogger();
    const slow = gatewayWith({ timeoutMs: 300 }, logger);
    const input = checkoutInput();
    const { providerRef: tid } = await slow.prepareCheckout(input);
    const { query } = await userActs(tid!);
    await control('POST', '/script', { operation: 'approve', delay: 'after', delay_ms: 1_500, match: { tid } });

    const error = await rejection(slow.approveCheckout(approveInput(input, tid!, query.pg_token)));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ providerCode: 'timeout', outcomeUnknown: true, retryable: true });
    expect(logger.entries.filter((e) => e.message.includes('retrying'))).toEqual([]);

    const stats = await control('GET', '/stats');
    expect(stats.approvals_by_partner_order_id[input.paymentId]).toBe(1);
    const lookup = await slow.getPayment({ paymentId: input.paymentId, providerRef: tid });
    expect(lookup).toMatchObject({ status: 'approved', amountKrw: 29000, refundableKrw: 29000 });
  });

  it('concurrent approve of the same tid → one wins, the other is unavailable with unknown outcome', async () => {
    const gateway = gatewayWith();
    const input = checkoutInput();
    const { providerRef: tid } = await gateway.prepareCheckout(input);
    const { query } = await userActs(tid!);
    await control('POST', '/script', { operation: 'approve', delay: 'before', delay_ms: 300, match: { tid } });
    const first = gateway.approveCheckout(approveInput(input, tid!, query.pg_token));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await rejection(gateway.approveCheckout(approveInput(input, tid!, query.pg_token)));
    expect(second).toBeInstanceOf(ProviderUnavailableError);
    expect(second).toMatchObject({ providerCode: '-785', outcomeUnknown: true });
    expect((await first).status).toBe('approved');
  });
});

describe('transport', () => {
  it('order lookup is retried after a timeout', async () => {
    const logger = recordingLogger();
    const gateway = gatewayWith({ timeoutMs: 300 }, logger);
    const { input, tid } = await checkout(gateway);
    await control('POST', '/script', { operation: 'order', delay: 'before', delay_ms: 1_000, match: { tid } });
    const lookup = await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid });
    expect(lookup.status).toBe('approved');
    expect(logger.entries.some((e) => e.level === 'warn' && e.message.includes('retrying'))).toBe(true);
  });

  it('connection refused: retried, then unavailable with a known (not sent) outcome', async () => {
    const logger = recordingLogger();
    const gateway = gatewayWith({ baseUrl: `http://127.0.0.1:${await closedPort()}` }, logger);
    const input = checkoutInput();
    const error = await rejection(gateway.approveCheckout(approveInput(input, 'T0000000000000000000', 'x')));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ providerCode: 'ECONNREFUSED', outcomeUnknown: false });
    expect(logger.entries.filter((e) => e.message.includes('retrying'))).toHaveLength(2);
  });

  it.each(['current', 'legacy'] as const)('wrong key (%s) → ProviderConfigError -401; logs carry no secret', async (api) => {
    const logger = recordingLogger();
    const gateway = gatewayWith({ api, secretKey: 'DEV_WRONG_SECRET', adminKey: 'wrong-admin-key' }, logger);
    const error = await rejection(gateway.prepareCheckout(checkoutInput()));
    expect(error).toBeInstanceOf(ProviderConfigError);
    expect(error).toMatchObject({ providerCode: '-401', retryable: false });
    expect(logger.entries).toEqual([
      {
        level: 'error',
        fields: { path: api === 'current' ? '/online/v1/payment/ready' : '/v1/payment/ready', status: 401, code: '-401' },
        message: expect.any(String),
      },
    ]);
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toContain('WRONG');
    expect(logged).not.toContain('wrong-admin-key');
    expect(logged).not.toContain(SECRET);
  });

  it('unknown CID → ProviderConfigError -731', async () => {
    const error = await rejection(gatewayWith({ cid: 'TCNOTEXIST' }).prepareCheckout(checkoutInput()));
    expect(error).toBeInstanceOf(ProviderConfigError);
    expect(error).toMatchObject({ providerCode: '-731' });
  });

  it('factory rejects a missing key for the chosen API', () => {
    expect(() => gatewayWith({ api: 'legacy', adminKey: '' })).toThrow(ProviderConfigError);
    expect(() => gatewayWith({ timeoutMs: 0 })).toThrow(ProviderConfigError);
  });
});

describe('lookup', () => {
  it('needs the tid', async () => {
    const error = await rejection(gatewayWith().getPayment({ paymentId: 'pay_x', providerRef: null }));
    expect(error).toBeInstanceOf(ProviderRequestError);
  });

  it('unknown tid → not_found', async () => {
    await expectDeclined(
      gatewayWith().getPayment({ paymentId: 'pay_x', providerRef: 'T0000000000000000000' }),
      'not_found',
      '-721',
    );
  });
});

describe('refunds', () => {
  it('partial, over-refund, stale view, rest, then already canceled', async () => {
    const gateway = gatewayWith();
    const { input, tid } = await checkout(gateway, { amountKrw: krw(10000) });
    const refund = (amount: number, vat: number, before: number) =>
      gateway.refund({
        paymentId: input.paymentId,
        providerRef: tid,
        amountKrw: krw(amount),
        vatKrw: krw(vat),
        refundableBeforeKrw: krw(before),
        reason: 'test',
        idempotencyKey: `refund:${amount}:${before}`,
      });

    const partial = await refund(3000, 273, 10000);
    expect(partial).toMatchObject({ amountKrw: 3000, remainingKrw: 7000, providerRefundRef: expect.stringMatching(AID) });
    expect(Math.abs(partial.occurredAt.getTime() - Date.now())).toBeLessThan(5_000);
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'partially_refunded',
      amountKrw: 10000,
      refundableKrw: 7000,
    });

    await expectDeclined(refund(8000, 727, 7000), 'exceeds_refundable', '-710');
    await expectDeclined(refund(1000, 91, 10000), 'amount_mismatch', '-722');

    const rest = await refund(7000, 636, 7000);
    expect(rest).toMatchObject({ amountKrw: 7000, remainingKrw: 0 });
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'refunded',
      refundableKrw: 0,
    });

    await expectDeclined(refund(1000, 91, 0), 'already_canceled', '-784');
  });
});

describe.each(['current', 'legacy'] as const)('billing key (%s API)', (api) => {
  it('recurring checkout issues a SID; charge, lookup, refund, revoke, then charge is refused', async () => {
    const gateway = gatewayWith({ api });
    const { input, tid, result } = await checkout(gateway, { recurring: true, amountKrw: krw(29000) });
    expect(result.status).toBe('approved');
    expect(result.billingKey).toMatch(SID);
    const sid = result.billingKey!;

    // Lookup and cancel of a subscription-CID tid work through the CID fallback.
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({
      status: 'approved',
      amountKrw: 29000,
    });

    const charge = await gateway.chargeBillingKey({
      paymentId: 'pay_renew_1',
      userRef: input.userRef,
      billingKey: sid,
      itemName: '프로 플랜 (2회차)',
      amountKrw: krw(29000),
      vatKrw: vatIncluded(krw(29000)),
      idempotencyKey: 'renew:sub_1:2024-02-01',
    });
    expect(charge).toMatchObject({
      status: 'approved',
      amountKrw: 29000,
      refundableKrw: 29000,
      billingKey: sid,
      orderRef: 'pay_renew_1',
      methodKind: 'card',
    });
    expect(charge.providerRef).toMatch(TID);
    expect(charge.providerRef).not.toBe(tid);
    expect((await control('GET', '/stats')).charges_by_sid[sid]).toBe(1);

    const chargeLookup = await gateway.getPayment({ paymentId: 'pay_renew_1', providerRef: charge.providerRef });
    expect(chargeLookup).toMatchObject({ status: 'approved', orderRef: 'pay_renew_1' });
    const refund = await gateway.refund({
      paymentId: 'pay_renew_1',
      providerRef: charge.providerRef,
      amountKrw: krw(29000),
      vatKrw: vatIncluded(krw(29000)),
      refundableBeforeKrw: krw(29000),
      reason: 'test',
      idempotencyKey: 'refund:renew',
    });
    expect(refund.remainingKrw).toBe(0);

    await gateway.revokeBillingKey(sid);
    await gateway.revokeBillingKey(sid); // already inactive: still fine
    await expectDeclined(
      gateway.chargeBillingKey({
        paymentId: 'pay_renew_2',
        userRef: input.userRef,
        billingKey: sid,
        itemName: '프로 플랜 (3회차)',
        amountKrw: krw(29000),
        vatKrw: vatIncluded(krw(29000)),
        idempotencyKey: 'renew:sub_1:2024-03-01',
      }),
      'billing_key_inactive',
      '-751',
    );
    expect((await control('GET', '/stats')).charges_by_sid[sid]).toBe(1);
  });
});

describe('CID fallback logging', () => {
  it('the routine -731 of a subscription tid looked up under the one-time CID is logged at info, not error', async () => {
    const logger = recordingLogger();
    const gateway = gatewayWith({}, logger);
    const { input, tid } = await checkout(gateway, { recurring: true, amountKrw: krw(29000) });
    logger.entries.length = 0;
    expect(await gateway.getPayment({ paymentId: input.paymentId, providerRef: tid })).toMatchObject({ status: 'approved' });
    expect(logger.entries.filter((e) => e.level !== 'info')).toEqual([]);
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'info', fields: expect.objectContaining({ code: '-731' }) })]);
  });

  it('a -731 outside the fallback (unknown CID on ready) is still an error', async () => {
    const logger = recordingLogger();
    const gateway = gatewayWith({ cid: 'NOSUCHCID' }, logger);
    await gateway.prepareCheckout(checkoutInput()).catch(() => undefined);
    expect(logger.entries.some((e) => e.level === 'error' && e.fields.code === '-731')).toBe(true);
  });
});

describe('billing key errors', () => {
  it('unknown SID → not_found', async () => {
    await expectDeclined(
      gatewayWith().chargeBillingKey({
        paymentId: 'pay_x',
        userRef: 'usr_1',
        billingKey: 'S0000000000000000000',
        itemName: 'x',
        amountKrw: krw(1000),
        vatKrw: krw(91),
        idempotencyKey: 'x',
      }),
      'not_found',
      '-750',
    );
  });

  it('revoking an already-inactive SID reported as -751 counts as success', async () => {
    const gateway = gatewayWith();
    await control('POST', '/script', { operation: 'inactive', error_code: -751 });
    await expect(gateway.revokeBillingKey('S0000000000000000000')).resolves.toBeUndefined();
  });

  it('scripted subscription failure -782 → declined', async () => {
    const gateway = gatewayWith();
    const { input, result } = await checkout(gateway, { recurring: true });
    await control('POST', '/script', { operation: 'subscription', error_code: -782 });
    await expectDeclined(
      gateway.chargeBillingKey({
        paymentId: 'pay_renew_x',
        userRef: input.userRef,
        billingKey: result.billingKey!,
        itemName: 'x',
        amountKrw: krw(29000),
        vatKrw: vatIncluded(krw(29000)),
        idempotencyKey: 'x',
      }),
      'declined',
      '-782',
    );
  });
});
