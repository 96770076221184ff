/**
 * One-time payment operations behind the wire routes: reserve (§3.3), approve (§3.5, §6.6),
 * cancel (§3.6, §6.7) and history (§3.7, §6.8). The approve core is shared with recurrent charges.
 */
import { formatKstDateTime, parseKstDateTime } from './naverpay-clock.ts';
import { parseCheckoutParams, readAmount, readBoolean, readString, type Fields } from './naverpay-checkout-input.ts';
import {
  failure,
  invalidParameter,
  NON_TERMINAL_APPROVE_CODES,
  requireParameter,
  success,
  type WireResult,
} from './naverpay-envelope.ts';
import { userIdentifierFor } from './naverpay-ids.ts';
import { MAGIC_APPROVE_AMOUNTS } from './naverpay-magic-inputs.ts';
import type { SandboxState, WireContext } from './naverpay-sandbox-state.ts';
import { runScriptBefore, scriptedCode, withScriptAfter, type ScriptMatch } from './naverpay-scripts.ts';
import {
  SandboxStats,
  visibleTo,
  type CheckoutParams,
  type HistoryEntry,
  type OnetimeReserve,
  type OpenType,
  type Payment,
} from './naverpay-store.ts';

const MAX_HISTORY_RANGE_MS = 31 * 24 * 60 * 60_000;

export function commissionOf(state: SandboxState, amount: number): number {
  return Math.floor((amount * state.options.commissionBps) / 10_000);
}

export function createCheckoutReserve(
  state: SandboxState,
  partnerId: string | null,
  params: CheckoutParams,
  source: 'api' | 'sdk',
  openType: OpenType,
): OnetimeReserve {
  const now = state.now();
  const reserve: OnetimeReserve = {
    kind: 'onetime',
    reserveId: state.ids.reserveId(now),
    partnerId,
    createdAt: now,
    source,
    openType,
    decision: undefined,
    state: 'RESERVED',
    paymentId: undefined,
    params,
  };
  state.store.reserves.set(reserve.reserveId, reserve);
  return reserve;
}

export interface NewPaymentInput {
  kind: 'onetime' | 'recurrent';
  partnerId: string | null;
  reserveId?: string;
  recurrentId?: string;
  merchantPayKey: string;
  merchantUserKey: string;
  productName: string;
  totalPayAmount: number;
  taxScopeAmount: number;
  taxExScopeAmount: number;
  environmentDepositAmount: number;
  merchantPayTransactionKey?: string;
  merchantExtraParameter?: string;
  useCfmYmdt?: string;
  extraDeduction?: boolean;
}

/** A payment in AUTHORIZED state: the user authorised it, the approval window starts now. */
export function createAuthorizedPayment(state: SandboxState, input: NewPaymentInput): Payment {
  const now = state.now();
  const paymentId = state.ids.paymentId(now);
  const payment: Payment = {
    paymentId,
    kind: input.kind,
    partnerId: input.partnerId,
    reserveId: input.reserveId,
    recurrentId: input.recurrentId,
    merchantPayKey: input.merchantPayKey,
    merchantUserKey: input.merchantUserKey,
    productName: input.productName,
    totalPayAmount: input.totalPayAmount,
    taxScopeAmount: input.taxScopeAmount,
    taxExScopeAmount: input.taxExScopeAmount,
    environmentDepositAmount: input.environmentDepositAmount,
    merchantPayTransactionKey: input.merchantPayTransactionKey,
    merchantExtraParameter: input.merchantExtraParameter,
    useCfmYmdt: input.useCfmYmdt ?? '',
    extraDeduction: input.extraDeduction ?? false,
    state: 'AUTHORIZED',
    authorizedAt: now,
    approvedAt: undefined,
    payHistId: undefined,
    failure: undefined,
    approving: false,
    cancelling: false,
    remaining: { total: 0, taxScope: 0, taxExScope: 0, environmentDeposit: 0 },
    history: [],
    cardCorpCode: 'C0',
    cardNo: '465887**********',
    cardAuthNo: state.ids.cardAuthNo(),
    userIdentifier: userIdentifierFor(input.merchantUserKey, paymentId),
  };
  state.store.payments.set(paymentId, payment);
  return payment;
}

