import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderInFlightError,
  ProviderRequestError,
  ProviderUnavailableError,
  type DeclineReason,
  type ProviderError,
} from '../../domain/errors.ts';
import { krw, type Krw } from '../../domain/money.ts';
import type {
  ApproveInput,
  ChargeBillingKeyInput,
  CheckoutInput,
  PaymentMethodKind,
  PaymentResult,
  PreparedCheckout,
  ProviderPaymentStatus,
  RefundInput,
  RefundResult,
  ReturnOutcome,
} from '../../domain/ports.ts';
import type {
  KakaoPayApproveRequest,
  KakaoPayApproveResponse,
  KakaoPayCancelRequest,
  KakaoPayCancelResponse,
  KakaoPayCardInfo,
  KakaoPayErrorEnvelope,
  KakaoPayOrderResponse,
  KakaoPayPaymentStatus,
  KakaoPayReadyRequest,
  KakaoPayReadyResponse,
  KakaoPaySelectedCardInfo,
  KakaoPaySidStatusResponse,
  KakaoPaySubscriptionRequest,
} from './kakaopay-wire.ts';

// Pure wire ↔ domain functions, the status table and the error table. No I/O.

/** Gateway id; also the `provider` of every error thrown by this adapter. */
export const KAKAOPAY_PROVIDER = 'kakaopay';

// ---------------------------------------------------------------------------------------------
// Time and money

const KST_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?$/;

/**
 * KakaoPay timestamps are Korean local time without an offset (`2023-07-15T21:18:22`, spec §2).
 * Korea has no DST, so the instant is that wall time at +09:00.
 * Throws `ProviderRequestError` for anything else.
 */
export function parseKstDateTime(value: string): Date {
  if (!KST_LOCAL.test(value)) throw invalidResponse(`not a KST date-time: ${JSON.stringify(value)}`);
  const date = new Date(`${value}+09:00`);
  if (Number.isNaN(date.getTime())) throw invalidResponse(`not a KST date-time: ${JSON.stringify(value)}`);
  return date;
}

/** Latest of the given KST times that are present; throws when none is. */
function latestKst(...values: (string | null | undefined)[]): Date {
  const dates = values.filter((v): v is string => typeof v === 'string' && v !== '').map(parseKstDateTime);
  if (dates.length === 0) throw invalidResponse('no timestamp in response');
  return new Date(Math.max(...dates.map((d) => d.getTime())));
}

function toKrw(value: number, field: string): Krw {
  try {
    return krw(value);
  } catch {
    throw invalidResponse(`${field} is not a KRW amount: ${value}`);
  }
}

