/**
 * Messages of the operator API (/api/admin/*: users, payments, refunds, revenue report, usage):
 * one zod schema each validates the request, serializes the answer and writes /docs; the web app
 * imports the inferred types (type-only, through web/src/api.ts). Money is integer KRW (`*_krw`), times
 * are ISO-8601 strings in UTC (`*_at`); months are Korea-time `YYYY-MM`.
 */
import { z } from 'zod';
import { PAYMENT_KINDS, PAYMENT_STATUSES } from '../../domain/payment/payment-states.ts';
import { SEARCH_MATCHES } from '../../domain/console-store.ts';
import { ROLES } from '../../domain/staff-permissions.ts';
import { FeatureSchema } from '../../use-cases/record-usage.ts';
import { PaymentView } from './payment-schemas.ts';
import { RefundView } from './refund-schemas.ts';

export const AdminIdParams = z.object({ id: z.string().min(1).max(64) });

/** GET /api/admin/users */
export const UserSearchQuery = z.object({
  q: z.string().trim().min(1).max(254),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

// Dates the service can hold: JS Date and both databases agree from 1970 to 9999 (a year 0000
// or an offset past 9999 made the query fail, and two-digit years read as 19xx).
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const inStoredRange = (ms: number) => ms >= EARLIEST_MS && ms <= LATEST_MS;
const DateTime = z.iso.datetime({ offset: true }).refine((v) => inStoredRange(Date.parse(v)), '1970–9999');
const Month = z
  .string()
  .regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])(-\d{2})?$/, 'YYYY-MM (1970–9999)')
  .transform((s) => s.slice(0, 7));

/** GET /api/admin/reports/revenue */
export const RevenueQuery = z.object({ from: Month.optional(), to: Month.optional() });

/** POST /api/admin/payments/:id/refunds */
export const AdminRefundBody = z.object({
  /** Omitted: refund everything still refundable. */
  amount_krw: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  reason: z.string().trim().min(1).max(500),
});

/** POST /api/admin/usage */
export const AdminUsageBody = z.object({ user_id: z.string().min(1).max(64), feature: FeatureSchema });