function optionalEchoes(payment: Payment, entry: HistoryEntry): Record<string, string> {
  const out: Record<string, string> = {};
  const transactionKey = entry.merchantPayTransactionKey ?? payment.merchantPayTransactionKey;
  if (transactionKey !== undefined) out.merchantPayTransactionKey = transactionKey;
  if (payment.merchantExtraParameter !== undefined) out.merchantExtraParameter = payment.merchantExtraParameter;
  return out;
}

/** `body.detail` of an approval (§3.5). */
export function paymentDetail(state: SandboxState, partnerId: string, payment: Payment, entry: HistoryEntry) {
  const commission = entry.admissionState === 'SUCCESS' ? commissionOf(state, entry.amount) : 0;
  const ymdt = formatKstDateTime(entry.at);
  return {
    productName: payment.productName,
    merchantId: payment.partnerId ?? partnerId,
    merchantName: state.options.merchantName,
    cardNo: payment.cardNo,
    admissionYmdt: ymdt,
    payHistId: entry.payHistId,
    totalPayAmount: entry.amount,
    applyPayAmount: entry.amount,
    primaryPayAmount: entry.amount,
    npointPayAmount: 0,
    giftCardAmount: 0,
    discountPayAmount: 0,
    taxScopeAmount: entry.taxScopeAmount,
    taxExScopeAmount: entry.taxExScopeAmount,
    environmentDepositAmount: entry.environmentDepositAmount,
    primaryPayMeans: 'CARD',
    merchantPayKey: payment.merchantPayKey,
    merchantUserKey: payment.merchantUserKey,
    cardCorpCode: payment.cardCorpCode,
    paymentId: payment.paymentId,
    admissionTypeCode: entry.admissionTypeCode,
    settleExpectAmount: entry.admissionState === 'SUCCESS' ? entry.amount - commission : 0,
    payCommissionAmount: commission,
    admissionState: entry.admissionState,
    tradeConfirmYmdt: ymdt,
    cardAuthNo: payment.cardAuthNo,
    cardInstCount: 0,
    usedCardPoint: false,
    bankCorpCode: '',
    bankAccountNo: '',
    // The documented sample answers false right after approval (settlement not computed yet).
    settleExpected: state.options.settleExpectedOnApproval && entry.admissionState === 'SUCCESS',
    extraDeduction: payment.extraDeduction,
    useCfmYmdt: payment.useCfmYmdt,
    userIdentifier: payment.userIdentifier,
    ...optionalEchoes(payment, entry),
  };
}

