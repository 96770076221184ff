/**
 * Typed fetch wrapper for our own API (same origin only). The session is the
 * HttpOnly `smts_session` cookie, so every call sends credentials: 'same-origin'.
 * Errors become `ApiFailure` with the server's Korean message.
 */
import type { AdminPaymentDetailResponse, AdminPaymentsResponse, AdminRefundSyncResponse, AdminUserDetailResponse, AdminUsersResponse, RevenueReportResponse } from '../../src/http/schemas/admin-schemas.ts';
import type { ApiError } from '../../src/http/schemas/error-schemas.ts';
import type { DunningResponse, QueueSummaryResponse, RefundListResponse, RoleValue, SetRoleResponse, SubscriptionListResponse, TimelineResponse } from '../../src/http/schemas/console-schemas.ts';
import type { AuthResponse, PasswordResetResponse, UserView } from '../../src/http/schemas/auth-schemas.ts';
import type { PlansResponse, SubscriptionStatusView } from '../../src/http/schemas/plan-schemas.ts';
import type { ApproveResponse, PaymentView, PaymentsResponse, ReadyResponse } from '../../src/http/schemas/payment-schemas.ts';
import type { CancelResponse, ConsentResponse, PaymentMethodChangeResponse, PlanChangeResponse, RenewalView, ResumeResponse } from '../../src/http/schemas/subscription-schemas.ts';
import type { LegalDocumentId, LegalDocumentView, LegalResponse } from '../../src/http/schemas/legal-schemas.ts';
import type { CancelNowResponse, ReceiptResponse, RefundResponse } from '../../src/http/schemas/refund-schemas.ts';

export type { AdminUserHitView, SearchMatchValue, AdminPaymentView, AdminPaymentsResponse, AdminSubscriptionView, AdminUserDetailResponse, AdminUserView, AdminUsersResponse, PlanFiguresView, ProviderFiguresView, RevenueFiguresView, RevenueMonthView, RevenueReportResponse } from '../../src/http/schemas/admin-schemas.ts';
export type { DunningResponse, QueueSummaryResponse, RefundListResponse, RoleValue, SetRoleResponse, StaffPermissionValue, SubscriptionEntryView, SubscriptionListResponse, TimelineEntryView, TimelineResponse, TimelineSourceValue } from '../../src/http/schemas/console-schemas.ts';
export type { AuthResponse, UserView } from '../../src/http/schemas/auth-schemas.ts';
export type { EntitlementsView, PaymentMethodView, PlanView, PlansResponse, SubscriptionStatusView } from '../../src/http/schemas/plan-schemas.ts';
export type { ApproveResponse, CheckoutLaunch, PaymentView, PaymentsResponse, ReadyResponse } from '../../src/http/schemas/payment-schemas.ts';
export type { CancelResponse, PlanChangeResponse, ProrationView, RenewalView, ResumeResponse } from '../../src/http/schemas/subscription-schemas.ts';
export type { BusinessIdentityView, LegalDocumentView, LegalResponse } from '../../src/http/schemas/legal-schemas.ts';
export type { CancelNowResponse, ReceiptResponse, RefundResponse, RefundView, WithdrawalView } from '../../src/http/schemas/refund-schemas.ts';

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

/** `a=1&b=2` from the defined, non-empty values. */
export function queryString(params: Record<string, string | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  return qs.toString();
}

const get = async <T>(path: string, signal?: AbortSignal) => (await request<T>('GET', path, { signal })).body;
const post = async <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  (await request<T>('POST', path, { body: body ?? {}, headers })).body;

