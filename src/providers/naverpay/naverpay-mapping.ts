/**
 * Pure NaverPay ↔ domain mapping: timestamps, payment details and history rows → `PaymentResult`,
 * cancels → `RefundResult`, the result-code table (spec §4), browser-return decoding (§3.2, §3.8)
 * and idempotency-key derivation. No I/O; "now" is always passed in.
 */
import { createHash } from 'node:crypto';
import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderRequestError,
  ProviderUnavailableError,
  type DeclineReason,
  type ProviderError,
} from '../../domain/errors.ts';
import { krw, type Krw } from '../../domain/money.ts';
import type {
  CheckoutInput,
  PaymentMethodKind,
  PaymentResult,
  RefundResult,
  ReturnOutcome,
} from '../../domain/ports.ts';
import type { z } from 'zod';
import {
  ADMISSION_STATE,
  ADMISSION_TYPE,
  SUCCESS_CODE,
  type NaverPayCancelBody,
  type NaverPayEnvelope,
  type NaverPayHistoryRow,
  type NaverPayPaymentDetail,
  type OnetimeCheckoutParams,
} from './naverpay-wire.ts';

export const PROVIDER_ID = 'naverpay';

// ---------------------------------------------------------------------------------------------
// Time: NaverPay sends `yyyyMMddHHmmss` in KST (UTC+9, no daylight saving).

const KST_OFFSET_MS = 9 * 60 * 60_000;
const YMDT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `yyyyMMddHHmmss` (KST) → Date; null for empty or malformed values. */
export function parseKstDateTime(value: string | null | undefined): Date | null {
  const m = value ? YMDT.exec(value.trim()) : null;
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - KST_OFFSET_MS;
  const check = new Date(ms + KST_OFFSET_MS);
  // Reject calendar overflow such as month 13 or Feb 30, which Date.UTC would roll over.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  return new Date(ms);
}

/** Date → `yyyyMMddHHmmss` in KST (history time ranges). */
export function formatKstDateTime(date: Date): string {
  const kst = new Date(date.getTime() + KST_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(kst.getUTCFullYear(), 4) +
    pad(kst.getUTCMonth() + 1) +
    pad(kst.getUTCDate()) +
    pad(kst.getUTCHours()) +
    pad(kst.getUTCMinutes()) +
    pad(kst.getUTCSeconds())
  );
}

// ---------------------------------------------------------------------------------------------
// Result codes (spec §4). Business failures arrive as HTTP 200 with `code !== 'Success'`.

export type ResultCodeRule =
  | { kind: 'declined'; reason: DeclineReason }
  | { kind: 'unavailable'; outcomeUnknown: boolean }
  | { kind: 'request' }
  | { kind: 'config' };

type Scope = 'generic' | 'approve' | 'cancel' | 'history' | 'other';

const declined = (reason: DeclineReason): ResultCodeRule => ({ kind: 'declined', reason });
const unavailable = (outcomeUnknown: boolean): ResultCodeRule => ({ kind: 'unavailable', outcomeUnknown });
const REQUEST: ResultCodeRule = { kind: 'request' };
const CONFIG: ResultCodeRule = { kind: 'config' };

/**
 * Every NaverPay result code we know, with the spec section it comes from. The codes do not
 * clash across endpoints, so one table serves approve, cancel, history and recurrent calls
 * (recurrent approval is assumed to share the approve codes, §4.2).
 */