/** One row of `v2.2/list/history` (§3.7). Cancel rows carry the cancelled amount, positive. */
export function historyRow(state: SandboxState, partnerId: string, payment: Payment, entry: HistoryEntry) {
  const settled = entry.admissionState === 'SUCCESS';
  const commission = settled ? commissionOf(state, entry.amount) : 0;
  const ymdt = formatKstDateTime(entry.at);
  return {
    paymentId: payment.paymentId,
    payHistId: entry.payHistId,
    merchantId: payment.partnerId ?? partnerId,
    merchantName: state.options.merchantName,
    merchantPayKey: payment.merchantPayKey,
    merchantUserKey: payment.merchantUserKey,
    admissionTypeCode: entry.admissionTypeCode,
    admissionYmdt: ymdt,
    tradeConfirmYmdt: ymdt,
    admissionState: entry.admissionState,
    totalPayAmount: entry.amount,
    applyPayAmount: entry.amount,
    primaryPayAmount: entry.amount,
    npointPayAmount: 0,
    giftCardPayAmount: 0,
    discountPayAmount: 0,
    taxScopeAmount: entry.taxScopeAmount,
    taxExScopeAmount: entry.taxExScopeAmount,
    environmentDepositAmount: entry.environmentDepositAmount,
    primaryPayMeans: 'CARD',
    cardCorpCode: payment.cardCorpCode,
    cardNo: payment.cardNo,
    cardAuthNo: payment.cardAuthNo,
    cardInstCount: 0,
    usedCardPoint: false,
    bankCorpCode: '',
    bankAccountNo: '',
    productName: payment.productName,
    extraDeduction: payment.extraDeduction,
    useCfmYmdt: payment.useCfmYmdt,
    ...optionalEchoes(payment, entry),
    settleInfo: {
      primaryCommissionAmount: commission,
      npointCommissionAmount: 0,
      giftCardCommissionAmount: 0,
      discountCommissionAmount: 0,
      primarySettleAmount: settled ? entry.amount - commission : 0,
      npointSettleAmount: 0,
      giftCardSettleAmount: 0,
      discountSettleAmount: 0,
      totalSettleAmount: settled ? entry.amount - commission : 0,
      totalCommissionAmount: commission,
      settleCreated: settled,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reserve

export async function reserveOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state } = ctx;
  const parsed = parseCheckoutParams(fields, state.options.requireProductItems);
  if (!parsed.ok) return failure(parsed.code, parsed.message);
  const script = state.scripts.take('reserve', { merchantPayKey: parsed.value.merchantPayKey });
  const stop = await runScriptBefore(script);
  if (stop) return stop;
  const code = scriptedCode(script);
  if (code) return withScriptAfter(failure(code, script?.message ?? 'sandbox scripted failure'), script);
  const reserve = createCheckoutReserve(state, ctx.partnerId, parsed.value, 'api', 'page');
  state.store.stats.increment('reserve');
  return withScriptAfter(success({ reserveId: reserve.reserveId }), script);
}

// ---------------------------------------------------------------------------------------------
// Approve

function recordApprovalFailure(state: SandboxState, payment: Payment, code: string, message: string, now: number): void {
  if (NON_TERMINAL_APPROVE_CODES.has(code)) return;
  if (code === 'TimeExpired') {
    payment.state = 'EXPIRED';
    return;
  }
  payment.state = 'FAILED';
  payment.failure = { code, message };
  payment.history.push({
    payHistId: state.ids.payHistId(now),
    admissionTypeCode: '01',
    admissionState: 'FAIL',
    at: now,
    visibleAt: now,
    amount: payment.totalPayAmount,
    taxScopeAmount: payment.taxScopeAmount,
    taxExScopeAmount: payment.taxExScopeAmount,
    environmentDepositAmount: payment.environmentDepositAmount,
    merchantPayTransactionKey: undefined,
    failureCode: code,
    sequence: state.store.nextHistorySequence(),
  });
}

export interface ApproveSpec {
  operation: 'approve' | 'recurrent_pay_approve';
  /** Extra check run at commit time (recurrent: the registration must still be valid). */
  precondition?: () => WireResult | undefined;
  body: (detail: ReturnType<typeof paymentDetail>) => unknown;
}

/**
 * Approve check order (§6.6, [I]): AlreadyComplete → AlreadyOnGoing → (terminal states) →
 * scripted delay/HTTP → TimeExpired → injected or magic failure → Success. The payment is
 * marked in flight across the configured latency, so racing approves see `AlreadyOnGoing`.
 */
export async function approvePayment(ctx: WireContext, payment: Payment, spec: ApproveSpec): Promise<WireResult> {
  const { state } = ctx;
  if (payment.state === 'APPROVED') return failure('AlreadyComplete', '이미 승인 완료된 결제입니다.');
  if (payment.approving) return failure('AlreadyOnGoing', '결제 승인이 진행 중입니다.');
  if (payment.state === 'EXPIRED') return failure('TimeExpired', '결제 승인 가능 시간이 지났습니다.');
  if (payment.state === 'FAILED' && payment.failure) return failure(payment.failure.code, payment.failure.message);

  const match: ScriptMatch = {
    paymentId: payment.paymentId,
    recurrentId: payment.recurrentId,
    merchantPayKey: payment.merchantPayKey,
  };
  const script = state.scripts.take(spec.operation, match);
  payment.approving = true;
  try {
    await ctx.spendLatency();
    const stop = await runScriptBefore(script);
    if (stop) return stop;
    const now = state.now();
    if (now - payment.authorizedAt > state.options.approvalWindowMs) {
      payment.state = 'EXPIRED';
      return withScriptAfter(failure('TimeExpired', '결제 승인 가능 시간(10분)이 지났습니다.'), script);
    }
    const refused = spec.precondition?.();
    if (refused) return withScriptAfter(refused, script);
    const code = scriptedCode(script);
    const injected = code
      ? { code, message: script?.message ?? 'sandbox scripted failure' }
      : state.options.magicAmounts
        ? MAGIC_APPROVE_AMOUNTS.get(payment.totalPayAmount)
        : undefined;
    if (injected) {
      recordApprovalFailure(state, payment, injected.code, injected.message, now);
      return withScriptAfter(failure(injected.code, injected.message), script);
    }

    const entry: HistoryEntry = {
      payHistId: state.ids.payHistId(now),
      admissionTypeCode: '01',
      admissionState: 'SUCCESS',
      at: now,
      visibleAt: now,
      amount: payment.totalPayAmount,
      taxScopeAmount: payment.taxScopeAmount,
      taxExScopeAmount: payment.taxExScopeAmount,
      environmentDepositAmount: payment.environmentDepositAmount,
      merchantPayTransactionKey: undefined,
      failureCode: undefined,
      sequence: state.store.nextHistorySequence(),
    };
    payment.state = 'APPROVED';
    payment.approvedAt = now;
    payment.payHistId = entry.payHistId;
    payment.remaining = {
      total: payment.totalPayAmount,
      taxScope: payment.taxScopeAmount,
      taxExScope: payment.taxExScopeAmount,
      environmentDeposit: payment.environmentDepositAmount,
    };
    payment.history.push(entry);
    const stats = state.store.stats;
    stats.increment(spec.operation);
    SandboxStats.bump(stats.approvalsByMerchantPayKey, payment.merchantPayKey);
    if (payment.recurrentId) SandboxStats.bump(stats.chargesByRecurrentId, payment.recurrentId);
    return withScriptAfter(success(spec.body(paymentDetail(state, ctx.partnerId, payment, entry))), script);
  } finally {
    payment.approving = false;
  }
}

export async function approveOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const paymentId = readString(fields, 'paymentId');
  if (!paymentId) return requireParameter('paymentId');
  const payment = ctx.state.store.payments.get(paymentId);
  // Unknown id → `Fail` (§6.6 step 3, [I]); recurrent charges are approved on their own endpoint.
  if (!payment || !visibleTo(payment, ctx.partnerId) || payment.kind !== 'onetime') {
    return failure('Fail', '존재하지 않는 결제번호입니다.');
  }
  return approvePayment(ctx, payment, {
    operation: 'approve',
    body: (detail) => ({ paymentId: payment.paymentId, detail }),
  });
}

