import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import {
  ProviderConfigError,
  ProviderError,
  ProviderRequestError,
  ProviderUnavailableError,
} from '../../domain/errors.ts';
import { KAKAOPAY_PROVIDER, toProviderError } from './kakaopay-mapping.ts';
import {
  KAKAOPAY_OPERATION_PATHS,
  KAKAOPAY_PATH_PREFIX,
  KAKAOPAY_RESPONSE_SCHEMAS,
  parseKakaoPayErrorEnvelope,
  type KakaoPayApi,
  type KakaoPayOperation,
  type KakaoPayRequests,
  type KakaoPayResponses,
} from './kakaopay-wire.ts';

/** Pino-compatible subset. The client logs only path, HTTP status and error code. */
export interface KakaoPayLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface KakaoPayClientOptions {
  /** Origin, e.g. `https://open-api.kakaopay.com` or `https://kapi.kakao.com`. */
  baseUrl: string;
  api: KakaoPayApi;
  /** Current API: sent as `Authorization: SECRET_KEY {secretKey}`. */
  secretKey: string;
  /** Legacy API: sent as `Authorization: KakaoAK {adminKey}`. */
  adminKey: string;
  /** Added as `cid_secret` to every request when set. */
  cidSecret?: string;
  /** Budget of one attempt in ms: connect, send and the whole response. */
  timeoutMs: number;
  /** Extra attempts for retry-safe failures (see `RETRY_SAFE`). Default 2. */
  maxRetries?: number;
  /** Backoff before retry n is `retryDelayMs * n`. Default 200 ms. */
  retryDelayMs?: number;
  logger?: KakaoPayLogger;
  /** Connection pool to use; default: one undici `Agent` per client. */
  dispatcher?: Dispatcher;
}

/** A parsed success body plus the JSON as received, for the audit log. */
export interface KakaoPayResponse<T> {
  body: T;
  raw: unknown;
}

/** Calls whose repetition cannot move money or create anything: retried on any transient failure. */
const RETRY_SAFE: ReadonlySet<KakaoPayOperation> = new Set(['order', 'status', 'inactive']);

/** Calls that move money: after a possibly-delivered request the outcome is unknown. */
const MOVES_MONEY: ReadonlySet<KakaoPayOperation> = new Set(['approve', 'cancel', 'subscription']);

/** Error codes showing that the connection was never established, so nothing was sent. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const noopLogger: KakaoPayLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * HTTP to KakaoPay in one API generation: auth header, body encoding, a timeout on every
 * attempt, both error envelopes, and retries.
 *
 * Retries: `order`, `status` and `inactive` (repeating them changes nothing) retry any
 * `ProviderUnavailableError`. Every other call retries only when the connection was never
 * established. A timeout or dropped connection after sending on approve/cancel/subscription
 * throws `ProviderUnavailableError` with `outcomeUnknown = true`: the caller reconciles
 * through order lookup instead of repeating the charge.
 *
 * Throws the domain provider errors only (see `toProviderError` for the code table).
 */
export class KakaoPayClient {
  readonly #authorization: string;
  readonly #cidSecret: string | undefined;
  readonly #baseUrl: string;
  readonly #api: KakaoPayApi;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryDelayMs: number;
  readonly #logger: KakaoPayLogger;
  readonly #dispatcher: Dispatcher;

  constructor(options: KakaoPayClientOptions) {
    this.#api = options.api;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorization =
      options.api === 'current' ? `SECRET_KEY ${options.secretKey}` : `KakaoAK ${options.adminKey}`;
    this.#cidSecret = options.cidSecret || undefined;
    this.#timeoutMs = options.timeoutMs;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
    this.#logger = options.logger ?? noopLogger;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
  }

  /** Path of an operation in this client's API generation. */
  pathOf(operation: KakaoPayOperation): string {
    return `${KAKAOPAY_PATH_PREFIX[this.#api]}${KAKAOPAY_OPERATION_PATHS[operation]}`;
  }