export const RESULT_CODES: Readonly<Record<string, { scope: Scope; rule: ResultCodeRule; note: string }>> = {
  // §4.1 generic
  RequireParameter: { scope: 'generic', rule: REQUEST, note: 'mandatory parameter missing' },
  InvalidParameter: { scope: 'generic', rule: REQUEST, note: 'parameter violates a condition' },
  Fail: { scope: 'generic', rule: declined('declined'), note: 'other failure; message is shown to the user' },
  InvalidMerchant: { scope: 'generic', rule: CONFIG, note: 'bad partner id / client / chain id' },
  MaintenanceOngoing: { scope: 'generic', rule: unavailable(false), note: 'NaverPay maintenance' },
  // §4.2 approve (v2.2/apply/payment, recurrent/pay/v3/approval)
  TimeExpired: { scope: 'approve', rule: declined('expired'), note: '>10 min after authorisation; never charged' },
  AlreadyOnGoing: { scope: 'approve', rule: unavailable(true), note: 'an approval for this paymentId is running' },
  AlreadyComplete: { scope: 'approve', rule: declined('already_approved'), note: 'approved before; body null' },
  OwnerAuthFail: { scope: 'approve', rule: declined('declined'), note: 'card-owner authentication failed' },
  BankMaintenance: { scope: 'approve', rule: unavailable(false), note: 'bank maintenance' },
  NotEnoughAccountBalance: { scope: 'approve', rule: declined('declined'), note: 'account balance insufficient' },
  FaultCheckOngoing: { scope: 'approve', rule: unavailable(false), note: 'upstream institution outage' },
  // §4.3 cancel (v1/cancel)
  InvalidPaymentId: { scope: 'cancel', rule: declined('not_found'), note: 'unknown paymentId' },
  AlreadyCanceled: { scope: 'cancel', rule: declined('already_canceled'), note: 'fully cancelled already' },
  OverRemainAmount: { scope: 'cancel', rule: declined('exceeds_refundable'), note: 'cancelAmount > remaining' },
  PreCancelNotComplete: { scope: 'cancel', rule: unavailable(false), note: 'previous cancel not reflected yet' },
  CancelDeadlineExpired: { scope: 'cancel', rule: declined('expired'), note: 'refund outside NaverPay' },
  TaxScopeAmtGreaterThanRemainError: {
    scope: 'cancel',
    rule: declined('exceeds_refundable'),
    note: 'tax bucket exceeds its remainder',
  },
  TaxScopeAmountError: { scope: 'cancel', rule: REQUEST, note: 'taxScope + taxExScope ≠ cancelAmount: our bug' },
  RestAmountDiff: {
    scope: 'cancel',
    rule: declined('exceeds_refundable'),
    note: 'expectedRestAmount ≠ remaining: our refundable view is stale',
  },
  CancelNotComplete: {
    scope: 'cancel',
    rule: unavailable(true),
    note: 'accepted, NaverPay finishes it later; only an error when no body came back',
  },
  InvalidDiscountCancelCondition: { scope: 'cancel', rule: declined('declined'), note: 'discount policy forbids it' },
  // §4.4 history
  RequireCondition: { scope: 'history', rule: REQUEST, note: 'search input does not satisfy conditions' },
  TimeConditionError: { scope: 'history', rule: REQUEST, note: 'range > 31 days (older code)' },
  // §4.5 older / other; §2.5 HTTP 401 body
  BankCheckTime: { scope: 'other', rule: unavailable(false), note: 'bank window 23:30–00:30' },
  InvalidMerchantType: { scope: 'other', rule: CONFIG, note: 'merchant not eligible' },
  InvalidMerchantAuth: { scope: 'other', rule: CONFIG, note: 'spelling seen in one client' },
  Unauthorized: { scope: 'other', rule: CONFIG, note: 'HTTP 401: bad client id/secret/chain id' },
};

/** Unknown codes are final refusals: HTTP 200 means NaverPay processed and said no. */
const UNKNOWN_CODE_RULE: ResultCodeRule = declined('declined');

export function ruleForResultCode(code: string): ResultCodeRule {
  return RESULT_CODES[code]?.rule ?? UNKNOWN_CODE_RULE;
}

const DEFAULT_MESSAGES: Record<ResultCodeRule['kind'], string> = {
  declined: '네이버페이가 요청을 거절했습니다.',
  unavailable: '네이버페이를 일시적으로 사용할 수 없습니다.',
  request: '네이버페이 요청 형식이 올바르지 않습니다.',
  config: '네이버페이 가맹점 설정이 올바르지 않습니다.',
};