// ---------------------------------------------------------------------------------------------
// Cancel

function readRequiredAmount(fields: Fields, name: string): number | WireResult {
  const value = readAmount(fields, name);
  if (value === undefined) return requireParameter(name);
  if (value === null) return invalidParameter(`${name} must be a non-negative integer`);
  return value;
}

function hasPendingCancel(payment: Payment, now: number): boolean {
  return payment.history.some((e) => e.admissionTypeCode !== '01' && e.visibleAt > now);
}

/** Cancel check order (§6.7, [I]); codes per §4.3. */
export async function cancelOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state } = ctx;
  const paymentId = readString(fields, 'paymentId');
  if (!paymentId) return requireParameter('paymentId');
  const amounts: number[] = [];
  for (const name of ['cancelAmount', 'taxScopeAmount', 'taxExScopeAmount']) {
    const value = readRequiredAmount(fields, name);
    if (typeof value !== 'number') return value;
    amounts.push(value);
  }
  const [cancelAmount, taxScope, taxExScope] = amounts as [number, number, number];
  const deposit = readAmount(fields, 'environmentDepositAmount');
  if (deposit === null) return invalidParameter('environmentDepositAmount must be a non-negative integer');
  const cancelReason = readString(fields, 'cancelReason');
  if (!cancelReason) return requireParameter('cancelReason');
  const cancelRequester = readString(fields, 'cancelRequester');
  if (!cancelRequester) return requireParameter('cancelRequester');
  if (cancelRequester !== '1' && cancelRequester !== '2') return invalidParameter('cancelRequester must be 1 or 2');
  if (cancelAmount <= 0) return invalidParameter('cancelAmount must be positive');
  const doCompareRest = readBoolean(fields, 'doCompareRest');
  const expectedRest = readAmount(fields, 'expectedRestAmount');
  if (doCompareRest && expectedRest === undefined) return requireParameter('expectedRestAmount');
  if (expectedRest === null) return invalidParameter('expectedRestAmount must be a non-negative integer');
  const depositAmount = deposit ?? 0;

  const payment = state.store.payments.get(paymentId);
  if (!payment || !visibleTo(payment, ctx.partnerId) || payment.state !== 'APPROVED') {
    return failure('InvalidPaymentId', '유효하지 않은 결제번호입니다.');
  }
  const now = state.now();
  if (payment.cancelling || hasPendingCancel(payment, now)) {
    return failure('PreCancelNotComplete', '이전 취소 요청이 아직 완료되지 않았습니다.');
  }
  const rest = payment.remaining;
  if (rest.total === 0) return failure('AlreadyCanceled', '이미 전체 취소된 결제입니다.');
  if (taxScope + taxExScope + depositAmount !== cancelAmount) {
    return failure('TaxScopeAmountError', '과세/면세 금액의 합이 취소 금액과 일치하지 않습니다.');
  }
  if (cancelAmount > rest.total) return failure('OverRemainAmount', '취소 금액이 취소 가능 잔액을 초과합니다.');
  if (taxScope > rest.taxScope || taxExScope > rest.taxExScope || depositAmount > rest.environmentDeposit) {
    return failure('TaxScopeAmtGreaterThanRemainError', '과세/면세 취소 금액이 남은 금액을 초과합니다.');
  }
  if (doCompareRest && expectedRest !== rest.total - cancelAmount) {
    return failure('RestAmountDiff', '취소 후 예상 잔액이 일치하지 않습니다.');
  }
  const deadline = state.options.cancelDeadlineMs;
  if (deadline !== undefined && payment.approvedAt !== undefined && now - payment.approvedAt > deadline) {
    return failure('CancelDeadlineExpired', '취소 가능 기한이 지났습니다.');
  }

  const script = state.scripts.take('cancel', { paymentId, recurrentId: payment.recurrentId, merchantPayKey: payment.merchantPayKey });
  payment.cancelling = true;
  try {
    await ctx.spendLatency();
    const stop = await runScriptBefore(script);
    if (stop) return stop;
    const code = scriptedCode(script);
    if (code && code !== 'CancelNotComplete') {
      return withScriptAfter(failure(code, script?.message ?? 'sandbox scripted failure'), script);
    }
    const commitAt = state.now();
    const untouched = rest.total === payment.totalPayAmount;
    const full = untouched && cancelAmount === payment.totalPayAmount;
    const notComplete = code === 'CancelNotComplete';
    const entry: HistoryEntry = {
      payHistId: state.ids.payHistId(commitAt),
      admissionTypeCode: full ? '03' : '04',
      admissionState: 'SUCCESS',
      at: commitAt,
      visibleAt: commitAt + state.options.cancelPendingMs,
      amount: cancelAmount,
      taxScopeAmount: taxScope,
      taxExScopeAmount: taxExScope,
      environmentDepositAmount: depositAmount,
      merchantPayTransactionKey: readString(fields, 'merchantPayTransactionKey'),
      failureCode: undefined,
      sequence: state.store.nextHistorySequence(),
    };
    rest.total -= cancelAmount;
    rest.taxScope -= taxScope;
    rest.taxExScope -= taxExScope;
    rest.environmentDeposit -= depositAmount;
    payment.history.push(entry);
    const stats = state.store.stats;
    stats.increment('cancel');
    SandboxStats.bump(stats.cancelsByPaymentId, payment.paymentId);
    const body = {
      paymentId: payment.paymentId,
      payHistId: notComplete ? '' : entry.payHistId,
      primaryPayMeans: 'CARD',
      primaryPayCancelAmount: cancelAmount,
      primaryPayRestAmount: rest.total,
      npointCancelAmount: 0,
      npointRestAmount: 0,
      giftCardCancelAmount: 0,
      giftCardRestAmount: 0,
      discountCancelAmount: 0,
      taxScopeAmount: taxScope,
      taxExScopeAmount: taxExScope,
      taxScopeRestAmount: rest.taxScope,
      taxExScopeRestAmount: rest.taxExScope,
      cancelYmdt: formatKstDateTime(commitAt),
      totalRestAmount: rest.total,
    };
    if (notComplete) {
      return withScriptAfter(
        failure('CancelNotComplete', script?.message ?? '취소가 완료되지 않았습니다. 자동으로 재처리됩니다.', body),
        script,
      );
    }
    return withScriptAfter(success(body), script);
  } finally {
    payment.cancelling = false;
  }
}

