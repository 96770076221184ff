/**
 * The one catalog of error codes. Every code maps to one HTTP status in
 * `http/plugins/error-handler.ts`; clients may rely on the codes being stable.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  AMOUNT_MISMATCH: 400,
  UNKNOWN_PLAN: 400,
  UNKNOWN_PAYMENT_METHOD: 400,
  PLAN_NOT_PURCHASABLE: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  /** Sign-up password refused by the password rule (details.reason says which part). */
  WEAK_PASSWORD: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  /** A cookie-authenticated state change from another origin (docs/web-security.md). */
  CSRF_REJECTED: 403,
  NOT_FOUND: 404,
  PAYMENT_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  ILLEGAL_TRANSITION: 409,
  PAYMENT_NOT_APPROVABLE: 409,
  PAYMENT_EXPIRED: 409,
  PAYMENT_IN_PROGRESS: 409,
  PLAN_CHANGE_STALE: 409,
  REFUND_EXCEEDS_REMAINING: 409,
  NOT_REFUNDABLE: 409,
  SUBSCRIPTION_NOT_FOUND: 404,
  SUBSCRIPTION_STATE_CONFLICT: 409,
  /** A renewal charge of the subscription is in flight (approving, or its outcome unknown): retry once it settles. */
  RENEWAL_IN_PROGRESS: 409,
  /** A trading-engine reservation would pass the monthly auto-trading cap (docs/trading-engine.md). */
  LIMIT_EXCEEDED: 409,
  /** The user's plan does not include auto-trading now (free, lapsed, expired, refunded). */
  AUTO_TRADING_DISABLED: 409,
  /** The reservation was released or expired (or committed, for a release): it cannot move. */
  RESERVATION_NOT_ACTIVE: 409,
  /** The quote an operation was confirmed with is older than its validity (docs/checkout-rules.md, quotes). */
  QUOTE_EXPIRED: 409,
  /** The amount computed now differs from the quote shown (the subscription changed); nothing was charged or refunded. */
  QUOTE_CHANGED: 409,
  RATE_LIMITED: 429,
  /** The HTTP layer refused the request before routing: path too long, headers too large, too slow. */
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  PROVIDER_DECLINED: 402,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_OUTCOME_UNKNOWN: 502,
  PROVIDER_REQUEST_INVALID: 502,
  PROVIDER_CONFIG_INVALID: 500,
  /** The database could not be reached or dropped the connection; retry later. */
  DATABASE_UNAVAILABLE: 503,
  SANDBOX_ONLY: 404,
  /** Sign-up without 이용약관 / 개인정보 consent, or a checkout without the order consent (details.missing). */
  CONSENT_REQUIRED: 400,
  /** The consent names a version that is no longer current: show the current text again (details.current). */
  CONSENT_OUTDATED: 409,
  /** A password-reset link that is unknown, used or expired (details.reason). */
  RESET_TOKEN_INVALID: 400,
  INTERNAL: 500,
  /** A price increase must take effect at least 30 days after it is set (docs/pricing.md). */
  PRICE_NOTICE_TOO_SHORT: 422,
  /** A new price version cannot take effect in the past. */
  PRICE_EFFECTIVE_IN_PAST: 422,
  /** The new version would not change the price (or one already takes effect at that instant). */
  PRICE_UNCHANGED: 422,
  /** A price version already in effect cannot be withdrawn (only a scheduled one can). */
  PRICE_ALREADY_EFFECTIVE: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base of every error the service throws on purpose. `message` is shown to users (Korean). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export class IllegalTransitionError extends AppError {
  constructor(readonly entity: string, readonly id: string, readonly from: string, readonly to: string) {
    super('ILLEGAL_TRANSITION', `${entity} ${id}: ${from} → ${to} is not allowed`, { entity, id, from, to });
    this.name = 'IllegalTransitionError';
  }
}

/** Common shape of errors thrown by provider adapters. */
export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    readonly provider: string,
    /** The provider's own code (e.g. "-780", "TimeExpired"), for logs and audit. */
    readonly providerCode: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The provider said no, finally (declined card, expired checkout, wrong token). */
export class ProviderDeclinedError extends ProviderError {
  readonly retryable = false;
  override name = 'ProviderDeclinedError';
  constructor(
    provider: string,
    providerCode: string,
    message: string,
    /** Our normalized reason, e.g. 'expired', 'already_approved', 'declined', 'user_auth_incomplete'. */
    readonly reason: DeclineReason = 'declined',
    options?: { cause?: unknown },
  ) {
    super(provider, providerCode, message, options);
  }
}
export type DeclineReason =
  | 'declined'
  | 'expired'
  | 'already_approved'
  | 'already_canceled'
  | 'user_auth_incomplete'
  | 'amount_mismatch'
  | 'exceeds_refundable'
  | 'not_found'
  | 'billing_key_inactive';

/**
 * The provider could not be reached or answered 5xx / maintenance. When the
 * call moves money, `outcomeUnknown` is true if the request may have been
 * processed (timeout after sending): the payment must then be reconciled.
 */
export class ProviderUnavailableError extends ProviderError {
  readonly retryable = true;
  override name = 'ProviderUnavailableError';
  constructor(
    provider: string,
    providerCode: string,
    message: string,
    readonly outcomeUnknown: boolean,
    options?: { cause?: unknown },
  ) {
    super(provider, providerCode, message, options);
  }
}

/**
 * The provider is still processing an earlier attempt of the same request (same order, same
 * billing key or same payment): that attempt may yet commit or fail. The outcome is unknown
 * (`outcomeUnknown` is always true), and sending the request again cannot help until the
 * earlier attempt has finished and a lookup has seen it.
 */
export class ProviderInFlightError extends ProviderUnavailableError {
  override name = 'ProviderInFlightError';
  constructor(provider: string, providerCode: string, message: string, options?: { cause?: unknown }) {
    super(provider, providerCode, message, true, options);
  }
}

/** We sent something the provider considers malformed: our bug. Alert someone. */
export class ProviderRequestError extends ProviderError {
  readonly retryable = false;
  override name = 'ProviderRequestError';
}

/** Bad keys, unknown merchant/CID. */
export class ProviderConfigError extends ProviderError {
  readonly retryable = false;
  override name = 'ProviderConfigError';
}
