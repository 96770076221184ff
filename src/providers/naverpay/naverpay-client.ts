/**
 * HTTP to the NaverPay partner API (spec §2): URL building, auth headers, body encodings,
 * timeouts, HTTP-status handling and retries that reuse one idempotency key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import {
  ProviderConfigError,
  ProviderRequestError,
  ProviderUnavailableError,
  type ProviderError,
} from '../../domain/errors.ts';
import { isWireIdempotencyKey, PROVIDER_ID, unexpectedResponse } from './naverpay-mapping.ts';
import { envelopeSchema, NAVERPAY_ENCODINGS, type NaverPayEnvelope, type NaverPayPath } from './naverpay-wire.ts';

/** pino-compatible subset. Never receives secrets or request bodies. */
export interface NaverPayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface NaverPayClientOptions {
  /** e.g. `https://dev-pay.paygate.naver.com` (no trailing path). */
  baseUrl: string;
  partnerId: string;
  clientId: string;
  /** A plain string or a redacting wrapper (`reveal()`), read only when a request is sent. */
  clientSecret: string | SecretValue;
  /** One-time contract chain id. */
  chainId: string;
  /** Recurrent contract chain id. */
  recurrentChainId: string;
  /** Default per-attempt timeout, ms. */
  timeoutMs: number;
  /** Per-attempt timeout of approvals and cancels, ms (spec §2.7: 60 s). */
  approveTimeoutMs: number;
  /** Extra attempts after a timeout / connection error / 5xx / 429 / AlreadyOnGoing. */
  maxRetries: number;
  /** First backoff, ms; doubles per retry. */
  retryBackoffMs: number;
  logger?: NaverPayLogger;
  /** undici dispatcher (connection pool); the global one when absent. */
  dispatcher?: Dispatcher;
}

/** Structural match for the config layer's `Secret` (toString/toJSON redacted). */
export interface SecretValue {
  reveal(): string;
}

export type ChainKind = 'onetime' | 'recurrent';

export interface NaverPayCall {
  path: NaverPayPath;
  fields: Record<string, unknown>;
  chain: ChainKind;
  /**
   * Required on every call that moves money or creates provider state; reused verbatim on
   * each retry so NaverPay answers a repeat with HTTP 409 and the first response.
   */
  idempotencyKey?: string;
  /** Use the long (approve/cancel) timeout. */
  long?: boolean;
}

export interface NaverPayResponse {
  httpStatus: number;
  /** HTTP 409: NaverPay replayed the stored first response of this idempotency key. */
  replayed: boolean;
  envelope: NaverPayEnvelope;
  /** The parsed JSON body as received, for the audit log. */
  raw: unknown;
}