export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const api = {
  /** `consents`: the version ids of the 이용약관 and 개인정보 texts the user ticked (GET /api/legal). */
  signup: (email: string, password: string, consents: { terms: string; privacy: string }) =>
    post<AuthResponse>('/api/auth/signup', { email, password, terms_version: consents.terms, privacy_version: consents.privacy }),
  legal: (signal?: AbortSignal) => get<LegalResponse>('/api/legal', signal),
  legalDocument: (id: LegalDocumentId, signal?: AbortSignal) => get<LegalDocumentView>(`/api/legal/${id}`, signal),
  /** Always the same answer, whether or not the e-mail has an account. */
  requestPasswordReset: (email: string) => post<PasswordResetResponse>('/api/auth/password-reset/request', { email }),
  resetPassword: (token: string, password: string) => post<PasswordResetResponse>('/api/auth/password-reset/confirm', { token, password }),
  login: (email: string, password: string) => post<AuthResponse>('/api/auth/login', { email, password }),
  logout: () => post<{ ok: true }>('/api/auth/logout'),
  me: (signal?: AbortSignal) => get<{ user: UserView }>('/api/me', signal),
  plans: (signal?: AbortSignal) => get<PlansResponse>('/api/plans', signal),
  subscription: (signal?: AbortSignal) => get<SubscriptionStatusView>('/api/subscription/status', signal),
  payments: (before?: string, signal?: AbortSignal) =>
    get<PaymentsResponse>(`/api/payments?limit=20${before ? `&before=${encodeURIComponent(before)}` : ''}`, signal),
  payment: (id: string, signal?: AbortSignal) => get<PaymentView>(`/api/payments/${encodeURIComponent(id)}`, signal),
  /** One key per press of the pay button: a repeated request gets the same checkout back. */
  /** `orderConsentVersion`: the version of the 주문 내용 확인 및 결제 동의 text the user ticked. */
  ready: (method: string, plan: string, autoRenew: boolean, orderConsentVersion: string) =>
    post<ReadyResponse>(
      `/api/payment/${encodeURIComponent(method)}/ready`,
      { plan, auto_renew: autoRenew, order_consent_version: orderConsentVersion },
      { 'idempotency-key': newIdempotencyKey() },
    ),
  /** 200 with the outcome, or 202 while the provider's answer is being confirmed. */
  approve: async (method: string, paymentId: string, params: Record<string, string>) =>
    (await request<ApproveResponse>('POST', `/api/payment/${encodeURIComponent(method)}/approve`, {
      body: { ...params, payment_id: paymentId },
    })).body,

  // Subscription management
  renewal: (signal?: AbortSignal) => get<RenewalView>('/api/subscription/renewal', signal),
  /** 200 with the change, or 202 while the prorated charge is being confirmed. */
  changePlan: (plan: string, key: string, method?: string) =>
    post<PlanChangeResponse>('/api/subscription/change', method ? { plan, method } : { plan }, { 'idempotency-key': key }),
  cancelAutoRenew: (key: string) => post<CancelResponse>('/api/subscription/cancel', {}, { 'idempotency-key': key }),
  resume: (key: string, method?: string) =>
    post<ResumeResponse>('/api/subscription/resume', method ? { method } : {}, { 'idempotency-key': key }),
  consent: (priceKrw: number, key: string) =>
    post<ConsentResponse>('/api/subscription/consent', { price_krw: priceKrw }, { 'idempotency-key': key }),
  cancelNow: (key: string) => post<CancelNowResponse>('/api/subscription/cancel-now', {}, { 'idempotency-key': key }),
  /** 결제 수단 변경: a 0-won registration checkout with `method`; approving it switches the subscription's billing key. */
  changePaymentMethod: (method: string, key: string) =>
    post<PaymentMethodChangeResponse>('/api/subscription/payment-method', { method }, { 'idempotency-key': key }),
  receipt: (id: string, signal?: AbortSignal) => get<ReceiptResponse>(`/api/payments/${encodeURIComponent(id)}/receipt`, signal),
  /** 청약철회: 201 refunded, 202 while the provider's answer is confirmed. */
  withdraw: (id: string, key: string) =>
    post<RefundResponse>(`/api/payments/${encodeURIComponent(id)}/withdraw`, {}, { 'idempotency-key': key }),

  // Admin console (/api/admin/*, role admin)
  admin: {
    users: (q: string, offset = 0, signal?: AbortSignal) =>
      get<AdminUsersResponse>(`/api/admin/users?q=${encodeURIComponent(q)}&limit=50&offset=${offset}`, signal),
    /** All payments; `filter` keys as in GET /api/admin/payments (status, provider, plan, from, to, min_krw, max_krw, cursor). */
    payments: (filter: Record<string, string | undefined>, signal?: AbortSignal) =>
      get<AdminPaymentsResponse>(`/api/admin/payments?${queryString({ limit: '50', ...filter })}`, signal),
    queueSummary: (signal?: AbortSignal) => get<QueueSummaryResponse>('/api/admin/queues/summary', signal),
    dunning: (offset: number, signal?: AbortSignal) => get<DunningResponse>(`/api/admin/queues/dunning?limit=50&offset=${offset}`, signal),
    subscriptions: (filter: Record<string, string | undefined>, offset: number, signal?: AbortSignal) =>
      get<SubscriptionListResponse>(`/api/admin/subscriptions?${queryString({ ...filter, limit: '50', offset: String(offset) })}`, signal),
    upcomingRenewals: (days: number, offset: number, signal?: AbortSignal) =>
      get<SubscriptionListResponse>(`/api/admin/renewals/upcoming?days=${days}&limit=50&offset=${offset}`, signal),
    refunds: (status: string, offset: number, signal?: AbortSignal) =>
      get<RefundListResponse>(`/api/admin/refunds?status=${encodeURIComponent(status)}&limit=50&offset=${offset}`, signal),
    timeline: (userId: string, opts: { sources?: string; cursor?: string }, signal?: AbortSignal) =>
      get<TimelineResponse>(`/api/admin/users/${encodeURIComponent(userId)}/timeline?${queryString({ limit: '50', ...opts })}`, signal),
    setRole: (userId: string, role: RoleValue) => post<SetRoleResponse>(`/api/admin/users/${encodeURIComponent(userId)}/role`, { role }),
    user: (id: string, signal?: AbortSignal) => get<AdminUserDetailResponse>(`/api/admin/users/${encodeURIComponent(id)}`, signal),
    userPayments: (id: string, cursor?: string, signal?: AbortSignal) =>
      get<AdminPaymentsResponse>(
        `/api/admin/users/${encodeURIComponent(id)}/payments?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        signal,
      ),
    payment: (id: string, signal?: AbortSignal) => get<AdminPaymentDetailResponse>(`/api/admin/payments/${encodeURIComponent(id)}`, signal),
    /** Omit `amountKrw` to refund everything still refundable. One key per submit. */
    refund: (paymentId: string, body: { amount_krw?: number; reason: string }, key: string) =>
      post<RefundResponse>(`/api/admin/payments/${encodeURIComponent(paymentId)}/refunds`, body, { 'idempotency-key': key }),
    syncRefund: (refundId: string) => post<AdminRefundSyncResponse>(`/api/admin/refunds/${encodeURIComponent(refundId)}/sync`),
    /** Without from/to: the last 12 months up to the server's current month (Korea time). */
    revenue: (from?: string, to?: string, signal?: AbortSignal) => {
      const qs = new URLSearchParams();
      if (from) qs.set('from', from);
      if (to) qs.set('to', to);
      const q = qs.toString();
      return get<RevenueReportResponse>(`/api/admin/reports/revenue${q ? `?${q}` : ''}`, signal);
    },
  },
};

/** The CSV export is a plain link (the session cookie goes along); filters as in GET /api/admin/payments. */
export function paymentsCsvUrl(filter: { from?: string; to?: string; status?: string; provider?: string; user_id?: string }): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) qs.set(k, v);
  const q = qs.toString();
  return `/api/admin/payments.csv${q ? `?${q}` : ''}`;
}
