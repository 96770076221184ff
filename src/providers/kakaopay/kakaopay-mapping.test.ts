import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderInFlightError,
  ProviderRequestError,
  ProviderUnavailableError,
  type DeclineReason,
} from '../../domain/errors.ts';
import { krw } from '../../domain/money.ts';
import type { CheckoutInput, ProviderPaymentStatus } from '../../domain/ports.ts';
import {
  cardLabelOf,
  fromApproveResponse,
  fromCancelResponse,
  fromOrderResponse,
  fromReadyResponse,
  fromReturnQuery,
  KAKAOPAY_ERROR_TABLE,
  KAKAOPAY_STATUS_TABLE,
  parseKstDateTime,
  statusOf,
  toApproveRequest,
  toCancelRequest,
  toProviderError,
  toReadyRequest,
  toSubscriptionRequest,
} from './kakaopay-mapping.ts';
import {
  KAKAOPAY_PAYMENT_STATUSES,
  KAKAOPAY_RESPONSE_SCHEMAS,
  parseKakaoPayErrorEnvelope,
} from './kakaopay-wire.ts';

interface Fixture {
  http_status: number;
  body: unknown;
}

function fixture(path: string): Fixture {
  const url = new URL(`../../../test/fixtures/kakaopay/${path}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

const FIFTEEN_MIN = 15 * 60 * 1000;

describe('parseKstDateTime', () => {
  it('reads KakaoPay local time as +09:00', () => {
    expect(parseKstDateTime('2023-07-15T21:18:22').toISOString()).toBe('2023-07-15T12:18:22.000Z');
    expect(parseKstDateTime('2024-01-01T05:00:00').toISOString()).toBe('2023-12-31T20:00:00.000Z');
  });
  it.each(['2023-07-15 21:18:22', '2023-07-15T21:18:22Z', '2023-07-15', '', '2023-13-45T99:00:00'])(
    'rejects %j',
    (value) => {
      expect(() => parseKstDateTime(value)).toThrow(ProviderRequestError);
    },
  );
});

describe('domain → wire', () => {
  const checkout: CheckoutInput = {
    paymentId: 'pay_1',
    userRef: 'usr_1',
    itemName: '프로 플랜',
    amountKrw: krw(29000),
    vatKrw: krw(2636),
    returnUrl: 'https://shop.test/return?p=pay_1',
    cancelUrl: 'https://shop.test/cancel',
    failUrl: 'https://shop.test/fail',
    recurring: false,
    idempotencyKey: 'k1',
  };

  it('builds ready from checkout input', () => {
    expect(toReadyRequest(checkout, 'TC0ONETIME')).toEqual({
      cid: 'TC0ONETIME',
      partner_order_id: 'pay_1',
      partner_user_id: 'usr_1',
      item_name: '프로 플랜',
      quantity: 1,
      total_amount: 29000,
      tax_free_amount: 0,
      vat_amount: 2636,
      approval_url: 'https://shop.test/return?p=pay_1',
      cancel_url: 'https://shop.test/cancel',
      fail_url: 'https://shop.test/fail',
    });
  });

  it('builds approve with the same partner ids and the total', () => {
    const input = {
      paymentId: 'pay_1',
      userRef: 'usr_1',
      providerRef: 'T1234567890123456789',
      approvalToken: 'abc',
      amountKrw: krw(29000),
      recurring: true,
      idempotencyKey: 'k',
    };
    expect(toApproveRequest(input, 'TCSUBSCRIP', 'abc')).toEqual({
      cid: 'TCSUBSCRIP',
      tid: 'T1234567890123456789',
      partner_order_id: 'pay_1',
      partner_user_id: 'usr_1',
      pg_token: 'abc',
      total_amount: 29000,
    });
  });

  it('builds cancel with the optimistic remainder', () => {
    const input = {
      paymentId: 'pay_1',
      providerRef: 'T1',
      amountKrw: krw(3000),
      vatKrw: krw(273),
      refundableBeforeKrw: krw(29000),
      reason: 'customer',
      idempotencyKey: 'k',
    };
    expect(toCancelRequest(input, 'TC0ONETIME')).toEqual({
      cid: 'TC0ONETIME',
      tid: 'T1',
      cancel_amount: 3000,
      cancel_tax_free_amount: 0,
      cancel_vat_amount: 273,
      cancel_available_amount: 29000,
    });
  });

  it('builds a subscription charge', () => {
    const input = {
      paymentId: 'pay_2',
      userRef: 'usr_1',
      billingKey: 'S1234567890987654321',
      itemName: '프로 플랜 2월',
      amountKrw: krw(29000),
      vatKrw: krw(2636),
      idempotencyKey: 'k',
    };
    expect(toSubscriptionRequest(input, 'TCSUBSCRIP')).toEqual({
      cid: 'TCSUBSCRIP',
      sid: 'S1234567890987654321',
      partner_order_id: 'pay_2',
      partner_user_id: 'usr_1',
      item_name: '프로 플랜 2월',
      quantity: 1,
      total_amount: 29000,
      tax_free_amount: 0,
      vat_amount: 2636,
    });
  });
});

describe('recorded responses (online-v1)', () => {
  it('ready → prepared checkout with PC/mobile redirects and expiry', () => {
    const { body } = fixture('online-v1/ready.json');
    const parsed = KAKAOPAY_RESPONSE_SCHEMAS.ready.parse(body);
    const prepared = fromReadyResponse(parsed, body, FIFTEEN_MIN);
    expect(prepared).toEqual({
      providerRef: 'T469b847306d7b2dc394',
      redirectUrl: expect.stringMatching(/\/info$/),
      mobileRedirectUrl: expect.stringMatching(/\/mInfo$/),
      clientLaunch: null,
      expiresAt: new Date('2023-05-21T06:35:55.000Z'), // 15:20:55 KST + 15 min
      echo: { tid: 'T469b847306d7b2dc394', payment_url: expect.stringMatching(/\/info$/), mobile_url: expect.stringMatching(/\/mInfo$/) },
      raw: body,
    });
  });

  it('approve MONEY → approved, money, no card label', () => {
    const { body } = fixture('online-v1/approve-money.json');
    const result = fromApproveResponse(KAKAOPAY_RESPONSE_SCHEMAS.approve.parse(body), body);
    expect(result).toEqual({
      providerRef: 'T1234567890123456789',
      status: 'approved',
      amountKrw: 2200,
      refundableKrw: 2200,
      methodKind: 'money',
      methodLabel: '카카오페이머니',
      billingKey: null,
      orderRef: 'partner_order_id',
      approvalNo: null,
      occurredAt: new Date('2023-07-15T12:18:22.000Z'),
      raw: body,
    });
  });

  it('approve CARD → card label from card_info', () => {
    const { body } = fixture('online-v1/approve-card.json');
    const result = fromApproveResponse(KAKAOPAY_RESPONSE_SCHEMAS.approve.parse(body), body);
    expect(result.methodKind).toBe('card');
    expect(result.methodLabel).toBe('비씨카드 621640******');
    expect(result.amountKrw).toBe(2200);
    expect(result.status).toBe('approved');
    // The card company's approval number, not the tid.
    expect(result.approvalNo).toBe('12345678');
  });

  it('approve with sid → billingKey', () => {
    const { body } = fixture('online-v1/approve-card.json');
    const withSid = { ...(body as object), cid: 'TCSUBSCRIP', sid: 'S1234567890987654321' };
    const result = fromApproveResponse(KAKAOPAY_RESPONSE_SCHEMAS.approve.parse(withSid), withSid);
    expect(result.billingKey).toBe('S1234567890987654321');
  });

  it('order lookup → status, amount and refundable remainder', () => {
    const { body } = fixture('online-v1/order-success.json');
    const result = fromOrderResponse(KAKAOPAY_RESPONSE_SCHEMAS.order.parse(body), body);
    expect(result).toEqual({
      providerRef: 'T1234567890123456789',
      status: 'approved',
      amountKrw: 2200,
      refundableKrw: 2200,
      methodKind: 'money',
      methodLabel: '카카오페이머니',
      billingKey: null,
      orderRef: 'partner_order_id',
      occurredAt: new Date('2016-11-15T12:20:48.000Z'),
      raw: body,
    });
  });

  it('order lookup of a READY tid has no method and no refundable amount', () => {
    const body = {
      tid: 'T1234567890123456789',
      cid: 'TC0ONETIME',
      status: 'READY',
      payment_method_type: null,
      amount: { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 },
      cancel_available_amount: { total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 },
      created_at: '2016-11-15T21:18:22',
      approved_at: null,
      canceled_at: null,
      selected_card_info: null,
    };
    const result = fromOrderResponse(KAKAOPAY_RESPONSE_SCHEMAS.order.parse(body), body);
    expect(result.status).toBe('pending');
    expect(result.methodKind).toBe('unknown');
    expect(result.methodLabel).toBeNull();
    expect(result.refundableKrw).toBe(0);
    expect(result.occurredAt).toEqual(new Date('2016-11-15T12:18:22.000Z'));
  });

  it('order lookup with selected_card_info → card label', () => {
    const { body } = fixture('online-v1/order-success.json');
    const card = {
      ...(body as object),
      payment_method_type: 'CARD',
      selected_card_info: { card_bin: '621640', install_month: 0, card_corp_name: '비씨카드', interest_free_install: 'N' },
    };
    const result = fromOrderResponse(KAKAOPAY_RESPONSE_SCHEMAS.order.parse(card), card);
    expect(result.methodLabel).toBe('비씨카드 621640******');
  });

  it('full cancel → refund result with aid and zero remainder', () => {
    const { body } = fixture('online-v1/cancel-full.json');
    const result = fromCancelResponse(KAKAOPAY_RESPONSE_SCHEMAS.cancel.parse(body), body, krw(2200));
    expect(result).toEqual({
      providerRefundRef: 'A5678901234567890123',
      amountKrw: 2200,
      remainingKrw: 0,
      occurredAt: new Date('2016-11-15T12:28:28.000Z'),
      raw: body,
    });
  });

  it('-780 envelope → declined with the method result in the message', () => {
    const { http_status, body } = fixture('online-v1/error-780.json');
    const envelope = parseKakaoPayErrorEnvelope(body);
    expect(envelope).toEqual({
      code: -780,
      message: 'approval failure!',
      extras: { method_result_code: 'USER_LOCKED', method_result_message: expect.any(String) },
    });
    const error = toProviderError({ httpStatus: http_status, envelope, movesMoney: true });
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ provider: 'kakaopay', providerCode: '-780', reason: 'declined', retryable: false });
    expect(error.message).toContain('USER_LOCKED');
  });
});

describe('recorded responses (v1 legacy)', () => {
  it('legacy CARD approve → label from purchase_corp; amount without green_deposit parses', () => {
    const { body } = fixture('v1/approve-card.json');
    const result = fromApproveResponse(KAKAOPAY_RESPONSE_SCHEMAS.approve.parse(body), body);
    expect(result.methodLabel).toBe('비씨카드 621640******');
    expect(result.amountKrw).toBe(2200);
  });

  it('-781 legacy envelope → declined', () => {
    const { http_status, body } = fixture('v1/error-781.json');
    const envelope = parseKakaoPayErrorEnvelope(body);
    expect(envelope).toEqual({
      code: -781,
      message: 'cancel failure!',
      extras: { method_result_code: '6666', method_result_message: '원거래없음' },
    });
    const error = toProviderError({ httpStatus: http_status, envelope, movesMoney: true });
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: '-781', reason: 'declined' });
  });

  it('-784 legacy envelope (no extras) → already_canceled', () => {
    const { http_status, body } = fixture('v1/error-784.json');
    const envelope = parseKakaoPayErrorEnvelope(body);
    expect(envelope).toEqual({
      code: -784,
      message: 'can not request cancel!(status : CANCEL_PAYMENT)',
      extras: null,
    });
    const error = toProviderError({ httpStatus: http_status, envelope, movesMoney: true });
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ providerCode: '-784', reason: 'already_canceled' });
  });
});

describe('card label', () => {
  it('handles a SID-only card_info (no corp names)', () => {
    expect(cardLabelOf({ bin: '621640', card_type: '체크' })).toBe('621640******');
    expect(cardLabelOf({})).toBeNull();
    expect(cardLabelOf(null)).toBeNull();
  });
});

describe('parseReturn', () => {
  it('pg_token → authorized with the token', () => {
    expect(fromReturnQuery({ pg_token: '3424cdc7b6362982e21e', p: 'pay_1' })).toEqual({
      outcome: 'authorized',
      providerRef: null,
      approvalToken: '3424cdc7b6362982e21e',
    });
  });
  it.each([{}, { pg_token: '' }, { pg_token: undefined }])('%j → failed no_pg_token', (query) => {
    expect(fromReturnQuery(query)).toEqual({ outcome: 'failed', reason: 'no_pg_token' });
  });
});

describe('status table', () => {
  const expected: [string, ProviderPaymentStatus][] = [
    ['READY', 'pending'],
    ['SEND_TMS', 'pending'],
    ['OPEN_PAYMENT', 'pending'],
    ['SELECT_METHOD', 'pending'],
    ['ARS_WAITING', 'pending'],
    ['AUTH_PASSWORD', 'authorized'],
    ['SUCCESS_PAYMENT', 'approved'],
    ['ISSUED_SID', 'approved'],
    ['PART_CANCEL_PAYMENT', 'partially_refunded'],
    ['CANCEL_PAYMENT', 'refunded'],
    ['FAIL_AUTH_PASSWORD', 'declined'],
    ['FAIL_PAYMENT', 'declined'],
    ['QUIT_PAYMENT', 'abandoned'],
  ];

  it.each(expected)('%s → %s', (wire, domain) => {
    expect(statusOf(wire)).toBe(domain);
  });

  it('covers every status of spec §3.3 and nothing else', () => {
    expect(Object.keys(KAKAOPAY_STATUS_TABLE).sort()).toEqual([...KAKAOPAY_PAYMENT_STATUSES].sort());
    expect(expected.map(([wire]) => wire).sort()).toEqual([...KAKAOPAY_PAYMENT_STATUSES].sort());
  });

  it('rejects an unknown status', () => {
    expect(() => statusOf('NEW_STATUS')).toThrow(ProviderRequestError);
    expect(() => statusOf('toString')).toThrow(ProviderRequestError);
  });
});

type Expected =
  | { cls: typeof ProviderDeclinedError; reason: DeclineReason }
  | { cls: typeof ProviderUnavailableError | typeof ProviderInFlightError; outcomeUnknown: boolean | 'if_moves_money' }
  | { cls: typeof ProviderRequestError }
  | { cls: typeof ProviderConfigError };

const D = (reason: DeclineReason): Expected => ({ cls: ProviderDeclinedError, reason });
const U = (outcomeUnknown: boolean | 'if_moves_money'): Expected => ({ cls: ProviderUnavailableError, outcomeUnknown });
/** An earlier attempt is still in flight: unavailable with an unknown outcome, and typed as such. */
const IN_FLIGHT: Expected = { cls: ProviderInFlightError, outcomeUnknown: true };
const R: Expected = { cls: ProviderRequestError };
const C: Expected = { cls: ProviderConfigError };

/** Every code of spec §6.2 and §6.3, written out independently of the table under test. */
const ERROR_EXPECTATIONS: [number, Expected][] = [
  [-701, D('user_auth_incomplete')],
  [-702, D('already_approved')],
  [-703, R],
  [-704, D('amount_mismatch')],
  [-705, R],
  [-706, R],
  [-707, R],
  [-708, D('declined')],
  [-710, D('exceeds_refundable')],
  [-711, D('exceeds_refundable')],
  [-721, D('not_found')],
  [-722, D('amount_mismatch')],
  [-723, D('expired')],
  [-724, D('amount_mismatch')],
  [-725, D('amount_mismatch')],
  [-726, R],
  [-730, C],
  [-731, C],
  [-732, C],
  [-733, C],
  [-750, D('not_found')],
  [-751, D('billing_key_inactive')],
  [-752, D('declined')],
  [-753, R],
  [-761, D('declined')],
  [-780, D('declined')],
  [-781, D('declined')],
  [-782, D('declined')],
  [-783, D('declined')],
  [-784, D('already_canceled')],
  [-785, IN_FLIGHT],
  [-797, D('declined')],
  [-798, C],
  [-799, C],
  [-1, U('if_moves_money')],
  [-2, R],
  [-3, C],
  [-4, C],
  [-5, C],
  [-10, U(false)],
  [-401, C],
  [-402, C],
  [-403, C],
  [-9798, U(false)],
];

describe('error table', () => {
  it('lists exactly the codes of spec §6.2/§6.3', () => {
    expect(Object.keys(KAKAOPAY_ERROR_TABLE).map(Number).sort((a, b) => a - b)).toEqual(
      ERROR_EXPECTATIONS.map(([code]) => code).sort((a, b) => a - b),
    );
  });

  describe.each(ERROR_EXPECTATIONS)('%i', (code, expected) => {
    it.each([true, false])('movesMoney=%s, in both envelopes', (movesMoney) => {
      for (const body of [
        { error_code: code, error_message: 'x' },
        { code, msg: 'x' },
      ]) {
        const httpStatus = code === -401 ? 401 : code === -9798 ? 503 : 400;
        const error = toProviderError({ httpStatus, envelope: parseKakaoPayErrorEnvelope(body), movesMoney });
        expect(error).toBeInstanceOf(expected.cls);
        expect(error.provider).toBe('kakaopay');
        expect(error.providerCode).toBe(String(code));
        if ('reason' in expected) expect((error as ProviderDeclinedError).reason).toBe(expected.reason);
        if ('outcomeUnknown' in expected) {
          const want = expected.outcomeUnknown === 'if_moves_money' ? movesMoney : expected.outcomeUnknown;
          expect((error as ProviderUnavailableError).outcomeUnknown).toBe(want);
          expect(error.retryable).toBe(true);
        } else {
          expect(error.retryable).toBe(false);
        }
      }
    });
  });

  it('a listed code wins over HTTP 500 (-780 reported as 500 in one copy of the docs)', () => {
    const envelope = parseKakaoPayErrorEnvelope({ error_code: -780, error_message: 'approval failure!' });
    expect(toProviderError({ httpStatus: 500, envelope, movesMoney: true })).toBeInstanceOf(ProviderDeclinedError);
  });

  it('unknown code → ProviderRequestError on 4xx, ProviderUnavailableError on 5xx', () => {
    const envelope = parseKakaoPayErrorEnvelope({ error_code: -7777, error_message: 'new' });
    const on400 = toProviderError({ httpStatus: 400, envelope, movesMoney: true });
    expect(on400).toBeInstanceOf(ProviderRequestError);
    expect(on400.providerCode).toBe('-7777');
    const on500 = toProviderError({ httpStatus: 500, envelope, movesMoney: true });
    expect(on500).toBeInstanceOf(ProviderUnavailableError);
    expect((on500 as ProviderUnavailableError).outcomeUnknown).toBe(true);
  });

  it('no envelope: 5xx unavailable (outcome unknown only for money calls), 401/404 config, 400 request', () => {
    const e502 = toProviderError({ httpStatus: 502, envelope: null, movesMoney: true });
    expect(e502).toBeInstanceOf(ProviderUnavailableError);
    expect(e502).toMatchObject({ providerCode: 'http_502', outcomeUnknown: true });
    expect(toProviderError({ httpStatus: 503, envelope: null, movesMoney: false })).toMatchObject({
      outcomeUnknown: false,
    });
    expect(toProviderError({ httpStatus: 401, envelope: null, movesMoney: false })).toBeInstanceOf(ProviderConfigError);
    expect(toProviderError({ httpStatus: 404, envelope: null, movesMoney: false })).toBeInstanceOf(ProviderConfigError);
    expect(toProviderError({ httpStatus: 400, envelope: null, movesMoney: false })).toBeInstanceOf(ProviderRequestError);
  });

  it('envelope parsing: numeric-string codes, and non-envelopes', () => {
    expect(parseKakaoPayErrorEnvelope({ error_code: '-401', error_message: 'bad key' })?.code).toBe(-401);
    expect(parseKakaoPayErrorEnvelope('<html>bad gateway</html>')).toBeNull();
    expect(parseKakaoPayErrorEnvelope(undefined)).toBeNull();
    expect(parseKakaoPayErrorEnvelope({ message: 'x' })).toBeNull();
  });
});