/** The typed error for a non-`Success` result code. */
export function errorForResultCode(code: string, message?: string | null, cause?: unknown): ProviderError {
  const rule = ruleForResultCode(code);
  const text = message && message.trim() !== '' ? message : `${DEFAULT_MESSAGES[rule.kind]} (${code})`;
  const options = cause === undefined ? undefined : { cause };
  switch (rule.kind) {
    case 'declined':
      return new ProviderDeclinedError(PROVIDER_ID, code, text, rule.reason, options);
    case 'unavailable':
      return new ProviderUnavailableError(PROVIDER_ID, code, text, rule.outcomeUnknown, options);
    case 'request':
      return new ProviderRequestError(PROVIDER_ID, code, text, options);
    case 'config':
      return new ProviderConfigError(PROVIDER_ID, code, text, options);
  }
}

/** A `Success` answer we could not read. After a money call it may have moved money. */
export function unexpectedResponse(detail: string, moneyCall: boolean, cause?: unknown): ProviderError {
  const message = `네이버페이 응답을 해석할 수 없습니다: ${detail}`;
  return moneyCall
    ? new ProviderUnavailableError(PROVIDER_ID, 'UnexpectedResponse', message, true, { cause })
    : new ProviderRequestError(PROVIDER_ID, 'UnexpectedResponse', message, { cause });
}

/**
 * `body` of a `Success` envelope parsed with `schema`; otherwise throws the error of the code
 * (or `unexpectedResponse` when a `Success` body does not have the expected shape).
 */
export function expectSuccess<S extends z.ZodType>(
  envelope: NaverPayEnvelope,
  schema: S,
  context: { operation: string; moneyCall: boolean },
): z.output<S> {
  if (envelope.code !== SUCCESS_CODE) throw errorForResultCode(envelope.code, envelope.message, envelope);
  const parsed = schema.safeParse(envelope.body);
  if (!parsed.success) throw unexpectedResponse(`${context.operation}: ${parsed.error.message}`, context.moneyCall, envelope);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Payment details and history → domain.

/** `cardCorpCode` (§4.7). */
export const CARD_CORPS: Readonly<Record<string, string>> = {
  C0: '신한카드',
  C1: '비씨카드',
  C2: '광주카드',
  C3: 'KB국민카드',
  C4: 'NH농협카드',
  C5: '롯데카드',
  C6: '산업카드',
  C7: '삼성카드',
  C8: '수협카드',
  C9: '씨티카드',
  CA: '외환카드',
  CB: '우리카드',
  CC: '전북카드',
  CD: '제주카드',
  CF: '하나카드',
  CH: '현대카드',
};

/** `bankCorpCode`: KFTC bank codes (§4.7), the common ones. */
export const BANK_CORPS: Readonly<Record<string, string>> = {
  '004': 'KB국민은행',
  '011': 'NH농협은행',
  '020': '우리은행',
  '081': '하나은행',
  '088': '신한은행',
  '089': '케이뱅크',
  '090': '카카오뱅크',
};

const POINT_LABEL = '네이버페이 포인트';

/** NaverPay masks numbers already; mask defensively if a value ever arrives in clear. */
export function maskNumber(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes('*')) return trimmed;
  const keep = 4;
  return trimmed.length <= keep ? '*'.repeat(trimmed.length) : '*'.repeat(trimmed.length - keep) + trimmed.slice(-keep);
}

/** primaryPayMeans CARD → card, BANK → bank, absent/empty → point (fully point/money paid). */
export function paymentMethodOf(detail: Pick<
  NaverPayPaymentDetail,
  'primaryPayMeans' | 'cardCorpCode' | 'cardNo' | 'bankCorpCode' | 'bankAccountNo'
>): { kind: PaymentMethodKind; label: string | null } {
  const means = (detail.primaryPayMeans ?? '').trim().toUpperCase();
  if (means === 'CARD') {
    const corp = (detail.cardCorpCode && CARD_CORPS[detail.cardCorpCode]) || '카드';
    return { kind: 'card', label: detail.cardNo ? `${corp} ${maskNumber(detail.cardNo)}` : corp };
  }
  if (means === 'BANK') {
    const bank = (detail.bankCorpCode && BANK_CORPS[detail.bankCorpCode]) || '계좌';
    return { kind: 'bank', label: detail.bankAccountNo ? `${bank} ${maskNumber(detail.bankAccountNo)}` : bank };
  }
  if (means === '') return { kind: 'point', label: POINT_LABEL };
  return { kind: 'unknown', label: null };
}

