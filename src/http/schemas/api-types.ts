/**
 * Response shapes of the public API. Pure types: the web app imports this file.
 * Money is integer KRW (`*_krw`), times are ISO-8601 strings (`*_at`, dates).
 */
import type { StaffPermissionValue } from './console-api-types.ts';

export interface ApiError {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export type { AuthResponse, MeResponse, PasswordResetResponse, UserView } from './auth-schemas.ts';

export interface EntitlementsView {
  auto_trading: boolean;
  /** null = unlimited */
  auto_trading_monthly_limit_krw: number | null;
  realtime_alerts: boolean;
  custom_strategies: boolean;
  priority_support: boolean;
}

/**
 * `GET /api/v1/entitlements/:user_id` (and the bulk, change-feed, `/api/subscription/usage` and
 * admin usage answers): what the trading engine may do this month. Amounts in integer KRW; times
 * ISO 8601; `null` limits mean unlimited. See docs/trading-engine.md.
 */
export interface EngineEntitlementsView {
  user_id: string;
  plan: string;
  status: string;
  auto_trading_enabled: boolean;
  monthly_limit_krw: number | null;
  used_krw: number;
  reserved_krw: number;
  remaining_krw: number | null;
  cap_period_start: string;
  cap_period_end: string;
  features: string[];
  in_grace: boolean;
  grace_until: string | null;
  paid_through: string | null;
  version: number;
}

export interface PlanView {
  id: string;
  name: string;
  price_krw: number;
  vat_krw: number;
  supply_krw: number;
  period_days: number;
  features: string[];
  entitlements: EntitlementsView;
  /** A price version taking effect later (docs/pricing.md); set by GET /api/plans. */
  scheduled_price?: { price_krw: number; effective_at: string } | null;
}

export interface PaymentMethodView {
  id: string;
  name: string;
  checkout_style: 'redirect' | 'sdk';
}

export interface PlansResponse {
  period_days: number;
  plans: PlanView[];
  methods: PaymentMethodView[];
}

export type CheckoutLaunch =
  | { style: 'redirect'; redirect_url: string; mobile_redirect_url: string | null }
  | { style: 'sdk'; [key: string]: unknown };

export interface ReadyResponse {
  payment_id: string;
  plan: string;
  amount_krw: number;
  vat_krw: number;
  auto_renew: boolean;
  expires_at: string | null;
  checkout: CheckoutLaunch;
  /** KakaoPay only, kept for the source document's API. */
  tid?: string;
  payment_url?: string;
  mobile_url?: string | null;
}

export interface PaymentView {
  id: string;
  plan: string;
  plan_name: string;
  provider: string;
  provider_name: string;
  kind: 'checkout' | 'renewal' | 'upgrade' | 'registration';
  status: string;
  amount_krw: number;
  vat_krw: number;
  supply_krw: number;
  refunded_krw: number;
  method_kind: string | null;
  method_label: string | null;
  period_start: string | null;
  period_end: string | null;
  approved_at: string | null;
  created_at: string;
  failure_code: string | null;
  failure_message: string | null;
  /**
   * What the attempt means to the subscriber (issue 11 item 5): paid / partially_refunded /
   * refunded took money; pending and processing are open; declined, canceled, superseded and
   * expired took none and owe none.
   */
  outcome: 'paid' | 'partially_refunded' | 'refunded' | 'pending' | 'processing' | 'declined' | 'canceled' | 'superseded' | 'expired';
}

export interface ApproveResponse {
  outcome: 'approved' | 'canceled' | 'failed' | 'pending';
  payment: PaymentView;
  subscription: SubscriptionStatusView;
}

export interface SubscriptionStatusView {
  plan: string;
  plan_name: string;
  expire_date: string | null;
  auto_trading_enabled: boolean;
  is_active: boolean;
  status: string | null;
  auto_renew: boolean;
  provider: string | null;
  pending_plan: string | null;
  current_period: { start: string; end: string } | null;
  entitlements: EntitlementsView;
}

export interface PaymentsResponse {
  payments: PaymentView[];
  next_before: string | null;
}

// Refunds, receipts, usage and the admin API (/api/admin/*).
export type * from './refund-api-types.ts';

// Renewal management: plan change, auto-renewal off/on, price consent (/api/subscription/*).
export type * from './renewal-api-types.ts';

// Admin price versions (docs/pricing.md).
export type * from './price-api-types.ts';

// Quotes of plan changes and cancel-now (issue 11 items 6 and 8).
export type * from './quote-api-types.ts';

export type * from './console-api-types.ts';
export type * from './operator-action-api-types.ts';

/** The operator's identity shown in every page's footer (전자상거래법 제10조; BUSINESS_* settings). */
export interface BusinessIdentityView {
  /** 상호 */
  name: string;
  /** 대표자 */
  representative: string;
  /** 사업자등록번호 */
  registration_number: string;
  /** 통신판매업 신고번호 */
  mail_order_report_number: string;
  address: string;
  phone: string;
  email: string;
  /** 호스팅서비스 제공자, when configured. */
  hosting_provider: string | null;
}

export type LegalDocumentId = 'terms' | 'privacy' | 'order';

/** A consent text: its version id is what sign-up and checkout send back as the consent. */
export interface LegalDocumentView {
  id: LegalDocumentId;
  version: string;
  title: string;
  /** YYYY-MM-DD */
  effective_date: string;
  sections: { heading: string; paragraphs: string[] }[];
}

export interface LegalResponse {
  business: BusinessIdentityView;
  documents: Omit<LegalDocumentView, 'sections'>[];
  period_days: number;
  withdrawal_days: number;
}
