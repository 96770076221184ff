/**
 * Recurrent (정기결제) operations, spec §3.8 and §6.9: registration reserve/approval, charge
 * reserve/approval, expiry and lookup. Charges are ordinary payments (kind `recurrent`), so
 * `/v1/cancel` and history work on them unchanged.
 */
import { formatKstDateTime } from './naverpay-clock.ts';
import { parseRegistrationParams, readAmount, readString, type Fields } from './naverpay-checkout-input.ts';
import { failure, invalidParameter, requireParameter, success, type WireResult } from './naverpay-envelope.ts';
import { approvePayment, createAuthorizedPayment, pageOf, readPaging, readTimeRange } from './naverpay-payment-operations.ts';
import type { SandboxState, WireContext } from './naverpay-sandbox-state.ts';
import { runScriptBefore, scriptedCode, withScriptAfter, type Script } from './naverpay-scripts.ts';
import {
  visibleTo,
  type OpenType,
  type RecurrentReserve,
  type Registration,
  type RegistrationParams,
} from './naverpay-store.ts';

function scriptedFailure(script: Script | undefined): WireResult | undefined {
  const code = scriptedCode(script);
  return code ? withScriptAfter(failure(code, script?.message ?? 'sandbox scripted failure'), script) : undefined;
}

function invalidRecurrent(state: SandboxState, message: string): WireResult {
  return failure(state.options.invalidRecurrentCode, message);
}

/** A VALID registration visible to the partner, or a refusal. */
function validRegistration(state: SandboxState, partnerId: string, recurrentId: string): Registration | WireResult {
  const registration = state.store.registrations.get(recurrentId);
  if (!registration || !visibleTo(registration, partnerId)) {
    return invalidRecurrent(state, '존재하지 않는 정기결제 등록 ID입니다. (unknown recurrentId)');
  }
  if (registration.state !== 'VALID') {
    return invalidRecurrent(state, '해지된 정기결제 등록 ID입니다. (recurrentId is expired)');
  }
  return registration;
}

export function createRegistrationReserve(
  state: SandboxState,
  partnerId: string | null,
  params: RegistrationParams,
  source: 'api' | 'sdk',
  openType: OpenType,
): RecurrentReserve {
  const now = state.now();
  const reserve: RecurrentReserve = {
    kind: 'recurrent',
    reserveId: state.ids.reserveId(now),
    partnerId,
    createdAt: now,
    source,
    openType,
    decision: undefined,
    state: 'RESERVED',
    tempReceiptId: undefined,
    authorizedAt: undefined,
    recurrentId: undefined,
    params,
  };
  state.store.reserves.set(reserve.reserveId, reserve);
  return reserve;
}

/** Refusal when a CHANGE target is not a valid registration (checked at reserve and at approval). */
export function checkChangeTarget(state: SandboxState, partnerId: string, params: RegistrationParams): WireResult | undefined {
  if (params.actionType !== 'CHANGE' || !params.targetRecurrentId) return undefined;
  const target = validRegistration(state, partnerId, params.targetRecurrentId);
  return 'envelope' in target ? target : undefined;
}

export async function registReserveOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state } = ctx;
  const parsed = parseRegistrationParams(fields);
  if (!parsed.ok) return failure(parsed.code, parsed.message);
  const refused = checkChangeTarget(state, ctx.partnerId, parsed.value);
  if (refused) return refused;
  const script = state.scripts.take('recurrent_reserve', { recurrentId: parsed.value.targetRecurrentId });
  const stop = (await runScriptBefore(script)) ?? scriptedFailure(script);
  if (stop) return stop;
  const reserve = createRegistrationReserve(state, ctx.partnerId, parsed.value, 'api', 'page');
  state.store.stats.increment('recurrent_reserve');
  return withScriptAfter(success({ reserveId: reserve.reserveId }), script);
}