/** KRW from the wire; a negative or fractional amount means we misread the answer. */
export function wireKrw(value: number, field: string): Krw {
  try {
    return krw(value);
  } catch (error) {
    throw unexpectedResponse(`${field}=${value}`, true, error);
  }
}

/** The card approval number (`cardAuthNo`) of a card payment; null for bank and point payments. */
export function approvalNoOf(detail: NaverPayPaymentDetail): string | null {
  return detail.primaryPayMeans === 'CARD' && detail.cardAuthNo ? detail.cardAuthNo : null;
}

/** An approval `detail` (one-time or recurrent) → a freshly approved `PaymentResult`. */
export function paymentResultFromDetail(
  detail: NaverPayPaymentDetail,
  options: { billingKey: string | null; raw: unknown; now: Date },
): PaymentResult {
  const method = paymentMethodOf(detail);
  const amount = wireKrw(detail.totalPayAmount, 'totalPayAmount');
  return {
    providerRef: detail.paymentId,
    status: 'approved',
    amountKrw: amount,
    refundableKrw: amount,
    methodKind: method.kind,
    methodLabel: method.label,
    billingKey: options.billingKey,
    orderRef: detail.merchantPayKey || null,
    approvalNo: approvalNoOf(detail),
    occurredAt: parseKstDateTime(detail.admissionYmdt) ?? parseKstDateTime(detail.tradeConfirmYmdt) ?? options.now,
    raw: options.raw,
  };
}

export interface ApprovalExpectation {
  amountKrw: number;
  /** Our payment id, compared with `merchantPayKey` when set. */
  merchantPayKey: string | null;
}

export type ApprovalMismatch =
  | { kind: 'amount'; expected: number; actual: number }
  | { kind: 'order'; expected: string; actual: string }
  | { kind: 'state'; actual: string };

/**
 * Spec §5: after `Success`, check what NaverPay approved against our order. In the SDK flow the
 * browser sends the amount, so a tampered amount is approved as sent.
 */
export function checkApproval(detail: NaverPayPaymentDetail, expected: ApprovalExpectation): ApprovalMismatch | null {
  if (detail.admissionState && detail.admissionState !== ADMISSION_STATE.success) {
    return { kind: 'state', actual: detail.admissionState };
  }
  if (expected.merchantPayKey !== null && detail.merchantPayKey && detail.merchantPayKey !== expected.merchantPayKey) {
    return { kind: 'order', expected: expected.merchantPayKey, actual: detail.merchantPayKey };
  }
  if (detail.totalPayAmount !== expected.amountKrw) {
    return { kind: 'amount', expected: expected.amountKrw, actual: detail.totalPayAmount };
  }
  return null;
}

function isCancelRow(row: NaverPayHistoryRow): boolean {
  return row.admissionTypeCode === ADMISSION_TYPE.fullCancel || row.admissionTypeCode === ADMISSION_TYPE.partialCancel;
}

function isApprovalRow(row: NaverPayHistoryRow): boolean {
  return row.admissionTypeCode === ADMISSION_TYPE.approval;
}

function succeeded(row: NaverPayHistoryRow): boolean {
  // Rows always carry a state in the samples; a missing one is read as SUCCESS (no "pending" value exists).
  return (row.admissionState ?? ADMISSION_STATE.success) === ADMISSION_STATE.success;
}

function latestTime(rows: NaverPayHistoryRow[], fallback: Date): Date {
  let latest: Date | null = null;
  for (const row of rows) {
    const at = parseKstDateTime(row.admissionYmdt);
    if (at && (!latest || at > latest)) latest = at;
  }
  return latest ?? fallback;
}

