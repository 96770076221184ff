/**
 * Typed fetch wrapper for our own API (same origin only). The session is the
 * HttpOnly `smts_session` cookie, so every call sends credentials: 'same-origin'.
 * Errors become `ApiFailure` with the server's Korean message.
 */
import type {
  ApiError,
  ApproveResponse,
  AuthResponse,
  PaymentsResponse,
  PaymentView,
  PlansResponse,
  ReadyResponse,
  SubscriptionStatusView,
  UserView,
} from '../../src/http/schemas/api-types.ts';

export type {
  ApproveResponse,
  AuthResponse,
  EntitlementsView,
  PaymentMethodView,
  PaymentsResponse,
  PaymentView,
  PlansResponse,
  PlanView,
  ReadyResponse,
  SubscriptionStatusView,
  UserView,
} from '../../src/http/schemas/api-types.ts';

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

const NETWORK_MESSAGE = '서버에 연결하지 못했습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.';
const GENERIC_MESSAGE = '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.';

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Low-level call: returns the HTTP status with the parsed body, throws ApiFailure on 4xx/5xx. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: T }> {
  if (!path.startsWith('/api/')) throw new Error(`not an API path: ${path}`);
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiFailure(0, 'NETWORK', NETWORK_MESSAGE);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const e = (parsed as ApiError | null)?.error;
    throw new ApiFailure(res.status, e?.code ?? `HTTP_${res.status}`, e?.message || GENERIC_MESSAGE);
  }
  return { status: res.status, body: parsed as T };
}

const get = async <T>(path: string, signal?: AbortSignal) => (await request<T>('GET', path, { signal })).body;
const post = async <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  (await request<T>('POST', path, { body: body ?? {}, headers })).body;

function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const api = {
  signup: (email: string, password: string) => post<AuthResponse>('/api/auth/signup', { email, password }),
  login: (email: string, password: string) => post<AuthResponse>('/api/auth/login', { email, password }),
  logout: () => post<{ ok: true }>('/api/auth/logout'),
  me: (signal?: AbortSignal) => get<{ user: UserView }>('/api/me', signal),
  plans: (signal?: AbortSignal) => get<PlansResponse>('/api/plans', signal),
  subscription: (signal?: AbortSignal) => get<SubscriptionStatusView>('/api/subscription/status', signal),
  payments: (before?: string, signal?: AbortSignal) =>
    get<PaymentsResponse>(`/api/payments?limit=20${before ? `&before=${encodeURIComponent(before)}` : ''}`, signal),
  payment: (id: string, signal?: AbortSignal) => get<PaymentView>(`/api/payments/${encodeURIComponent(id)}`, signal),
  /** One key per press of the pay button: a repeated request gets the same checkout back. */
  ready: (method: string, plan: string, autoRenew: boolean) =>
    post<ReadyResponse>(
      `/api/payment/${encodeURIComponent(method)}/ready`,
      { plan, auto_renew: autoRenew },
      { 'idempotency-key': newIdempotencyKey() },
    ),
  /** 200 with the outcome, or 202 while the provider's answer is being confirmed. */
  approve: async (method: string, paymentId: string, params: Record<string, string>) =>
    (await request<ApproveResponse>('POST', `/api/payment/${encodeURIComponent(method)}/approve`, {
      body: { ...params, payment_id: paymentId },
    })).body,
};
