/**
 * A small typed client for the trading engine's side of the billing API (issue 10 item 7):
 * entitlements, usage reservations and webhook verification. Dependency-light on purpose: the
 * global `fetch` and `standardwebhooks`, nothing else of this repository, so the engine can copy
 * the folder. Amounts are integer KRW.
 */
import { Webhook } from 'standardwebhooks';

export interface Entitlements {
  user_id: string;
  plan: string;
  status: string;
  auto_trading_enabled: boolean;
  /** null = unlimited. */
  monthly_limit_krw: number | null;
  used_krw: number;
  reserved_krw: number;
  /** null = unlimited. */
  remaining_krw: number | null;
  cap_period_start: string;
  cap_period_end: string;
  features: string[];
  in_grace: boolean;
  grace_until: string | null;
  paid_through: string | null;
  version: number | string;
}

export interface ChangesPage {
  entitlements: Entitlements[];
  next_cursor: string | null;
}

export interface Reservation {
  reservation_id: string;
  trade_id: string;
  status: string;
  amount_krw: number;
  remaining_krw: number | null;
  expires_at?: string;
  [k: string]: unknown;
}

/** Codes the engine should handle; others may appear (the service's error catalog). */
export type EngineErrorCode =
  | 'LIMIT_EXCEEDED'
  | 'AUTO_TRADING_DISABLED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'RATE_LIMITED'
  | 'NETWORK_ERROR'
  | (string & {});

/** A refused or failed call: the service's `{error: {code, message, details}}`, or NETWORK_ERROR (no answer). */
export class EngineApiError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly status: number | null,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EngineApiError';
  }
  /** True when the cap or the plan refused the trade (do not place the order). */
  get isRefusal(): boolean {
    return this.code === 'LIMIT_EXCEEDED' || this.code === 'AUTO_TRADING_DISABLED';
  }
}

export interface EngineClientOptions {
  /** The billing service, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A service API key `smts_sk_…` (scopes entitlements:read, usage:write). */
  apiKey: string;
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class EngineClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly opts: EngineClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
  }

  getEntitlements(userId: string): Promise<Entitlements> {
    return this.call('GET', `/api/v1/entitlements/${encodeURIComponent(userId)}`);
  }

  async getEntitlementsBulk(userIds: string[]): Promise<Entitlements[]> {
    return (await this.call<{ entitlements: Entitlements[] }>('POST', '/api/v1/entitlements/bulk', { user_ids: userIds })).entitlements;
  }

  /** Everything changed since `cursor` (omit for the start); call again with `next_cursor`. */
  changesSince(cursor?: string | null, limit?: number): Promise<ChangesPage> {
    const q = new URLSearchParams();
    if (cursor) q.set('cursor', cursor);
    if (limit) q.set('limit', String(limit));
    const qs = q.toString();
    return this.call('GET', `/api/v1/entitlements/changes${qs ? `?${qs}` : ''}`);
  }

  /** Reserves `amountKrw` of the user's monthly cap before an order; idempotent by `tradeId`. Throws LIMIT_EXCEEDED / AUTO_TRADING_DISABLED. */
  reserve(input: { userId: string; tradeId: string; amountKrw: number }): Promise<Reservation> {
    return this.call('POST', '/api/v1/usage/reservations', { user_id: input.userId, trade_id: input.tradeId, amount_krw: input.amountKrw });
  }

  /** Settles a reservation at the traded amount (≤ reserved). */
  commit(reservationId: string, amountKrw: number): Promise<Reservation> {
    return this.call('POST', `/api/v1/usage/reservations/${encodeURIComponent(reservationId)}/commit`, { amount_krw: amountKrw });
  }

  /** Gives a reservation back (the order was not placed). */
  release(reservationId: string): Promise<Reservation> {
    return this.call('POST', `/api/v1/usage/reservations/${encodeURIComponent(reservationId)}/release`, {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.opts.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
      });
    } catch (err) {
      throw new EngineApiError('NETWORK_ERROR', err instanceof Error ? err.message : String(err), null);
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const e = json?.error;
      throw new EngineApiError(e?.code ?? `HTTP_${res.status}`, e?.message ?? (text.slice(0, 200) || res.statusText), res.status, e?.details);
    }
    return json as T;
  }
}

/** A verified engine webhook: `{type, timestamp, data: {...payload, user_id, seq, event_id}}`. */
export interface EngineWebhook {
  id: string;
  type: string;
  timestamp: string;
  data: { user_id: string; seq: number; event_id: string; plan?: string; auto_trading_enabled?: boolean; limit?: number | null; status?: string; [k: string]: unknown };
}

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/**
 * Verifies a Standard Webhook with the endpoint's `whsec_…` secret (signature and a 5-minute
 * timestamp window, by `standardwebhooks`). `rawBody` must be the bytes as received. Header names
 * are matched case-insensitively. Throws WebhookSignatureError.
 */
export function verifyWebhook(rawBody: string | Buffer, headers: Record<string, string | string[] | undefined> | Headers, secret: string): EngineWebhook {
  const get = (name: string): string => {
    if (headers instanceof Headers) return headers.get(name) ?? '';
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const v = key ? headers[key] : undefined;
    return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  };
  const h = { 'webhook-id': get('webhook-id'), 'webhook-timestamp': get('webhook-timestamp'), 'webhook-signature': get('webhook-signature') };
  let body: any;
  try {
    body = new Webhook(secret).verify(rawBody, h);
  } catch (err) {
    throw new WebhookSignatureError(err instanceof Error ? err.message : String(err));
  }
  return { id: h['webhook-id'], type: body.type, timestamp: body.timestamp, data: body.data };
}