/**
 * History rows of one paymentId → the provider's current view:
 * approved / partially_refunded / refunded from the cancel rows, declined when only FAIL
 * approval rows exist. No approval row at all → `ProviderDeclinedError('not_found')`.
 */
export function paymentResultFromHistory(
  rows: NaverPayHistoryRow[],
  options: { raw: unknown; now: Date; billingKey?: string | null },
): PaymentResult {
  const approvals = rows.filter(isApprovalRow);
  const approved = approvals.find(succeeded);
  if (!approved) {
    const failed = approvals[0];
    if (!failed) {
      throw new ProviderDeclinedError(PROVIDER_ID, 'NotFound', '네이버페이에서 결제를 찾을 수 없습니다.', 'not_found');
    }
    const method = paymentMethodOf(failed);
    return {
      providerRef: failed.paymentId,
      status: 'declined',
      amountKrw: wireKrw(failed.totalPayAmount, 'totalPayAmount'),
      refundableKrw: krw(0),
      methodKind: method.kind,
      methodLabel: method.label,
      billingKey: options.billingKey ?? null,
      orderRef: failed.merchantPayKey || null,
      occurredAt: latestTime(approvals, options.now),
      raw: options.raw,
    };
  }
  const cancels = rows.filter((row) => isCancelRow(row) && succeeded(row));
  const total = wireKrw(approved.totalPayAmount, 'totalPayAmount');
  const cancelled = cancels.reduce((sum, row) => sum + Math.abs(row.totalPayAmount), 0);
  const refundable = krw(Math.max(0, total - cancelled));
  const method = paymentMethodOf(approved);
  return {
    providerRef: approved.paymentId,
    status: cancelled === 0 ? 'approved' : refundable === 0 ? 'refunded' : 'partially_refunded',
    amountKrw: total,
    refundableKrw: refundable,
    methodKind: method.kind,
    methodLabel: method.label,
    billingKey: options.billingKey ?? null,
    orderRef: approved.merchantPayKey || null,
    approvalNo: approvalNoOf(approved),
    occurredAt: latestTime([approved, ...cancels], options.now),
    raw: options.raw,
  };
}

/** A `v1/cancel` success (or accepted `CancelNotComplete`) body → `RefundResult`. */
export function refundResultFromCancel(
  body: NaverPayCancelBody,
  options: { amountKrw: Krw; expectedRestKrw: number; raw: unknown; now: Date },
): RefundResult {
  const rest = body.totalRestAmount ?? options.expectedRestKrw;
  return {
    providerRefundRef: body.payHistId ? body.payHistId : null,
    amountKrw: options.amountKrw,
    remainingKrw: wireKrw(rest, 'totalRestAmount'),
    occurredAt: parseKstDateTime(body.cancelYmdt) ?? options.now,
    raw: options.raw,
  };
}

// ---------------------------------------------------------------------------------------------
// Checkout parameters (SDK open() and v2/reserve share them, §3.1/§3.3).

const PRODUCT_NAME_MAX = 128;
const PRODUCT_UID_MAX = 100;

export function productName(itemName: string): string {
  const name = itemName.trim();
  return name.length > PRODUCT_NAME_MAX ? name.slice(0, PRODUCT_NAME_MAX) : name;
}

/**
 * One product line, taxable: NaverPay takes no VAT field, only the taxable/exempt split, and
 * our prices are VAT-inclusive taxable supplies (taxScopeAmount = total, taxExScopeAmount = 0).
 */
