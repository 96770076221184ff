/**
 * Response shapes of the refund, receipt, usage and admin APIs (re-exported by
 * api-types.ts). Pure types: the web app imports them. Money is integer KRW (`*_krw`),
 * times are ISO-8601 strings in UTC (`*_at`); months are Korea-time `YYYY-MM`.
 */
import type { PaymentView } from './payment-schemas.ts';
import type { SubscriptionStatusView } from './plan-schemas.ts';

export type RefundStatusValue = 'requested' | 'succeeded' | 'failed' | 'unknown';
export type RefundKindValue = 'admin' | 'withdrawal' | 'cancel_now';

export interface RefundView {
  id: string;
  payment_id: string;
  /** admin: by an operator; withdrawal: 청약철회; cancel_now: unused days of a mid-period cancel. */
  kind: RefundKindValue;
  /** requested: at the provider; unknown: answer lost, being confirmed; failed: nothing refunded. */
  status: RefundStatusValue;
  amount_krw: number;
  vat_krw: number;
  supply_krw: number;
  reason: string;
  requested_by: string;
  provider_refund_ref: string | null;
  failure_code: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface WithdrawalView {
  /** 청약철회 possible now. */
  allowed: boolean;
  /** Why not: withdrawal_period_over | features_used | not_paid | nothing_left. */
  reason: string | null;
  /** End of the 7-day window (approval + 7 × 24 h). */
  deadline: string | null;
  used_at: string | null;
  used_feature: string | null;
}

export interface BusinessView {
  /** 상호 */
  name: string;
  /** 대표자 */
  owner: string | null;
  /** 사업자등록번호 */
  registration_number: string | null;
  /** 통신판매업 신고번호 */
  mail_order_number: string | null;
  address: string | null;
  contact: string | null;
}

/** GET /api/payments/:id/receipt */
export interface ReceiptResponse {
  payment: PaymentView;
  receipt: {
    merchant: string;
    item: string;
    provider_name: string;
    /** '카드' | '카카오페이머니' | … */
    method_name: string;
    method_label: string | null;
    amount_krw: number;
    supply_krw: number;
    vat_krw: number;
    refunded_krw: number;
    /** amount − refunded */
    net_krw: number;
    approved_at: string | null;
    /** The card company's approval number (승인번호); null for non-card methods. */
    approval_no: string | null;
    /** The provider's transaction id (거래 번호): KakaoPay tid, NaverPay paymentId. Not the approval number. */
    provider_ref: string | null;
    period_start: string | null;
    period_end: string | null;
    /** VAT split of what was refunded (refunds that succeeded) and of what remains paid. */
    refunded_supply_krw: number;
    refunded_vat_krw: number;
    net_supply_krw: number;
    net_vat_krw: number;
    /** The same receipt as a PDF (owner only): `/api/payments/:id/receipt.pdf`. */
    pdf_url: string;
  };
  /** The merchant (전자상거래법 제10조): fields not configured are null and not shown. */
  business: BusinessView;
  refunds: RefundView[];
  refundable_krw: number;
  withdrawal: WithdrawalView;
}

/** POST /api/payments/:id/withdraw, POST /api/admin/payments/:id/refunds (201, or 202 when `unknown`). */
export interface RefundResponse {
  outcome: 'succeeded' | 'unknown';
  refund: RefundView;
  payment: PaymentView;
}

export interface CancelRefundLineView {
  payment_id: string;
  paid_krw: number;
  remaining_days: number;
  /** Days of this payment's own period (an upgrade: upgrade instant → period end; may be fractional). */
  period_days: number;
  /** floor(paid × remaining_days / period_days) */
  refund_krw: number;
  /** paid − refund (days used + rounding) */
  retained_krw: number;
  refund: RefundView | null;
  error: { code: string; message: string } | null;
}

/** POST /api/subscription/cancel-now */
export interface CancelNowResponse {
  policy: 'prorated_days' | 'none';
  refunded_krw: number;
  lines: CancelRefundLineView[];
  subscription: SubscriptionStatusView;
}

/** POST /api/usage, POST /api/admin/usage */
export interface UsageResponse {
  user_id: string;
  feature: string;
  occurred_at: string;
}

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