/** GET /api/admin/payments */
export const PaymentListQuery = z.object({
  user_id: z.string().min(1).max(64).optional(),
  /** One status, or several separated by commas (`unknown,approving`). */
  status: z
    .string()
    .max(200)
    .transform((v) => v.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(PAYMENT_STATUSES)).min(1))
    .optional(),
  provider: z.string().min(1).max(32).optional(),
  plan: z.string().min(1).max(64).optional(),
  kind: z.enum(PAYMENT_KINDS).optional(),
  min_krw: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  max_krw: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  from: DateTime.optional(),
  to: DateTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
/** GET /api/admin/users/:id/payments: the user is the path's. */
export const UserPaymentListQuery = PaymentListQuery.omit({ user_id: true });
/** GET /api/admin/payments.csv: every matching payment, no paging. */
export const CsvQuery = PaymentListQuery.omit({ limit: true, cursor: true });

export const AdminSubscriptionView = z.object({
  id: z.string(),
  plan: z.string(),
  plan_name: z.string(),
  status: z.string(),
  provider: z.string().nullable(),
  auto_renew: z.boolean(),
  current_period_start: z.string().nullable(),
  current_period_end: z.string().nullable(),
  canceled_at: z.string().nullable(),
  ended_at: z.string().nullable(),
});
export type AdminSubscriptionView = z.infer<typeof AdminSubscriptionView>;

export const AdminUserView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  created_at: z.string(),
  subscription: AdminSubscriptionView.nullable(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;

export const AdminPaymentView = PaymentView.extend({
  user_id: z.string(),
  provider_ref: z.string().nullable(),
  refunds: z.array(RefundView),
  refundable_krw: z.int(),
  fee_krw: z.int(),
  fee_vat_krw: z.int(),
});
export type AdminPaymentView = z.infer<typeof AdminPaymentView>;

/** What the search term matched: user_id, email, payment_id, provider_ref (tid / paymentId), billing_key (SID / recurrentId), subscription_id, refund_id. */
export const SearchMatchValue = z.enum(SEARCH_MATCHES);
export type SearchMatchValue = z.infer<typeof SearchMatchValue>;

export const AdminUserHitView = AdminUserView.extend({
  matched_by: SearchMatchValue,
  /** The payment / subscription / refund id that matched, when not the user itself. */
  matched_ref: z.string().nullable(),
});
export type AdminUserHitView = z.infer<typeof AdminUserHitView>;

/** GET /api/admin/users?q=&limit=&offset= */
export const AdminUsersResponse = z.object({
  users: z.array(AdminUserHitView),
  /** Every user the search matches (not just this page). */
  total: z.int(),
  offset: z.int(),
  limit: z.int(),
});
export type AdminUsersResponse = z.infer<typeof AdminUsersResponse>;

/** GET /api/admin/users/:id */
export const AdminUserDetailResponse = z.object({ user: AdminUserView, payments: z.array(AdminPaymentView) });
export type AdminUserDetailResponse = z.infer<typeof AdminUserDetailResponse>;

/** GET /api/admin/payments, GET /api/admin/users/:id/payments */
export const AdminPaymentsResponse = z.object({
  payments: z.array(AdminPaymentView),
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor: z.string().nullable(),
  /** Every payment the filters match (all pages). */
  total: z.int(),
});
export type AdminPaymentsResponse = z.infer<typeof AdminPaymentsResponse>;

/** GET /api/admin/payments/:id */
export const AdminPaymentDetailResponse = z.object({ payment: AdminPaymentView, user: AdminUserView.nullable() });
export type AdminPaymentDetailResponse = z.infer<typeof AdminPaymentDetailResponse>;

/** POST /api/admin/refunds/:id/sync */
export const AdminRefundSyncResponse = z.object({ reconciled: z.boolean(), refund: RefundView, payment: PaymentView });
export type AdminRefundSyncResponse = z.infer<typeof AdminRefundSyncResponse>;

export const RevenueFiguresView = z.object({
  /** Approved payments in the month. */
  payments: z.int(),
  /** VAT included. */
  gross_krw: z.int(),
  /** VAT of the gross (the payments' own vat_krw). */
  vat_krw: z.int(),
  refund_count: z.int(),
  /** VAT included; in the month the refund succeeded. */
  refunds_krw: z.int(),
  refunds_vat_krw: z.int(),
  fee_krw: z.int(),
  fee_vat_krw: z.int(),
  /** 순매출, VAT excluded: (gross − vat) − (refunds − refunds_vat). */
  net_krw: z.int(),
  /** What the provider pays out: gross − refunds − fee − fee_vat. */
  payout_krw: z.int(),
});
export type RevenueFiguresView = z.infer<typeof RevenueFiguresView>;

export const ProviderFiguresView = RevenueFiguresView.extend({ provider: z.string(), provider_name: z.string(), fee_bps: z.int() });
export type ProviderFiguresView = z.infer<typeof ProviderFiguresView>;

export const PlanFiguresView = z.object({
  plan: z.string(),
  plan_name: z.string(),
  monthly_price_krw: z.int(),
  payments: z.int(),
  gross_krw: z.int(),
  subscribers: z.int(),
  mrr_krw: z.int(),
});
export type PlanFiguresView = z.infer<typeof PlanFiguresView>;

export const RevenueMonthView = RevenueFiguresView.extend({
  /** Korea-time `YYYY-MM`. */
  month: z.string(),
  start_at: z.string(),
  end_at: z.string(),
  /** Instant of `subscribers` / `mrr_krw` (month end, or now for the current month); null for a future month. */
  subscribers_at: z.string().nullable(),
  subscribers: z.int(),
  mrr_krw: z.int(),
  providers: z.array(ProviderFiguresView),
  plans: z.array(PlanFiguresView),
  failed_renewals: z.int(),
  failed_renewals_krw: z.int(),
  churn: z.object({
    active_at_start: z.int(),
    ended: z.int(),
    /** ended / active_at_start, 4 decimals; null when 0 active. */
    rate: z.number().nullable(),
  }),
});
export type RevenueMonthView = z.infer<typeof RevenueMonthView>;

/** GET /api/admin/reports/revenue?from=YYYY-MM&to=YYYY-MM */
export const RevenueReportResponse = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.literal('Asia/Seoul'),
  generated_at: z.string(),
  /** The rounding and counting rules, in words. */
  rules: z.record(z.string(), z.string()),
  totals: RevenueFiguresView.extend({
    providers: z.array(ProviderFiguresView),
    failed_renewals: z.int(),
    failed_renewals_krw: z.int(),
    ended: z.int(),
  }),
  months: z.array(RevenueMonthView),
  current: z.object({
    as_of: z.string(),
    subscribers: z.int(),
    mrr_krw: z.int(),
    plans: z.array(z.object({ plan: z.string(), plan_name: z.string(), subscribers: z.int(), mrr_krw: z.int() })),
  }),
});
export type RevenueReportResponse = z.infer<typeof RevenueReportResponse>;
