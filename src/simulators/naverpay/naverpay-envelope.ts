/** NaverPay response envelope (spec §2.4) and the result codes the sandbox emits (§4). */
export interface Envelope {
  code: string;
  message: string;
  body: unknown;
}

/** What an operation hands back to the wire layer. */
export interface WireResult {
  status: number;
  envelope: Envelope;
  /** Delay after processing and committing, before the response (scripted `delay: 'after'`). */
  afterDelayMs?: number;
  /** False for responses that must not be stored under an idempotency key (e.g. scripted 5xx). */
  storable?: boolean;
  /** Sent instead of this result after it was committed (scripted HTTP status with `delay: 'after'`). */
  responseOverride?: WireResult;
}

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';
export const IDEMPOTENCY_HEADER = 'x-naverpay-idempotency-key';
export const IDEMPOTENCY_HEADER_NAME = 'X-NaverPay-Idempotency-Key';

export const SUCCESS_MESSAGE = '성공';

/** Approve codes that leave the payment approvable (retryable per §4.2) or describe the request. */
export const NON_TERMINAL_APPROVE_CODES: ReadonlySet<string> = new Set([
  'BankMaintenance',
  'MaintenanceOngoing',
  'FaultCheckOngoing',
  // The bank's nightly window (§4.5, older code): nothing was processed.
  'BankCheckTime',
  'AlreadyOnGoing',
  'AlreadyComplete',
  'InvalidMerchant',
  'RequireParameter',
  'InvalidParameter',
]);

export function success(body: unknown, message = SUCCESS_MESSAGE): WireResult {
  return { status: 200, envelope: { code: 'Success', message, body } };
}

/** Business failure: HTTP 200, non-`Success` code, `body: null` unless given. */
export function failure(code: string, message: string, body: unknown = null): WireResult {
  return { status: 200, envelope: { code, message, body } };
}

export function requireParameter(name: string): WireResult {
  return failure('RequireParameter', `필수 파라미터가 누락되었습니다: ${name}`);
}

export function invalidParameter(message: string): WireResult {
  return failure('InvalidParameter', message);
}

/** Scripted HTTP error; not stored for idempotent replay because nothing was processed. [I] */
export function httpError(status: number, code: string | undefined, message: string | undefined): WireResult {
  const defaultCode = status === 503 ? 'MaintenanceOngoing' : status === 401 ? 'Unauthorized' : 'Fail';
  return {
    status,
    envelope: { code: code ?? defaultCode, message: message ?? `sandbox scripted HTTP ${status}`, body: null },
    storable: false,
  };
}
