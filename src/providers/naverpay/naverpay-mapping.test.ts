import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderRequestError,
  ProviderUnavailableError,
} from '../../domain/errors.ts';
import { krw } from '../../domain/money.ts';
import type { CheckoutInput } from '../../domain/ports.ts';
import {
  checkApproval,
  decodeRegistrationToken,
  decodeReturn,
  encodeRegistrationToken,
  errorForResultCode,
  expectSuccess,
  formatKstDateTime,
  isWireIdempotencyKey,
  maskNumber,
  onetimeCheckoutParams,
  parseKstDateTime,
  paymentMethodOf,
  paymentResultFromDetail,
  paymentResultFromHistory,
  refundResultFromCancel,
  RESULT_CODES,
  wireIdempotencyKey,
} from './naverpay-mapping.ts';
import {
  applyBodySchema,
  cancelBodySchema,
  envelopeSchema,
  historyBodySchema,
  payApprovalBodySchema,
  registApprovalBodySchema,
  reserveBodySchema,
  type NaverPayEnvelope,
} from './naverpay-wire.ts';

interface Fixture {
  status: number;
  body: unknown;
}

function fixture(path: string): Fixture {
  const url = new URL(`../../../test/fixtures/naverpay/${path}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

function envelopeOf(path: string): NaverPayEnvelope {
  return envelopeSchema.parse(fixture(path).body);
}

const NOW = new Date('2030-01-01T00:00:00Z');
const money = { operation: 'test', moneyCall: true };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('KST timestamps', () => {
  it('parses yyyyMMddHHmmss as KST', () => {
    expect(parseKstDateTime('20170201151722')?.toISOString()).toBe('2017-02-01T06:17:22.000Z');
    expect(parseKstDateTime('20170101080000')?.toISOString()).toBe('2016-12-31T23:00:00.000Z');
  });

  it('rejects empty and malformed values', () => {
    for (const value of [undefined, null, '', '2017020115172', '20171301000000', '20170230000000', '20170201250000', 'abcdefghijklmn']) {
      expect(parseKstDateTime(value)).toBeNull();
    }
  });

  it('formats back to the same string', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
        expect(parseKstDateTime(formatKstDateTime(seconds))?.getTime()).toBe(seconds.getTime());
      }),
    );
  });
});

describe('approval detail → PaymentResult', () => {
  it('maps the official approval sample', () => {
    const envelope = envelopeOf('v2.2/apply-payment-success.json');
    const body = expectSuccess(envelope, applyBodySchema, money);
    const result = paymentResultFromDetail(body.detail, { billingKey: null, raw: envelope, now: NOW });
    expect(result).toEqual({
      providerRef: '20170201NP1043587746',
      status: 'approved',
      amountKrw: 1000,
      refundableKrw: 1000,
      methodKind: 'card',
      methodLabel: '신한카드 465887**********',
      billingKey: null,
      orderRef: 'order-key',
      approvalNo: '17545616',
      occurredAt: new Date('2017-02-01T06:17:22Z'),
      raw: envelope,
    });
  });

  it('a 409 replay body maps exactly like the first response', () => {
    const first = expectSuccess(envelopeOf('v2.2/apply-payment-success.json'), applyBodySchema, money);
    const replay = fixture('v2.2/apply-payment-409-replay.json');
    expect(replay.status).toBe(409);
    const again = expectSuccess(envelopeSchema.parse(replay.body), applyBodySchema, money);
    expect(again).toEqual(first);
  });

  it('a replayed failure maps to its code', () => {
    const error = thrown(() => expectSuccess(envelopeOf('v2.2/apply-payment-409-replay-failure.json'), applyBodySchema, money));
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect((error as ProviderDeclinedError).providerCode).toBe('OwnerAuthFail');
  });

  it('maps a recurrent charge paid from a bank account', () => {
    const envelope = envelopeOf('recurrent/pay-v3-approval-success.json');
    const body = expectSuccess(envelope, payApprovalBodySchema, money);
    const result = paymentResultFromDetail(body.detail, { billingKey: body.recurrentId ?? null, raw: envelope, now: NOW });
    expect(result).toMatchObject({
      providerRef: '20210801NP1000000123',
      amountKrw: 9900,
      methodKind: 'bank',
      methodLabel: '신한은행 110****5678',
      approvalNo: null,
      billingKey: '20210725YWtoak5IelFibjhtN2IrNHhmZkZvWUhRanVBPQ==',
      occurredAt: new Date('2021-08-01T00:00:05Z'),
    });
  });

  it('reads the registration approval and the reserve bodies', () => {
    const regist = expectSuccess(envelopeOf('recurrent/regist-v1-approval-success.json'), registApprovalBodySchema, money);
    expect(regist.recurrentId).toBe('20210725YWtoak5IelFibjhtN2IrNHhmZkZvWUhRanVBPQ==');
    const reserve = expectSuccess(envelopeOf('v2/reserve-success.json'), reserveBodySchema, money);
    expect(reserve.reserveId).toBe('20210725dStTa2dDR0VGSHV0RkhBenJQSEFjL3JEbnc4PQ==');
  });

  it('failures with body null throw the mapped error', () => {
    const expired = thrown(() => expectSuccess(envelopeOf('v2.2/apply-payment-time-expired.json'), applyBodySchema, money));
    expect(expired).toBeInstanceOf(ProviderDeclinedError);
    expect((expired as ProviderDeclinedError).reason).toBe('expired');
    expect((expired as ProviderDeclinedError).message).toBe('결제 승인 가능 시간이 지났습니다.');
    const complete = thrown(() => expectSuccess(envelopeOf('v2.2/apply-payment-already-complete.json'), applyBodySchema, money));
    expect((complete as ProviderDeclinedError).reason).toBe('already_approved');
  });

  it('a Success body of the wrong shape is an unknown outcome after a money call, a request error otherwise', () => {
    const envelope: NaverPayEnvelope = { code: 'Success', message: '', body: null };
    const afterMoney = thrown(() => expectSuccess(envelope, applyBodySchema, money));
    expect(afterMoney).toBeInstanceOf(ProviderUnavailableError);
    expect((afterMoney as ProviderUnavailableError).outcomeUnknown).toBe(true);
    expect(thrown(() => expectSuccess(envelope, historyBodySchema, { operation: 'history', moneyCall: false }))).toBeInstanceOf(
      ProviderRequestError,
    );
  });

  it('derives the method kind and a masked label', () => {
    expect(paymentMethodOf({ primaryPayMeans: 'CARD', cardCorpCode: 'C7', cardNo: '123456**********' })).toEqual({
      kind: 'card',
      label: '삼성카드 123456**********',
    });
    expect(paymentMethodOf({ primaryPayMeans: 'CARD', cardCorpCode: 'ZZ' })).toEqual({ kind: 'card', label: '카드' });
    expect(paymentMethodOf({ primaryPayMeans: 'BANK', bankCorpCode: '999', bankAccountNo: '' })).toEqual({ kind: 'bank', label: '계좌' });
    expect(paymentMethodOf({})).toEqual({ kind: 'point', label: '네이버페이 포인트' });
    expect(paymentMethodOf({ primaryPayMeans: '' })).toEqual({ kind: 'point', label: '네이버페이 포인트' });
    expect(paymentMethodOf({ primaryPayMeans: 'PHONE' })).toEqual({ kind: 'unknown', label: null });
    expect(maskNumber('1234567890123456')).toBe('************3456');
    expect(maskNumber('123')).toBe('***');
  });

  it('checks the approval against the order', () => {
    const detail = expectSuccess(envelopeOf('v2.2/apply-payment-success.json'), applyBodySchema, money).detail;
    expect(checkApproval(detail, { amountKrw: 1000, merchantPayKey: 'order-key' })).toBeNull();
    expect(checkApproval(detail, { amountKrw: 1000, merchantPayKey: null })).toBeNull();
    expect(checkApproval(detail, { amountKrw: 100, merchantPayKey: 'order-key' })).toEqual({ kind: 'amount', expected: 100, actual: 1000 });
    expect(checkApproval(detail, { amountKrw: 1000, merchantPayKey: 'other' })).toEqual({ kind: 'order', expected: 'other', actual: 'order-key' });
    expect(checkApproval({ ...detail, admissionState: 'FAIL' }, { amountKrw: 1000, merchantPayKey: null })).toEqual({
      kind: 'state',
      actual: 'FAIL',
    });
  });
});

describe('cancel → RefundResult', () => {
  it('maps the cancel sample', () => {
    const envelope = envelopeOf('v1/cancel-success.json');
    const body = expectSuccess(envelope, cancelBodySchema, money);
    expect(refundResultFromCancel(body, { amountKrw: krw(200), expectedRestKrw: 800, raw: envelope, now: NOW })).toEqual({
      providerRefundRef: '20170201NP1043590001',
      amountKrw: 200,
      remainingKrw: 800,
      occurredAt: new Date('2017-02-01T07:00:00Z'),
      raw: envelope,
    });
  });

  it('CancelNotComplete carries a body with an empty payHistId', () => {
    const envelope = envelopeOf('v1/cancel-not-complete.json');
    const body = cancelBodySchema.parse(envelope.body);
    const result = refundResultFromCancel(body, { amountKrw: krw(200), expectedRestKrw: 800, raw: envelope, now: NOW });
    expect(result.providerRefundRef).toBeNull();
    expect(result.remainingKrw).toBe(800);
  });

  it('over-remain is exceeds_refundable', () => {
    const error = thrown(() => expectSuccess(envelopeOf('v1/cancel-over-remain.json'), cancelBodySchema, money));
    expect((error as ProviderDeclinedError).reason).toBe('exceeds_refundable');
  });
});

describe('history → PaymentResult', () => {
  function historyResult(path: string) {
    const envelope = envelopeOf(path);
    const body = expectSuccess(envelope, historyBodySchema, { operation: 'history', moneyCall: false });
    return paymentResultFromHistory(body.list ?? [], { raw: envelope, now: NOW });
  }

  it('approved (official sample)', () => {
    expect(historyResult('v2.2/list-history-approved.json')).toMatchObject({
      providerRef: '20170000NP1000229665',
      status: 'approved',
      amountKrw: 1000,
      refundableKrw: 1000,
      methodKind: 'card',
      orderRef: 'orderKey-91516397',
      occurredAt: new Date('2017-09-14T07:39:30Z'),
    });
  });

  it('partially refunded', () => {
    expect(historyResult('v2.2/list-history-partially-cancelled.json')).toMatchObject({
      status: 'partially_refunded',
      amountKrw: 1000,
      refundableKrw: 700,
      occurredAt: new Date('2017-09-20T01:15:00Z'),
    });
  });

  it('refunded when the 04 rows empty the balance', () => {
    expect(historyResult('v2.2/list-history-fully-cancelled.json')).toMatchObject({ status: 'refunded', refundableKrw: 0 });
  });

  it('declined when only FAIL rows exist', () => {
    expect(historyResult('v2.2/list-history-failed.json')).toMatchObject({ status: 'declined', refundableKrw: 0, amountKrw: 1000 });
  });

  it('no row → not_found', () => {
    const error = thrown(() => historyResult('v2.2/list-history-empty.json'));
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect((error as ProviderDeclinedError).reason).toBe('not_found');
  });
});

describe('result-code table', () => {
  type Expected =
    | ['declined', string]
    | ['unavailable', boolean]
    | ['request']
    | ['config'];
  const EXPECTED: Record<string, Expected> = {
    RequireParameter: ['request'],
    InvalidParameter: ['request'],
    Fail: ['declined', 'declined'],
    InvalidMerchant: ['config'],
    MaintenanceOngoing: ['unavailable', false],
    TimeExpired: ['declined', 'expired'],
    AlreadyOnGoing: ['unavailable', true],
    AlreadyComplete: ['declined', 'already_approved'],
    OwnerAuthFail: ['declined', 'declined'],
    BankMaintenance: ['unavailable', false],
    NotEnoughAccountBalance: ['declined', 'declined'],
    FaultCheckOngoing: ['unavailable', false],
    InvalidPaymentId: ['declined', 'not_found'],
    AlreadyCanceled: ['declined', 'already_canceled'],
    OverRemainAmount: ['declined', 'exceeds_refundable'],
    PreCancelNotComplete: ['unavailable', false],
    CancelDeadlineExpired: ['declined', 'expired'],
    TaxScopeAmtGreaterThanRemainError: ['declined', 'exceeds_refundable'],
    TaxScopeAmountError: ['request'],
    RestAmountDiff: ['declined', 'exceeds_refundable'],
    CancelNotComplete: ['unavailable', true],
    InvalidDiscountCancelCondition: ['declined', 'declined'],
    RequireCondition: ['request'],
    TimeConditionError: ['request'],
    BankCheckTime: ['unavailable', false],
    InvalidMerchantType: ['config'],
    InvalidMerchantAuth: ['config'],
    Unauthorized: ['config'],
  };

  it('lists exactly the codes this test expects', () => {
    expect(Object.keys(RESULT_CODES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [code, expected] of Object.entries(EXPECTED)) {
    it(`${code} → ${expected.join(' ')}`, () => {
      const error = errorForResultCode(code, 'msg');
      expect(error.provider).toBe('naverpay');
      expect(error.providerCode).toBe(code);
      expect(error.message).toBe('msg');
      switch (expected[0]) {
        case 'declined':
          expect(error).toBeInstanceOf(ProviderDeclinedError);
          expect((error as ProviderDeclinedError).reason).toBe(expected[1]);
          expect(error.retryable).toBe(false);
          break;
        case 'unavailable':
          expect(error).toBeInstanceOf(ProviderUnavailableError);
          expect((error as ProviderUnavailableError).outcomeUnknown).toBe(expected[1]);
          expect(error.retryable).toBe(true);
          break;
        case 'request':
          expect(error).toBeInstanceOf(ProviderRequestError);
          break;
        case 'config':
          expect(error).toBeInstanceOf(ProviderConfigError);
          break;
      }
    });
  }

  it('an unknown code is a final decline with a default Korean message', () => {
    const error = errorForResultCode('SomethingNew', null);
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect((error as ProviderDeclinedError).reason).toBe('declined');
    expect(error.message).toContain('SomethingNew');
  });
});

describe('return URL decoding', () => {
  it('one-time success → authorized with the paymentId', () => {
    expect(decodeReturn({ resultCode: 'Success', paymentId: '20241228NP1181024354' })).toEqual({
      outcome: 'authorized',
      providerRef: '20241228NP1181024354',
      approvalToken: null,
    });
    expect(decodeReturn({ resultCode: 'success', paymentId: 'p' })).toMatchObject({ outcome: 'authorized', providerRef: 'p' });
  });

  it('recurrent registration success → both ids in the approval token', () => {
    const reserveId = '20210725dStTa2dDR0VGSHV0RkhBenJQSEFjL3JEbnc4PQ==';
    const tempReceiptId = '20210725TP1003007822dHRWam';
    const outcome = decodeReturn({ resultCode: 'Success', reserveId, tempReceiptId });
    expect(outcome).toEqual({ outcome: 'authorized', providerRef: reserveId, approvalToken: encodeRegistrationToken(reserveId, tempReceiptId) });
    expect(outcome.outcome === 'authorized' && decodeRegistrationToken(outcome.approvalToken)).toEqual({ reserveId, tempReceiptId });
  });

  it('the token round-trips ids with + / =', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (reserveId, tempReceiptId) => {
        expect(decodeRegistrationToken(encodeRegistrationToken(reserveId, tempReceiptId))).toEqual({ reserveId, tempReceiptId });
      }),
    );
    expect(decodeRegistrationToken(null)).toBeNull();
    expect(decodeRegistrationToken('reserveId=x')).toBeNull();
  });

  it('userCancel → canceled', () => {
    expect(decodeReturn({ resultCode: 'Fail', resultMessage: 'userCancel', reserveId: 'r' })).toEqual({ outcome: 'canceled', reason: 'userCancel' });
    expect(decodeReturn({ resultCode: 'UserCancel' })).toEqual({ outcome: 'canceled', reason: 'UserCancel' });
  });

  it('anything else → failed with the message as reason', () => {
    expect(decodeReturn({ resultCode: 'Fail', resultMessage: 'OwnerAuthFail' })).toEqual({ outcome: 'failed', reason: 'OwnerAuthFail' });
    expect(decodeReturn({ resultCode: 'Fail', resultMessage: 'paymentTimeExpire' })).toEqual({ outcome: 'failed', reason: 'paymentTimeExpire' });
    expect(decodeReturn({ resultCode: 'Fail', resultMessage: 'webhookFail' })).toEqual({ outcome: 'failed', reason: 'webhookFail' });
    expect(decodeReturn({ resultCode: 'PaymentTimeExpire' })).toEqual({ outcome: 'failed', reason: 'PaymentTimeExpire' });
    expect(decodeReturn({})).toEqual({ outcome: 'failed', reason: 'unknown' });
    expect(decodeReturn({ resultCode: 'Success' })).toEqual({ outcome: 'failed', reason: 'missing paymentId' });
  });
});

describe('checkout parameters', () => {
  it('builds SDK open() / v2/reserve params from the checkout input', () => {
    const input: CheckoutInput = {
      paymentId: 'pay_01J8Z',
      userRef: 'usr_1',
      itemName: '프리미엄 월간',
      amountKrw: krw(9900),
      vatKrw: krw(900),
      returnUrl: 'https://shop.example/return?x=1',
      cancelUrl: 'https://shop.example/cancel',
      failUrl: 'https://shop.example/fail',
      recurring: false,
      idempotencyKey: 'k',
    };
    expect(onetimeCheckoutParams(input)).toEqual({
      merchantPayKey: 'pay_01J8Z',
      merchantUserKey: 'usr_1',
      productName: '프리미엄 월간',
      productCount: 1,
      totalPayAmount: 9900,
      taxScopeAmount: 9900,
      taxExScopeAmount: 0,
      returnUrl: 'https://shop.example/return?x=1',
      productItems: [{ categoryType: 'ETC', categoryId: 'ETC', uid: 'pay_01J8Z', name: '프리미엄 월간', count: 1 }],
    });
    expect(onetimeCheckoutParams({ ...input, itemName: 'x'.repeat(300) }).productName).toHaveLength(128);
  });
});

describe('idempotency keys', () => {
  it('keeps a key that already fits', () => {
    expect(wireIdempotencyKey('approve-pay_01J8Z')).toBe('approve-pay_01J8Z');
  });

  it('derives per-step keys that fit the wire rules and differ per step', () => {
    const base = 'approve:pay_01J8Z';
    const keys = ['regist', 'reserve', 'approve'].map((step) => wireIdempotencyKey(base, step));
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(isWireIdempotencyKey(key)).toBe(true);
    expect(wireIdempotencyKey(base, 'regist')).toBe(keys[0]);
    expect(keys[0]).toMatch(/regist-[A-Za-z0-9_-]{43}$/);
  });

  it('any input gives a valid, deterministic key; distinct inputs give distinct keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.constantFrom('regist', 'reserve', 'approve'), { nil: undefined }), (a, b, step) => {
        const ka = wireIdempotencyKey(a, step);
        expect(isWireIdempotencyKey(ka)).toBe(true);
        expect(wireIdempotencyKey(a, step)).toBe(ka);
        if (a !== b) expect(wireIdempotencyKey(b, step)).not.toBe(ka);
      }),
    );
  });
});
