/**
 * Options of the KakaoPay sandbox. Every field is optional; `resolveSandboxOptions`
 * fills in the defaults documented on each field.
 */
export interface KakaoPaySandboxOptions {
  /** Base clock in ms since epoch. Default `Date.now`. The control clock offset is added on top. */
  now?: () => number;
  /** Lifetime of an unapproved tid in ms (spec §3.1, [C3]). Default 15 minutes. */
  tidTtlMs?: number;
  /** Delay in ms added before every wire response (success or error). Default 0. */
  latencyMs?: number;
  /** Keys accepted on `/online/v1/*` with the `SECRET_KEY` or `DEV_SECRET_KEY` scheme. */
  secretKeys?: string[];
  /** Keys accepted on `/v1/*` with the `KakaoAK` scheme. */
  adminKeys?: string[];
  /** CIDs for single payments. Default `['TC0ONETIME']`. */
  oneTimeCids?: string[];
  /** CIDs for recurring payments (approve issues a SID). Default `['TCSUBSCRIP']`. */
  subscriptionCids?: string[];
  /** Code for approve `total_amount` ≠ ready total ([I] in spec §8.9). Default -722. */
  amountMismatchCode?: -722 | -725;
  /** HTTP status of payment business errors (-7xx). Default 400; some copies list 500 for -780/-781/-782. */
  businessErrorHttpStatus?: number;
  /** Per-code HTTP status overrides, applied last (e.g. `{ -780: 500 }`). */
  httpStatusByCode?: Record<number, number>;
  /** Largest allowed `total_amount` for ready/subscription; above it → -797. Default: no limit. */
  maxSingleAmount?: number;
  /** Maximum subscription charges per SID per calendar month (KST); above it → -752. Default: no cap. */
  sidMonthlyChargeCap?: number;
  /**
   * Origin used in hosted-page URLs (e.g. `http://localhost:8091`). If unset, the URLs are
   * built from the ready request's protocol and Host header.
   */
  publicBaseUrl?: string;
  /** Source of random lowercase hex strings of the given length. Default: node:crypto. */
  randomHex?: (length: number) => string;
  /** Fastify logger option. Default false. */
  logger?: boolean;
  /**
   * Accept what the real API refuses (README "Assumptions"): a form body on the current API, a
   * JSON body on the legacy API, and `available_cards` as an array or a comma list instead of a
   * JSON string. Default false (strict).
   */
  lenientBodies?: boolean;
}

export interface ResolvedSandboxOptions {
  now: () => number;
  tidTtlMs: number;
  latencyMs: number;
  secretKeys: ReadonlySet<string>;
  adminKeys: ReadonlySet<string>;
  oneTimeCids: ReadonlySet<string>;
  subscriptionCids: ReadonlySet<string>;
  amountMismatchCode: number;
  businessErrorHttpStatus: number;
  httpStatusByCode: Readonly<Record<number, number>>;
  maxSingleAmount: number | undefined;
  sidMonthlyChargeCap: number | undefined;
  publicBaseUrl: string | undefined;
  randomHex: ((length: number) => string) | undefined;
  logger: boolean;
  lenientBodies: boolean;
}

export const DEFAULT_SECRET_KEY = 'DEV_SANDBOX_KAKAOPAY_SECRET';
export const DEFAULT_ADMIN_KEY = 'sandbox-kakao-admin-key';
export const DEFAULT_ONE_TIME_CID = 'TC0ONETIME';
export const DEFAULT_SUBSCRIPTION_CID = 'TCSUBSCRIP';
export const DEFAULT_TID_TTL_MS = 15 * 60 * 1000;

export function resolveSandboxOptions(options: KakaoPaySandboxOptions = {}): ResolvedSandboxOptions {
  return {
    now: options.now ?? Date.now,
    tidTtlMs: options.tidTtlMs ?? DEFAULT_TID_TTL_MS,
    latencyMs: options.latencyMs ?? 0,
    secretKeys: new Set(options.secretKeys ?? [DEFAULT_SECRET_KEY]),
    adminKeys: new Set(options.adminKeys ?? [DEFAULT_ADMIN_KEY]),
    oneTimeCids: new Set(options.oneTimeCids ?? [DEFAULT_ONE_TIME_CID]),
    subscriptionCids: new Set(options.subscriptionCids ?? [DEFAULT_SUBSCRIPTION_CID]),
    amountMismatchCode: options.amountMismatchCode ?? -722,
    businessErrorHttpStatus: options.businessErrorHttpStatus ?? 400,
    httpStatusByCode: { ...(options.httpStatusByCode ?? {}) },
    maxSingleAmount: options.maxSingleAmount,
    sidMonthlyChargeCap: options.sidMonthlyChargeCap,
    publicBaseUrl: options.publicBaseUrl?.replace(/\/+$/, ''),
    randomHex: options.randomHex,
    logger: options.logger ?? false,
    lenientBodies: options.lenientBodies ?? false,
  };
}