  /** Sends one operation, retrying as described on the class. */
  async call<K extends KakaoPayOperation>(
    operation: K,
    params: KakaoPayRequests[K],
    /** Rejection codes the caller handles as routine (the CID fallback's -731/-721): logged at info. */
    routineCodes?: ReadonlySet<string>,
  ): Promise<KakaoPayResponse<KakaoPayResponses[K]>> {
    const path = this.pathOf(operation);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt(operation, path, params, routineCodes);
      } catch (error) {
        const retry = attempt < this.#maxRetries && this.#mayRetry(operation, error);
        if (!retry) throw error;
        this.#logger.warn(
          { path, code: error instanceof ProviderError ? error.providerCode : undefined },
          'kakaopay request failed; retrying',
        );
        await sleep(this.#retryDelayMs * (attempt + 1));
      }
    }
  }

  #mayRetry(operation: KakaoPayOperation, error: unknown): boolean {
    if (error instanceof NeverSentError) return true;
    return RETRY_SAFE.has(operation) && error instanceof ProviderUnavailableError;
  }

  async #attempt<K extends KakaoPayOperation>(
    operation: K,
    path: string,
    params: KakaoPayRequests[K],
    routineCodes?: ReadonlySet<string>,
  ): Promise<KakaoPayResponse<KakaoPayResponses[K]>> {
    const movesMoney = MOVES_MONEY.has(operation);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await request(`${this.#baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: this.#authorization,
          'content-type':
            this.#api === 'current' ? 'application/json' : 'application/x-www-form-urlencoded;charset=utf-8',
          accept: 'application/json',
        },
        body: this.#encode(params as unknown as Record<string, string | number>),
        signal: timeout,
        dispatcher: this.#dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.#transportError(path, error, timeout.aborted, movesMoney);
    }

    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }

    if (status < 200 || status >= 300) {
      const envelope = parseKakaoPayErrorEnvelope(json);
      const failure = toProviderError({ httpStatus: status, envelope, movesMoney });
      const fields = { path, status, code: failure.providerCode };
      if (routineCodes?.has(failure.providerCode)) {
        this.#logger.info(fields, 'kakaopay request rejected (handled by the caller)');
      } else if (failure instanceof ProviderRequestError || failure instanceof ProviderConfigError || status >= 500) {
        this.#logger.error(fields, 'kakaopay request failed');
      } else {
        this.#logger.warn(fields, 'kakaopay request rejected');
      }
      throw failure;
    }

    const parsed = KAKAOPAY_RESPONSE_SCHEMAS[operation].safeParse(json);
    if (!parsed.success) {
      this.#logger.error({ path, status, code: 'invalid_response' }, 'kakaopay response did not match the schema');
      const message = `kakaopay: unexpected ${operation} response: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'body'} ${i.message}`)
        .join('; ')}`;
      // A 2xx on a money call means it happened; we just cannot read it. Reconcile, don't retry.
      if (movesMoney) {
        throw new ProviderUnavailableError(KAKAOPAY_PROVIDER, 'invalid_response', message, true, { cause: json });
      }
      throw new ProviderRequestError(KAKAOPAY_PROVIDER, 'invalid_response', message, { cause: json });
    }
    return { body: parsed.data, raw: json };
  }

  #encode(params: Record<string, string | number>): string {
    const withSecret: Record<string, string | number> = this.#cidSecret
      ? { ...params, cid_secret: this.#cidSecret }
      : params;
    if (this.#api === 'current') return JSON.stringify(withSecret);
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(withSecret)) {
      if (value !== undefined) form.append(key, String(value));
    }
    return form.toString();
  }

  #transportError(path: string, error: unknown, timedOut: boolean, movesMoney: boolean): ProviderError {
    const code = errorCode(error);
    if (!timedOut && code !== undefined && NEVER_SENT_CODES.has(code)) {
      this.#logger.error({ path, code }, 'kakaopay unreachable');
      return new NeverSentError(code, `kakaopay: ${path} unreachable (${code})`, { cause: error });
    }
    const providerCode = timedOut ? 'timeout' : (code ?? 'network');
    this.#logger.error({ path, code: providerCode }, 'kakaopay request did not complete');
    const detail = timedOut ? `no answer within ${this.#timeoutMs} ms` : `connection failed (${providerCode})`;
    // The request may have reached KakaoPay: a money call's outcome is now unknown.
    return new ProviderUnavailableError(KAKAOPAY_PROVIDER, providerCode, `kakaopay: ${path}: ${detail}`, movesMoney, {
      cause: error,
    });
  }
}

/** Connection never established: safe to retry any call; `outcomeUnknown` is false. */
class NeverSentError extends ProviderUnavailableError {
  constructor(code: string, message: string, options: { cause?: unknown }) {
    super(KAKAOPAY_PROVIDER, code, message, false, options);
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
    const inner = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      current = inner[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