// ---------------------------------------------------------------------------------------------
// History

const APPROVAL_TYPES = new Set(['ALL', 'APPROVAL', 'CANCEL', 'CANCEL_FAIL']);

function matchesApprovalType(entry: HistoryEntry, approvalType: string): boolean {
  switch (approvalType) {
    case 'APPROVAL':
      return entry.admissionTypeCode === '01';
    case 'CANCEL':
      return entry.admissionTypeCode !== '01';
    case 'CANCEL_FAIL':
      return entry.admissionTypeCode !== '01' && entry.admissionState === 'FAIL';
    default:
      return true;
  }
}

export interface PagingInput {
  pageNumber: number;
  rowsPerPage: number;
}

export function readPaging(fields: Fields): PagingInput | WireResult {
  const pageNumber = readAmount(fields, 'pageNumber');
  const rowsPerPage = readAmount(fields, 'rowsPerPage');
  if (pageNumber === null || pageNumber === 0) return invalidParameter('pageNumber must be a positive integer');
  if (rowsPerPage === null || (rowsPerPage !== undefined && (rowsPerPage < 1 || rowsPerPage > 100))) {
    return invalidParameter('rowsPerPage must be between 1 and 100');
  }
  return { pageNumber: pageNumber ?? 1, rowsPerPage: rowsPerPage ?? 20 };
}

