/**
 * Response shapes of the admin API (re-exported by api-types.ts); the subscriber-facing refund,
 * receipt and usage messages are zod schemas in refund-schemas.ts. Pure types: the web app
 * imports them. Money is integer KRW (`*_krw`), times are ISO-8601 strings in UTC (`*_at`);
 * months are Korea-time `YYYY-MM`.
 */
import type { PaymentView } from './payment-schemas.ts';
import type { RefundView } from './refund-schemas.ts';

export interface AdminSubscriptionView {
  id: string;
  plan: string;
  plan_name: string;
  status: string;
  provider: string | null;
  auto_renew: boolean;
  current_period_start: string | null;
  current_period_end: string | null;
  canceled_at: string | null;
  ended_at: string | null;
}

export interface AdminUserView {
  id: string;
  email: string | null;
  role: 'user' | 'admin' | 'support' | 'finance';
  created_at: string;
  subscription: AdminSubscriptionView | null;
}

export interface AdminPaymentView extends PaymentView {
  user_id: string;
  provider_ref: string | null;
  refunds: RefundView[];
  refundable_krw: number;
  fee_krw: number;
  fee_vat_krw: number;
}

/** What the search term matched: user_id, email, payment_id, provider_ref (tid / paymentId), billing_key (SID / recurrentId), subscription_id, refund_id. */
export type SearchMatchValue = 'user_id' | 'email' | 'payment_id' | 'provider_ref' | 'billing_key' | 'subscription_id' | 'refund_id';

export interface AdminUserHitView extends AdminUserView {
  matched_by: SearchMatchValue;
  /** The payment / subscription / refund id that matched, when not the user itself. */
  matched_ref: string | null;
}

/** GET /api/admin/users?q=&limit=&offset= */
export interface AdminUsersResponse {
  users: AdminUserHitView[];
  /** Every user the search matches (not just this page). */
  total: number;
  offset: number;
  limit: number;
}

/** GET /api/admin/users/:id */
export interface AdminUserDetailResponse {
  user: AdminUserView;
  payments: AdminPaymentView[];
}

/** GET /api/admin/payments, GET /api/admin/users/:id/payments */
export interface AdminPaymentsResponse {
  payments: AdminPaymentView[];
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor: string | null;
  /** Every payment the filters match (all pages). */
  total: number;
}

/** GET /api/admin/payments/:id */
export interface AdminPaymentDetailResponse {
  payment: AdminPaymentView;
  user: AdminUserView | null;
}

/** POST /api/admin/refunds/:id/sync */
export interface AdminRefundSyncResponse {
  reconciled: boolean;
  refund: RefundView;
  payment: PaymentView;
}

export interface RevenueFiguresView {
  /** Approved payments in the month. */
  payments: number;
  /** VAT included. */
  gross_krw: number;
  /** VAT of the gross (the payments' own vat_krw). */
  vat_krw: number;
  refund_count: number;
  /** VAT included; in the month the refund succeeded. */
  refunds_krw: number;
  refunds_vat_krw: number;
  fee_krw: number;
  fee_vat_krw: number;
  /** 순매출, VAT excluded: (gross − vat) − (refunds − refunds_vat). */
  net_krw: number;
  /** What the provider pays out: gross − refunds − fee − fee_vat. */
  payout_krw: number;
}

export interface ProviderFiguresView extends RevenueFiguresView {
  provider: string;
  provider_name: string;
  fee_bps: number;
}

export interface PlanFiguresView {
  plan: string;
  plan_name: string;
  monthly_price_krw: number;
  payments: number;
  gross_krw: number;
  subscribers: number;
  mrr_krw: number;
}

export interface RevenueMonthView extends RevenueFiguresView {
  /** Korea-time `YYYY-MM`. */
  month: string;
  start_at: string;
  end_at: string;
  /** Instant of `subscribers` / `mrr_krw` (month end, or now for the current month); null for a future month. */
  subscribers_at: string | null;
  subscribers: number;
  mrr_krw: number;
  providers: ProviderFiguresView[];
  plans: PlanFiguresView[];
  failed_renewals: number;
  failed_renewals_krw: number;
  churn: { active_at_start: number; ended: number; /** ended / active_at_start, 4 decimals; null when 0 active */ rate: number | null };
}

/** GET /api/admin/reports/revenue?from=YYYY-MM&to=YYYY-MM */
export interface RevenueReportResponse {
  from: string;
  to: string;
  timezone: 'Asia/Seoul';
  generated_at: string;
  /** The rounding and counting rules, in words. */
  rules: Record<string, string>;
  totals: RevenueFiguresView & { providers: ProviderFiguresView[]; failed_renewals: number; failed_renewals_krw: number; ended: number };
  months: RevenueMonthView[];
  current: {
    as_of: string;
    subscribers: number;
    mrr_krw: number;
    plans: { plan: string; plan_name: string; subscribers: number; mrr_krw: number }[];
  };
}