export async function registApprovalOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const reserveId = readString(fields, 'reserveId');
  if (!reserveId) return requireParameter('reserveId');
  const tempReceiptId = readString(fields, 'tempReceiptId');
  if (!tempReceiptId) return requireParameter('tempReceiptId');
  const reserve = state.store.reserves.get(reserveId);
  if (!reserve || reserve.kind !== 'recurrent' || !visibleTo(reserve, partnerId)) {
    return failure('Fail', '존재하지 않는 등록 예약 ID입니다. (unknown reserveId)');
  }
  if (reserve.tempReceiptId !== tempReceiptId) {
    return failure('Fail', '유효하지 않은 tempReceiptId입니다.');
  }
  // tempReceiptId is single-use; a repeat without an idempotency key fails [I].
  if (reserve.state === 'REGISTERED') return failure('Fail', '이미 등록이 완료된 요청입니다.');
  if (reserve.state !== 'AUTHORIZED') return failure('Fail', '사용자 인증이 완료되지 않은 요청입니다.');

  const script = state.scripts.take('recurrent_approve', { recurrentId: reserve.params.targetRecurrentId });
  await ctx.spendLatency();
  const stop = (await runScriptBefore(script)) ?? scriptedFailure(script);
  if (stop) return stop;
  if (reserve.state !== 'AUTHORIZED') return failure('Fail', '이미 등록이 완료된 요청입니다.');
  const now = state.now();
  if (now - (reserve.authorizedAt ?? now) > state.options.approvalWindowMs) {
    return withScriptAfter(failure('TimeExpired', '등록 승인 가능 시간이 지났습니다.'), script);
  }
  const params = reserve.params;
  const refused = checkChangeTarget(state, partnerId, params);
  if (refused) return withScriptAfter(refused, script);
  if (params.actionType === 'NEW' && state.options.rejectDuplicateRecurrent && params.merchantUserKey) {
    for (const other of state.store.registrations.values()) {
      if (
        other.state === 'VALID' &&
        visibleTo(other, partnerId) &&
        other.productCode === params.productCode &&
        other.merchantUserKey === params.merchantUserKey
      ) {
        return withScriptAfter(failure('Fail', '이미 같은 상품으로 등록된 정기결제가 있습니다.'), script);
      }
    }
  }
  if (params.actionType === 'CHANGE' && params.targetRecurrentId) {
    const target = state.store.registrations.get(params.targetRecurrentId)!;
    target.state = 'EXPIRED';
    target.expiredAt = now;
    target.expireRequester = '2';
    target.expireReason = 'CHANGE';
  }
  const registration: Registration = {
    recurrentId: state.ids.recurrentId(now),
    partnerId: reserve.partnerId ?? partnerId,
    reserveId,
    actionType: params.actionType,
    preRecurrentId: params.actionType === 'CHANGE' ? params.targetRecurrentId : undefined,
    productCode: params.productCode,
    productName: params.productName,
    merchantUserKey: params.merchantUserKey,
    state: 'VALID',
    registeredAt: now,
    expiredAt: undefined,
    expireRequester: undefined,
    expireReason: undefined,
  };
  state.store.registrations.set(registration.recurrentId, registration);
  reserve.state = 'REGISTERED';
  reserve.recurrentId = registration.recurrentId;
  state.store.stats.increment('recurrent_approve');
  return withScriptAfter(
    success({
      reserveId,
      tempReceiptId,
      recurrentId: registration.recurrentId,
      actionType: registration.actionType,
      // Documented in the response shape (§3.8); a NEW registration replaces nothing. [I: null]
      preRecurrentId: registration.preRecurrentId ?? null,
    }),
    script,
  );
}

export async function payReserveOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const recurrentId = readString(fields, 'recurrentId');
  if (!recurrentId) return requireParameter('recurrentId');
  const amounts: Record<string, number> = {};
  for (const name of ['totalPayAmount', 'taxScopeAmount', 'taxExScopeAmount']) {
    const value = readAmount(fields, name);
    if (value === undefined) return requireParameter(name);
    if (value === null) return invalidParameter(`${name} must be a non-negative integer`);
    amounts[name] = value;
  }
  const productName = readString(fields, 'productName');
  if (!productName) return requireParameter('productName');
  // `merchantPayKey` / `merchantUserKey` accepted as aliases (§3.8 notes).
  const merchantPayId = readString(fields, 'merchantPayId') ?? readString(fields, 'merchantPayKey');
  if (!merchantPayId) return requireParameter('merchantPayId');
  const merchantUserId = readString(fields, 'merchantUserId') ?? readString(fields, 'merchantUserKey');
  const total = amounts.totalPayAmount!;
  if (total <= 0) return invalidParameter('totalPayAmount must be positive');
  if (amounts.taxScopeAmount! + amounts.taxExScopeAmount! !== total) {
    return invalidParameter('taxScopeAmount + taxExScopeAmount must equal totalPayAmount');
  }
  const registration = validRegistration(state, partnerId, recurrentId);
  if ('envelope' in registration) return registration;

  const script = state.scripts.take('recurrent_pay_reserve', { recurrentId, merchantPayKey: merchantPayId });
  const stop = (await runScriptBefore(script)) ?? scriptedFailure(script);
  if (stop) return stop;
  const payment = createAuthorizedPayment(state, {
    kind: 'recurrent',
    partnerId,
    recurrentId,
    merchantPayKey: merchantPayId,
    merchantUserKey: merchantUserId ?? registration.merchantUserKey ?? '',
    productName,
    totalPayAmount: total,
    taxScopeAmount: amounts.taxScopeAmount!,
    taxExScopeAmount: amounts.taxExScopeAmount!,
    environmentDepositAmount: 0,
    useCfmYmdt: readString(fields, 'useCfmYmdt'),
  });
  state.store.stats.increment('recurrent_pay_reserve');
  return withScriptAfter(success({ recurrentId, paymentId: payment.paymentId }), script);
}

