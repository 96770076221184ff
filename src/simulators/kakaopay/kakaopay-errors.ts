import type { ResolvedSandboxOptions } from './kakaopay-options.ts';

/** `extras` of an error envelope: the payment method's own result code and message. */
export interface KakaoPayErrorExtras {
  method_result_code?: string;
  method_result_message?: string;
  [key: string]: unknown;
}

/**
 * Messages per code. -780/-781/-784 are the documented strings (spec §6.1); the others are
 * short English phrases of the same style ([I]).
 */
const MESSAGES: Record<number, string> = {
  [-1]: 'internal error',
  [-2]: 'invalid parameter',
  [-3]: 'api is not enabled for this app',
  [-5]: 'no permission',
  [-10]: 'request quota exceeded',
  [-401]: 'invalid authorization',
  [-701]: 'payment is not authorized by user yet',
  [-702]: 'payment is already done!',
  [-703]: 'invalid point amount',
  [-704]: 'invalid payment method amount',
  [-705]: 'unsupported payment method',
  [-706]: 'partner_order_id does not match',
  [-707]: 'partner_user_id does not match',
  [-708]: 'invalid pg_token',
  [-710]: 'cancel amount exceeds cancel available amount',
  [-711]: 'cancel amount exceeds approved amount',
  [-721]: 'tid does not exist',
  [-722]: 'invalid amount',
  [-723]: 'payment expiry time has passed',
  [-724]: 'invalid single payment amount',
  [-725]: 'invalid total payment amount',
  [-726]: 'invalid order information',
  [-730]: 'invalid partner app information',
  [-731]: 'invalid cid',
  [-732]: 'invalid gid',
  [-733]: 'invalid cid_secret',
  [-750]: 'sid does not exist',
  [-751]: 'sid is inactive',
  [-752]: 'sid exceeded monthly maximum count',
  [-753]: 'partner_user_id does not match the sid',
  [-761]: 'not a kakaotalk user',
  [-780]: 'approval failure!',
  [-781]: 'cancel failure!',
  [-782]: 'subscription payment failure!',
  [-783]: 'approval is not possible in current status',
  [-784]: 'can not request cancel!',
  [-785]: 'duplicated request is in progress',
  [-797]: 'one-time payment limit exceeded',
  [-798]: 'request from not allowed ip',
  [-799]: 'request domain is not registered',
  [-9798]: 'service is under maintenance',
};

/** Default `extras` for scripted method failures without explicit extras (spec §4.2, §4.4 samples). */
const DEFAULT_EXTRAS: Record<number, KakaoPayErrorExtras> = {
  [-780]: {
    method_result_code: 'USER_LOCKED',
    method_result_message: '진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요.',
  },
  [-781]: { method_result_code: '6666', method_result_message: '원거래없음' },
  [-782]: { method_result_code: '8888', method_result_message: '정기결제 승인 실패' },
};

/** A KakaoPay API error, rendered in the envelope of the route set it happened on. */
export class KakaoPayError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    readonly extras?: KakaoPayErrorExtras,
  ) {
    super(message ?? MESSAGES[code] ?? `error ${code}`);
    this.name = 'KakaoPayError';
  }
}

/** Missing or malformed request parameter. */
export function invalidParam(detail: string): KakaoPayError {
  return new KakaoPayError(-2, `invalid parameter: ${detail}`);
}

/** A code forced by a script or the `X-Sandbox-Error` header; method failures get sample extras. */
export function scriptedError(code: number, extras?: KakaoPayErrorExtras): KakaoPayError {
  return new KakaoPayError(code, undefined, extras ?? DEFAULT_EXTRAS[code]);
}

/** -784 with the message real KakaoPay sends (spec §4.4, [C3 S10]). */
export function cannotCancel(status: string): KakaoPayError {
  return new KakaoPayError(-784, `can not request cancel!(status : ${status})`);
}

/** HTTP status for an error code: -401 → 401, -9798 → 503, common -2 family → 400, -7xx → configurable. */
export function httpStatusFor(code: number, options: ResolvedSandboxOptions): number {
  const override = options.httpStatusByCode[code];
  if (override !== undefined) return override;
  switch (code) {
    case -401:
      return 401;
    case -9798:
      return 503;
    case -5:
    case -402:
    case -403:
      return 403;
    case -1:
    case -2:
    case -3:
    case -4:
    case -10:
      return 400;
    default:
      return options.businessErrorHttpStatus;
  }
}