export function onetimeCheckoutParams(input: CheckoutInput): OnetimeCheckoutParams {
  const name = productName(input.itemName);
  return {
    merchantPayKey: input.paymentId,
    merchantUserKey: input.userRef,
    productName: name,
    productCount: 1,
    totalPayAmount: input.amountKrw,
    taxScopeAmount: input.amountKrw,
    taxExScopeAmount: 0,
    returnUrl: input.returnUrl,
    productItems: [
      {
        categoryType: 'ETC',
        categoryId: 'ETC',
        // uid allows letters, digits, space, '/', '-', '_' (§3.1).
        uid: input.paymentId.replace(/[^A-Za-z0-9 /_-]/g, '_').slice(0, PRODUCT_UID_MAX),
        name,
        count: 1,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Browser return (§3.2 one-time, §3.8 recurrent registration).

/**
 * `approvalToken` of a recurrent registration return: the two ids NaverPay hands back, as an
 * `application/x-www-form-urlencoded` string `reserveId=…&tempReceiptId=…` (the ids contain
 * `+`, `/` and `=`, which this encoding escapes). `approveCheckout` decodes it.
 */
export function encodeRegistrationToken(reserveId: string, tempReceiptId: string): string {
  return new URLSearchParams({ reserveId, tempReceiptId }).toString();
}

export function decodeRegistrationToken(token: string | null): { reserveId: string; tempReceiptId: string } | null {
  if (!token) return null;
  const params = new URLSearchParams(token);
  const reserveId = params.get('reserveId');
  const tempReceiptId = params.get('tempReceiptId');
  return reserveId && tempReceiptId ? { reserveId, tempReceiptId } : null;
}

function firstValue(query: Record<string, string | undefined>, name: string): string | undefined {
  const value = query[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Decodes the query NaverPay appended to our return URL. Matching is case-insensitive and
 * anything but `resultCode=Success` is a failure (§8):
 * - one-time success → authorized, providerRef = paymentId, approvalToken null;
 * - recurrent registration success (`reserveId` + `tempReceiptId`) → authorized,
 *   providerRef = reserveId, approvalToken = `encodeRegistrationToken(…)`;
 * - `resultMessage=userCancel` (or `resultCode=UserCancel`) → canceled;
 * - anything else → failed with `resultMessage` (or the code) as reason.
 */
export function decodeReturn(query: Record<string, string | undefined>): ReturnOutcome {
  const resultCode = firstValue(query, 'resultCode');
  const resultMessage = firstValue(query, 'resultMessage');
  // The approve API body (`{paymentId}`) carries no resultCode: the browser
  // only has a paymentId after a successful return.
  if (resultCode === undefined && resultMessage === undefined && firstValue(query, 'paymentId')) {
    return { outcome: 'authorized', providerRef: firstValue(query, 'paymentId')!, approvalToken: null };
  }
  if (resultCode?.toLowerCase() === 'success') {
    const paymentId = firstValue(query, 'paymentId');
    if (paymentId) return { outcome: 'authorized', providerRef: paymentId, approvalToken: null };
    const reserveId = firstValue(query, 'reserveId');
    const tempReceiptId = firstValue(query, 'tempReceiptId');
    if (reserveId && tempReceiptId) {
      return { outcome: 'authorized', providerRef: reserveId, approvalToken: encodeRegistrationToken(reserveId, tempReceiptId) };
    }
    return { outcome: 'failed', reason: 'missing paymentId' };
  }
  if (resultMessage?.toLowerCase() === 'usercancel' || resultCode?.toLowerCase() === 'usercancel') {
    return { outcome: 'canceled', reason: resultMessage ?? resultCode ?? 'userCancel' };
  }
  return { outcome: 'failed', reason: resultMessage ?? resultCode ?? 'unknown' };
}

// ---------------------------------------------------------------------------------------------
// Idempotency keys: ≤64 characters of [A-Za-z0-9_-] (§2.2).

const WIRE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export function isWireIdempotencyKey(key: string): boolean {
  return WIRE_KEY.test(key);
}

/**
 * The `X-NaverPay-Idempotency-Key` for one step of an operation: `base` or `base:step` when it
 * already fits the charset and length; otherwise a readable tail plus a SHA-256 digest of it
 * (`…tail-<43 base64url chars>`), so the same input always yields the same key — retries and
 * restarts reuse it — and distinct inputs do not collide.
 */
export function wireIdempotencyKey(base: string, step?: string): string {
  const raw = step === undefined ? base : `${base}:${step}`;
  if (WIRE_KEY.test(raw)) return raw;
  const digest = createHash('sha256').update(raw).digest('base64url');
  const tail = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(-20);
  return `${tail}-${digest}`;
}