/** Connection failures raised before the request could reach NaverPay. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export class NaverPayClient {
  readonly #options: Omit<NaverPayClientOptions, 'clientSecret'>;
  // Kept out of `#options` so no options dump can carry it.
  readonly #clientSecret: string | SecretValue;

  constructor(options: NaverPayClientOptions) {
    const { clientSecret, ...rest } = options;
    this.#options = { ...rest, baseUrl: rest.baseUrl.replace(/\/+$/, '') };
    this.#clientSecret = clientSecret;
  }

  get hasDistinctRecurrentChain(): boolean {
    return this.#options.chainId !== this.#options.recurrentChainId;
  }

  url(path: NaverPayPath): string {
    return `${this.#options.baseUrl}/${encodeURIComponent(this.#options.partnerId)}/naverpay/payments/${path}`;
  }

  /**
   * POSTs one call. Returns the envelope of HTTP 200 and 409 (replay) answers whatever their
   * `code`; the caller interprets the code. Throws:
   * - `ProviderConfigError` on 401;
   * - `ProviderRequestError` on other 4xx and on an invalid idempotency key;
   * - `ProviderUnavailableError` when retries are exhausted, with `outcomeUnknown` true when
   *   the call carried an idempotency key (moves money) and some attempt may have been processed.
   */
  async post(call: NaverPayCall): Promise<NaverPayResponse> {
    const key = call.idempotencyKey;
    if (key !== undefined && !isWireIdempotencyKey(key)) {
      throw new ProviderRequestError(PROVIDER_ID, 'InvalidIdempotencyKey', 'idempotency key must be 1-64 chars of [A-Za-z0-9_-]');
    }
    const moneyCall = key !== undefined;
    const encoding = NAVERPAY_ENCODINGS[call.path];
    const body = encoding === 'json' ? JSON.stringify(call.fields) : formBody(call.fields);
    const headers: Record<string, string> = {
      'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'x-naver-client-id': this.#options.clientId,
      'x-naver-client-secret': typeof this.#clientSecret === 'string' ? this.#clientSecret : this.#clientSecret.reveal(),
      'x-naverpay-chain-id': call.chain === 'recurrent' ? this.#options.recurrentChainId : this.#options.chainId,
    };
    if (key !== undefined) headers['x-naverpay-idempotency-key'] = key;
    const timeoutMs = call.long ? this.#options.approveTimeoutMs : this.#options.timeoutMs;
    const url = this.url(call.path);

    let maybeProcessed = false;
    let lastFailure: ProviderError | undefined;
    const attempts = this.#options.maxRetries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(this.#options.retryBackoffMs * 2 ** (attempt - 2));
      const started = Date.now();
      const logBase = { provider: PROVIDER_ID, path: call.path, attempt, idempotencyKey: key };
      let status: number;
      let text: string;
      try {
        const response = await request(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          dispatcher: this.#options.dispatcher,
        });
        status = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        const code = errorCode(error);
        const notSent = code !== undefined && NOT_SENT_CODES.has(code);
        if (!notSent) maybeProcessed = true;
        this.#options.logger?.warn(
          { ...logBase, error: errorName(error), errorCode: code, ms: Date.now() - started },
          'naverpay call failed without an answer',
        );
        lastFailure = new ProviderUnavailableError(
          PROVIDER_ID,
          notSent ? 'ConnectionFailed' : 'Timeout',
          notSent ? '네이버페이에 연결할 수 없습니다.' : '네이버페이 응답이 없습니다.',
          false,
          { cause: error },
        );
        continue;
      }

      const json = parseJson(text);
      const envelope = json === undefined ? undefined : envelopeSchema.safeParse(json);
      const resultCode = envelope?.success ? envelope.data.code : undefined;
      this.#options.logger?.info({ ...logBase, status, code: resultCode, ms: Date.now() - started }, 'naverpay call');

      if (status === 200 || status === 409) {
        if (!envelope?.success) throw unexpectedResponse(`HTTP ${status} without an envelope`, moneyCall, text.slice(0, 500));
        const result: NaverPayResponse = { httpStatus: status, replayed: status === 409, envelope: envelope.data, raw: json };
        // Our own earlier attempt may still be running at NaverPay; a later retry with the
        // same key gets its stored answer.
        if (envelope.data.code === 'AlreadyOnGoing' && moneyCall && maybeProcessed && attempt < attempts) {
          lastFailure = new ProviderUnavailableError(PROVIDER_ID, 'AlreadyOnGoing', '네이버페이가 요청을 처리 중입니다.', false);
          continue;
        }
        return result;
      }
      const message = envelope?.success && envelope.data.message ? envelope.data.message : `HTTP ${status}`;
      if (status === 401) throw new ProviderConfigError(PROVIDER_ID, resultCode ?? 'Unauthorized', message, { cause: json ?? text });
      if (status === 429 || status >= 500) {
        // 503 is documented as maintenance (not processed), 429 as refusal; any other 5xx may
        // come from a gateway after NaverPay already processed the request.
        if (status !== 503 && status !== 429) maybeProcessed = true;
        lastFailure = new ProviderUnavailableError(PROVIDER_ID, resultCode ?? `HTTP${status}`, message, false, {
          cause: json ?? text,
        });
        continue;
      }
      throw new ProviderRequestError(PROVIDER_ID, resultCode ?? `HTTP${status}`, message, { cause: json ?? text });
    }

    // Only failures reach this point: a response on the last attempt is returned above.
    const failure = lastFailure ?? new ProviderUnavailableError(PROVIDER_ID, 'Unavailable', '네이버페이를 사용할 수 없습니다.', false);
    const outcomeUnknown = moneyCall && maybeProcessed;
    throw new ProviderUnavailableError(
      PROVIDER_ID,
      failure.providerCode,
      outcomeUnknown ? `${failure.message} 결제 결과를 확인해야 합니다.` : failure.message,
      outcomeUnknown,
      { cause: failure },
    );
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Form body; ids with `+`, `/`, `=` are percent-encoded by URLSearchParams (§2.3). */
function formBody(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    params.append(name, typeof value === 'string' ? value : String(value));
  }
  return params.toString();
}