function invalidResponse(message: string): ProviderRequestError {
  return new ProviderRequestError(KAKAOPAY_PROVIDER, 'invalid_response', `kakaopay: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Domain → wire

/**
 * Ready request. partner_order_id = our payment id, partner_user_id = our user ref, one item,
 * nothing tax-free, VAT as given (we always send it so cancels can repeat it, spec §4.4).
 */
export function toReadyRequest(input: CheckoutInput, cid: string): KakaoPayReadyRequest {
  return {
    cid,
    partner_order_id: input.paymentId,
    partner_user_id: input.userRef,
    item_name: input.itemName,
    quantity: 1,
    total_amount: input.amountKrw,
    tax_free_amount: 0,
    vat_amount: input.vatKrw,
    approval_url: input.returnUrl,
    cancel_url: input.cancelUrl,
    fail_url: input.failUrl,
  };
}

/** Approve request; `pgToken` is the approval token read from our return URL. */
export function toApproveRequest(input: ApproveInput, cid: string, pgToken: string): KakaoPayApproveRequest {
  return {
    cid,
    tid: input.providerRef,
    partner_order_id: input.paymentId,
    partner_user_id: input.userRef,
    pg_token: pgToken,
    total_amount: input.amountKrw,
  };
}

/** Cancel request; `cancel_available_amount` is our optimistic guard (what we believe is left). */
export function toCancelRequest(input: RefundInput, cid: string): KakaoPayCancelRequest {
  return {
    cid,
    tid: input.providerRef,
    cancel_amount: input.amountKrw,
    cancel_tax_free_amount: 0,
    cancel_vat_amount: input.vatKrw,
    cancel_available_amount: input.refundableBeforeKrw,
  };
}

/** Subscription (2nd+ recurring) charge request. */
export function toSubscriptionRequest(input: ChargeBillingKeyInput, cid: string): KakaoPaySubscriptionRequest {
  return {
    cid,
    sid: input.billingKey,
    partner_order_id: input.paymentId,
    partner_user_id: input.userRef,
    item_name: input.itemName,
    quantity: 1,
    total_amount: input.amountKrw,
    tax_free_amount: 0,
    vat_amount: input.vatKrw,
  };
}

// ---------------------------------------------------------------------------------------------
// Wire → domain

/** Ready response → what the browser needs. The tid expires `tidLifetimeMs` after `created_at`. */
export function fromReadyResponse(
  response: KakaoPayReadyResponse,
  raw: unknown,
  tidLifetimeMs: number,
): PreparedCheckout {
  const createdAt = parseKstDateTime(response.created_at);
  const pcUrl = response.next_redirect_pc_url ?? null;
  const mobileUrl = response.next_redirect_mobile_url ?? null;
  return {
    providerRef: response.tid,
    redirectUrl: pcUrl,
    mobileRedirectUrl: mobileUrl,
    clientLaunch: null,
    expiresAt: new Date(createdAt.getTime() + tidLifetimeMs),
    // The source document's field names for the KakaoPay ready answer.
    echo: { tid: response.tid, ...(pcUrl !== null ? { payment_url: pcUrl } : {}), mobile_url: mobileUrl },
    raw,
  };
}

/**
 * What came back on our approval URL: KakaoPay appends only `pg_token` (spec §3.1). Our own
 * cancel/fail URLs are routed by the caller, so anything without a token is a failure here.
 */
export function fromReturnQuery(query: Record<string, string | undefined>): ReturnOutcome {
  const token = query.pg_token?.trim();
  // KakaoPay's redirect carries only pg_token; a caller that kept the tid
  // (the source document's `{tid, pg_token}` approve body) passes it too.
  const tid = query.tid?.trim() || null;
  if (token) return { outcome: 'authorized', providerRef: tid, approvalToken: token };
  return { outcome: 'failed', reason: 'no_pg_token' };
}

/** `payment_method_type` → our method kind. */
export function methodKindOf(paymentMethodType: string | null | undefined): PaymentMethodKind {
  switch (paymentMethodType) {
    case 'CARD':
      return 'card';
    case 'MONEY':
      return 'money';
    default:
      return 'unknown';
  }
}

const MONEY_LABEL = '카카오페이머니';

function maskedCardLabel(corp: string | undefined, bin: string | undefined): string | null {
  const parts = [corp, bin ? `${bin}******` : undefined].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** `card_info` → `비씨카드 621640******` (acquirer name, BIN, masked rest). */
export function cardLabelOf(cardInfo: KakaoPayCardInfo | null | undefined): string | null {
  if (!cardInfo) return null;
  const corp =
    cardInfo.kakaopay_purchase_corp ?? cardInfo.purchase_corp ?? cardInfo.kakaopay_issuer_corp ?? cardInfo.issuer_corp;
  return maskedCardLabel(corp, cardInfo.bin);
}

/** `selected_card_info` of order lookup → same label shape as `cardLabelOf`. */
export function selectedCardLabelOf(info: KakaoPaySelectedCardInfo | null | undefined): string | null {
  if (!info) return null;
  return maskedCardLabel(info.card_corp_name, info.card_bin);
}

function methodLabelOf(
  paymentMethodType: string | null | undefined,
  cardLabel: string | null,
): string | null {
  if (paymentMethodType === 'MONEY') return MONEY_LABEL;
  return cardLabel;
}

/**
 * Approve or subscription-charge response → an approved payment. These responses carry no
 * status: a 200 means approved (a 0-won subscription registration, ISSUED_SID, is "approved"
 * too). Nothing is cancelled yet, so all of `amount.total` is refundable.
 */
export function fromApproveResponse(response: KakaoPayApproveResponse, raw: unknown): PaymentResult {
  const amount = toKrw(response.amount.total, 'amount.total');
  return {
    providerRef: response.tid,
    status: 'approved',
    amountKrw: amount,
    refundableKrw: amount,
    methodKind: methodKindOf(response.payment_method_type),
    methodLabel: methodLabelOf(response.payment_method_type, cardLabelOf(response.card_info)),
    billingKey: response.sid ?? null,
    orderRef: response.partner_order_id ?? null,
    // The card company's approval number; a 0-won SID registration has none.
    approvalNo: response.card_info?.approved_id || null,
    occurredAt: latestKst(response.approved_at, response.created_at),
    raw,
  };
}

/**
 * Order lookup → the provider's current view. Order lookup never reports the SID, so
 * `billingKey` is null here. `occurredAt` is the latest event (cancel, approval, or ready).
 */
export function fromOrderResponse(response: KakaoPayOrderResponse, raw: unknown): PaymentResult {
  return {
    providerRef: response.tid,
    status: statusOf(response.status),
    amountKrw: toKrw(response.amount.total, 'amount.total'),
    refundableKrw: toKrw(response.cancel_available_amount?.total ?? 0, 'cancel_available_amount.total'),
    methodKind: methodKindOf(response.payment_method_type),
    methodLabel: methodLabelOf(response.payment_method_type, selectedCardLabelOf(response.selected_card_info)),
    billingKey: null,
    orderRef: response.partner_order_id ?? null,
    occurredAt: latestKst(response.canceled_at, response.approved_at, response.created_at),
    raw,
  };
}

/** Cancel response → refund result; `remainingKrw` is what KakaoPay still allows to cancel. */
export function fromCancelResponse(
  response: KakaoPayCancelResponse,
  raw: unknown,
  requestedKrw: Krw,
): RefundResult {
  return {
    providerRefundRef: response.aid ?? null,
    amountKrw:
      response.approved_cancel_amount !== undefined
        ? toKrw(response.approved_cancel_amount.total, 'approved_cancel_amount.total')
        : requestedKrw,
    remainingKrw: toKrw(response.cancel_available_amount.total, 'cancel_available_amount.total'),
    occurredAt: latestKst(response.canceled_at, response.approved_at, response.created_at),
    raw,
  };
}

/**
 * A subscription charge whose answer was lost has no tid to look up by. The SID status reports
 * `last_approved_at`; an approval at or after the attempt (less `clockSlackMs` for clock skew
 * and KST's whole seconds) is that charge, because the caller never has two charges of one SID
 * in flight. The status does not report the tid or the amount: `providerRef` is
 * `sid:<sid>@<last_approved_at>` and the amount is the one asked for, so refunding such a
 * payment needs its tid from KakaoPay's merchant console. No approval since → `not_found`
 * (nothing was charged).
 */
export function fromSidStatusForCharge(
  response: KakaoPaySidStatusResponse,
  raw: unknown,
  charge: { attemptedAt: Date; amountKrw: Krw; clockSlackMs: number },
): PaymentResult {
  const last = response.last_approved_at ? parseKstDateTime(response.last_approved_at) : null;
  if (!last || last.getTime() < charge.attemptedAt.getTime() - charge.clockSlackMs) {
    throw new ProviderDeclinedError(KAKAOPAY_PROVIDER, 'sid_no_charge', 'kakaopay: no charge on this SID since the attempt', 'not_found');
  }
  return {
    providerRef: `sid:${response.sid}@${response.last_approved_at}`,
    status: 'approved',
    amountKrw: charge.amountKrw,
    refundableKrw: charge.amountKrw,
    methodKind: methodKindOf(response.payment_method_type),
    methodLabel: response.payment_method_type === 'MONEY' ? MONEY_LABEL : null,
    billingKey: response.sid,
    orderRef: null,
    occurredAt: last,
    raw,
  };
}

// ---------------------------------------------------------------------------------------------
// Status table (spec §3.3)

/** KakaoPay payment status → our normalized status. */
export const KAKAOPAY_STATUS_TABLE: Readonly<Record<KakaoPayPaymentStatus, ProviderPaymentStatus>> = {
  READY: 'pending',
  SEND_TMS: 'pending',
  OPEN_PAYMENT: 'pending',
  SELECT_METHOD: 'pending',
  ARS_WAITING: 'pending',
  AUTH_PASSWORD: 'authorized',
  SUCCESS_PAYMENT: 'approved',
  // SID registration without a charge: the subscription is set up; the amount is 0.
  ISSUED_SID: 'approved',
  PART_CANCEL_PAYMENT: 'partially_refunded',
  CANCEL_PAYMENT: 'refunded',
  FAIL_AUTH_PASSWORD: 'declined',
  FAIL_PAYMENT: 'declined',
  // The user quit, or the tid expired unapproved.
  QUIT_PAYMENT: 'abandoned',
};

/** Maps a wire status; an unknown one is a `ProviderRequestError` (someone must look). */
export function statusOf(status: string): ProviderPaymentStatus {
  if (Object.hasOwn(KAKAOPAY_STATUS_TABLE, status)) {
    return KAKAOPAY_STATUS_TABLE[status as KakaoPayPaymentStatus];
  }
  throw new ProviderRequestError(KAKAOPAY_PROVIDER, 'unknown_status', `kakaopay: unknown payment status ${status}`);
}

// ---------------------------------------------------------------------------------------------
// Error table (spec §6.2, §6.3)

/** How one KakaoPay error code becomes one of our provider errors. */
export type KakaoPayErrorRule =
  | { kind: 'declined'; reason: DeclineReason }
  /**
   * `outcomeUnknown`: true = the request may have been processed; 'if_moves_money' = only
   * when the call moves money; false = rejected before processing.
   */
  | { kind: 'unavailable'; outcomeUnknown: boolean | 'if_moves_money' }
  /** An earlier request for the same tid or SID+order is still being processed (`ProviderInFlightError`). */
  | { kind: 'in_flight' }
  | { kind: 'request' }
  | { kind: 'config' };

const declined = (reason: DeclineReason): KakaoPayErrorRule => ({ kind: 'declined', reason });
const REQUEST: KakaoPayErrorRule = { kind: 'request' };
const CONFIG: KakaoPayErrorRule = { kind: 'config' };

/** Every code of spec §6.2 and §6.3. Codes not listed become `ProviderRequestError`. */
export const KAKAOPAY_ERROR_TABLE: Readonly<Record<number, KakaoPayErrorRule>> = {
  // §6.2 payment codes
  [-701]: declined('user_auth_incomplete'), // approve before the user finished auth
  [-702]: declined('already_approved'),
  [-703]: REQUEST, // point amount invalid
  [-704]: declined('amount_mismatch'), // amount of the original method invalid
  [-705]: REQUEST, // unsupported payment method
  [-706]: REQUEST, // partner_order_id differs from ready: our bug
  [-707]: REQUEST, // partner_user_id differs from ready: our bug
  [-708]: declined('declined'), // wrong pg_token: a forged or stale return, not our bug
  [-710]: declined('exceeds_refundable'),
  [-711]: declined('exceeds_refundable'),
  [-721]: declined('not_found'), // tid does not exist
  [-722]: declined('amount_mismatch'), // includes a stale cancel_available_amount
  [-723]: declined('expired'),
  [-724]: declined('amount_mismatch'), // single-payment amount invalid
  [-725]: declined('amount_mismatch'),
  [-726]: REQUEST, // order information invalid
  [-730]: CONFIG, // merchant app information invalid
  [-731]: CONFIG, // CID invalid
  [-732]: CONFIG, // GID invalid
  [-733]: CONFIG, // CID_SECRET invalid
  [-750]: declined('not_found'), // SID does not exist
  [-751]: declined('billing_key_inactive'),
  [-752]: declined('declined'), // SID monthly maximum reached
  [-753]: REQUEST, // subscription partner_user_id differs from the first ready: our bug
  [-761]: declined('declined'), // phone number is not a KakaoTalk user
  [-780]: declined('declined'), // approval failed at the payment method
  [-781]: declined('declined'), // cancel failed at the payment method
  [-782]: declined('declined'), // subscription charge failed
  [-783]: declined('declined'), // approval impossible in this state (user quit or failed)
  [-784]: declined('already_canceled'), // cancel impossible in this state
  [-785]: { kind: 'in_flight' }, // the same tid (or SID + partner_order_id) is still in flight
  [-797]: declined('declined'), // one-time payment limit exceeded
  [-798]: CONFIG, // request from a non-allowed IP
  [-799]: CONFIG, // request domain differs from the registered one
  // §6.3 Kakao common codes
  [-1]: { kind: 'unavailable', outcomeUnknown: 'if_moves_money' }, // internal error
  [-2]: REQUEST, // invalid or missing parameter
  [-3]: CONFIG, // API disabled for the app
  [-4]: CONFIG, // account sanctioned
  [-5]: CONFIG, // no permission
  [-10]: { kind: 'unavailable', outcomeUnknown: false }, // quota exceeded: not processed
  [-401]: CONFIG, // invalid key
  [-402]: CONFIG, // missing consent
  [-403]: CONFIG, // call from an unregistered site
  [-9798]: { kind: 'unavailable', outcomeUnknown: false }, // maintenance
};

/** A failed HTTP exchange as the client saw it. */
export interface KakaoPayFailure {
  httpStatus: number;
  /** Parsed error envelope; null when the body was not one (e.g. a proxy's HTML page). */
  envelope: KakaoPayErrorEnvelope | null;
  /** Whether the call that failed moves money (approve, cancel, subscription). */
  movesMoney: boolean;
}

/**
 * Error-table lookup. A listed code decides regardless of HTTP status (some copies of the docs
 * give -780/-781/-782 as HTTP 500). An unlisted code, or no envelope, falls back on the HTTP
 * status: 5xx → unavailable, 401/403/404 → config (wrong key or base URL), else request.
 */
export function toProviderError(failure: KakaoPayFailure): ProviderError {
  const { httpStatus, envelope, movesMoney } = failure;
  const cause = { httpStatus, envelope };
  if (envelope === null) {
    const code = `http_${httpStatus}`;
    const message = `kakaopay: HTTP ${httpStatus} without an error envelope`;
    if (httpStatus >= 500) return new ProviderUnavailableError(KAKAOPAY_PROVIDER, code, message, movesMoney, { cause });
    if (httpStatus === 401 || httpStatus === 403 || httpStatus === 404) {
      return new ProviderConfigError(KAKAOPAY_PROVIDER, code, message, { cause });
    }
    return new ProviderRequestError(KAKAOPAY_PROVIDER, code, message, { cause });
  }

  const providerCode = String(envelope.code);
  const message = describe(envelope);
  const rule = KAKAOPAY_ERROR_TABLE[envelope.code];
  if (rule === undefined) {
    if (httpStatus >= 500) {
      return new ProviderUnavailableError(KAKAOPAY_PROVIDER, providerCode, message, movesMoney, { cause });
    }
    return new ProviderRequestError(KAKAOPAY_PROVIDER, providerCode, message, { cause });
  }
  switch (rule.kind) {
    case 'declined':
      return new ProviderDeclinedError(KAKAOPAY_PROVIDER, providerCode, message, rule.reason, { cause });
    case 'unavailable': {
      const outcomeUnknown = rule.outcomeUnknown === 'if_moves_money' ? movesMoney : rule.outcomeUnknown;
      return new ProviderUnavailableError(KAKAOPAY_PROVIDER, providerCode, message, outcomeUnknown, { cause });
    }
    case 'in_flight':
      return new ProviderInFlightError(KAKAOPAY_PROVIDER, providerCode, message, { cause });
    case 'request':
      return new ProviderRequestError(KAKAOPAY_PROVIDER, providerCode, message, { cause });
    case 'config':
      return new ProviderConfigError(KAKAOPAY_PROVIDER, providerCode, message, { cause });
  }
}

function describe(envelope: KakaoPayErrorEnvelope): string {
  const method = envelope.extras?.method_result_code
    ? ` [${envelope.extras.method_result_code}${
        envelope.extras.method_result_message ? `: ${envelope.extras.method_result_message}` : ''
      }]`
    : '';
  return `kakaopay ${envelope.code}: ${envelope.message || 'error'}${method}`;
}