/** Paging body shared by history and recurrent list. */
export function pageOf<T>(rows: T[], paging: PagingInput | undefined) {
  if (!paging) {
    return { responseCount: rows.length, totalCount: rows.length, totalPageCount: rows.length ? 1 : 0, currentPageNumber: 1, list: rows };
  }
  const start = (paging.pageNumber - 1) * paging.rowsPerPage;
  const list = rows.slice(start, start + paging.rowsPerPage);
  return {
    responseCount: list.length,
    totalCount: rows.length,
    totalPageCount: Math.ceil(rows.length / paging.rowsPerPage),
    currentPageNumber: paging.pageNumber,
    list,
  };
}

/** Validates `startTime`/`endTime` (`yyyyMMddHHmmss` KST, ≤31 days). */
export function readTimeRange(fields: Fields): { start: number; end: number } | WireResult {
  const startTime = readString(fields, 'startTime');
  const endTime = readString(fields, 'endTime');
  if (!startTime) return requireParameter('startTime');
  if (!endTime) return requireParameter('endTime');
  const start = parseKstDateTime(startTime);
  const end = parseKstDateTime(endTime);
  if (start === undefined || end === undefined) return invalidParameter('startTime/endTime must be yyyyMMddHHmmss');
  if (end < start || end - start > MAX_HISTORY_RANGE_MS) {
    return failure('RequireCondition', '조회 기간은 31일 이내여야 합니다.');
  }
  return { start, end };
}

/**
 * `v2.2/list/history` (form A: `paymentId` ignores range and paging, or a time range) and
 * `v2.2/list/history/{paymentId}` (form B: paging applies). Newest first [I].
 */
export async function historyOperation(ctx: WireContext, fields: Fields, pathPaymentId?: string): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const approvalType = readString(fields, 'approvalType') ?? 'ALL';
  if (!APPROVAL_TYPES.has(approvalType)) return invalidParameter('approvalType must be ALL, APPROVAL, CANCEL or CANCEL_FAIL');
  const paymentId = pathPaymentId ?? readString(fields, 'paymentId');

  let paging: PagingInput | undefined;
  let range: { start: number; end: number } | undefined;
  if (pathPaymentId || !paymentId) {
    const p = readPaging(fields);
    if ('envelope' in p) return p;
    paging = p;
  }
  if (!paymentId) {
    const r = readTimeRange(fields);
    if ('envelope' in r) return r;
    range = r;
  }

  const script = state.scripts.take('history', { paymentId });
  const stop = await runScriptBefore(script);
  if (stop) return stop;
  const code = scriptedCode(script);
  if (code) return withScriptAfter(failure(code, script?.message ?? 'sandbox scripted failure'), script);

  const now = state.now();
  const found: Array<{ payment: Payment; entry: HistoryEntry }> = [];
  const collect = (payment: Payment) => {
    for (const entry of payment.history) {
      if (entry.visibleAt > now || !matchesApprovalType(entry, approvalType)) continue;
      if (range && (entry.at < range.start || entry.at > range.end)) continue;
      found.push({ payment, entry });
    }
  };
  if (paymentId) {
    const payment = state.store.payments.get(paymentId);
    if (payment && visibleTo(payment, partnerId)) collect(payment);
  } else {
    for (const payment of state.store.payments.values()) {
      if (visibleTo(payment, partnerId)) collect(payment);
    }
  }
  found.sort((a, b) => b.entry.at - a.entry.at || b.entry.sequence - a.entry.sequence);
  const rows = found.map(({ payment, entry }) => historyRow(state, partnerId, payment, entry));
  state.store.stats.increment('history');
  return withScriptAfter(success(pageOf(rows, paging)), script);
}