export async function payApprovalOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const recurrentId = readString(fields, 'recurrentId');
  if (!recurrentId) return requireParameter('recurrentId');
  const paymentId = readString(fields, 'paymentId');
  if (!paymentId) return requireParameter('paymentId');
  const payment = state.store.payments.get(paymentId);
  if (!payment || !visibleTo(payment, partnerId) || payment.kind !== 'recurrent') {
    return failure('Fail', '존재하지 않는 결제번호입니다.');
  }
  if (payment.recurrentId !== recurrentId) return invalidParameter('paymentId does not belong to recurrentId');
  return approvePayment(ctx, payment, {
    operation: 'recurrent_pay_approve',
    precondition: () => {
      const registration = validRegistration(state, partnerId, recurrentId);
      return 'envelope' in registration ? registration : undefined;
    },
    body: (detail) => ({ recurrentId, paymentId, detail }),
  });
}

export async function expireOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const recurrentId = readString(fields, 'recurrentId');
  if (!recurrentId) return requireParameter('recurrentId');
  const expireRequester = readString(fields, 'expireRequester');
  if (expireRequester !== undefined && expireRequester !== '1' && expireRequester !== '2') {
    return invalidParameter('expireRequester must be 1 or 2');
  }
  const registration = state.store.registrations.get(recurrentId);
  if (!registration || !visibleTo(registration, partnerId)) {
    return failure('Fail', '존재하지 않는 정기결제 등록 ID입니다. (unknown recurrentId)');
  }
  if (registration.state === 'EXPIRED') return failure('Fail', '이미 해지된 정기결제입니다.');
  const script = state.scripts.take('recurrent_expire', { recurrentId });
  const stop = (await runScriptBefore(script)) ?? scriptedFailure(script);
  if (stop) return stop;
  registration.state = 'EXPIRED';
  registration.expiredAt = state.now();
  registration.expireRequester = expireRequester ?? '2';
  registration.expireReason = readString(fields, 'expireReason');
  state.store.stats.increment('recurrent_expire');
  return withScriptAfter(success({ recurrentId }), script);
}

const RECURRENT_STATES = new Set(['VALID', 'EXPIRED', 'ALL']);

export async function recurrentListOperation(ctx: WireContext, fields: Fields): Promise<WireResult> {
  const { state, partnerId } = ctx;
  const stateFilter = readString(fields, 'state') ?? 'ALL';
  if (!RECURRENT_STATES.has(stateFilter)) return invalidParameter('state must be VALID, EXPIRED or ALL');
  const recurrentId = readString(fields, 'recurrentId');
  // With a recurrentId the paging fields are ignored (a client sending pageNumber 0 gets the row).
  const paging = recurrentId ? undefined : readPaging(fields);
  if (paging && 'envelope' in paging) return paging;
  let candidates: Registration[];
  if (recurrentId) {
    const one = state.store.registrations.get(recurrentId);
    candidates = one && visibleTo(one, partnerId) ? [one] : [];
  } else {
    const range = readTimeRange(fields);
    if ('envelope' in range) return range;
    candidates = [...state.store.registrations.values()].filter(
      (r) => visibleTo(r, partnerId) && r.registeredAt >= range.start && r.registeredAt <= range.end,
    );
  }
  const rows = candidates
    .filter((r) => stateFilter === 'ALL' || r.state === stateFilter)
    .sort((a, b) => b.registeredAt - a.registeredAt)
    .map((r) => ({
      recurrentId: r.recurrentId,
      productCode: r.productCode,
      naverPointUse: 'N',
      primaryPayMeans: 'CARD',
      primaryPayMeansCorpCd: 'C0',
      primaryPayMeansNo: '465887**********',
      recurrentState: r.state,
      registYmdt: formatKstDateTime(r.registeredAt),
      expireYmdt: r.expiredAt === undefined ? '' : formatKstDateTime(r.expiredAt),
    }));
  state.store.stats.increment('recurrent_list');
  return success(pageOf(rows, paging));
}
