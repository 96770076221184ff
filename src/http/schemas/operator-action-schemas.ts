/**
 * Messages of the operator console's actions, audit log, accounting report and settlements
 * (issue 14.4–14.7): one zod schema each validates the request, serializes the answer and writes
 * /docs; the web app imports the inferred types (type-only, through web/src/api.ts). Money is integer
 * KRW, times ISO-8601 UTC, days and months Korea time.
 */
import { z } from 'zod';
import { ADMIN_ACTIONS } from '../../domain/admin-audit.ts';
import { DIFFERENCE_KINDS } from '../../domain/payment/settlement.ts';
import { MAX_EXTEND_DAYS } from '../../use-cases/admin-actions.ts';

export const OperatorIdParams = z.object({ id: z.string().min(1).max(64) });
export const NoticeParams = z.object({ id: z.string().min(1).max(64), noticeId: z.string().min(1).max(64) });

const Reason = z.string().trim().min(1, '사유를 입력해 주세요.').max(500);
export const ReasonBody = z.object({ reason: Reason });
export const ExtendBody = z.object({ reason: Reason, days: z.number().int().min(1).max(MAX_EXTEND_DAYS) });
export const ChangePlanBody = z.object({ reason: Reason, plan: z.string().min(1).max(64), when: z.enum(['now', 'next_renewal']).default('now') });

const Month = z.string().regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/, 'YYYY-MM (1970–9999)');
export const MonthsQuery = z.object({ from: Month.optional(), to: Month.optional() });
export type MonthsQuery = z.infer<typeof MonthsQuery>;
export const ExportParams = z.object({ kind: z.enum(['payments', 'refunds', 'settlement-summary']), format: z.enum(['csv', 'xlsx']) });

// A real calendar day from 1970 to 9999 (the range both databases and JS dates agree on).
const Day = z
  .string()
  .regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD (1970–9999)')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, '존재하지 않는 날짜입니다.');
export const AuditQuery = z.object({
  actor: z.string().trim().min(1).max(254).optional(),
  action: z.enum(ADMIN_ACTIONS).optional(),
  target_id: z.string().trim().min(1).max(64).optional(),
  from: Day.optional(),
  to: Day.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
export const AuditCsvQuery = AuditQuery.omit({ page: true, page_size: true });
export type AuditCsvQuery = z.infer<typeof AuditCsvQuery>;

export const SettlementUpload = z.object({
  provider: z.string().min(1).max(32),
  file_name: z.string().trim().min(1).max(200),
  /** The file's text (UTF-8). */
  content: z.string().max(8 * 1024 * 1024),
  settlement_date: Day.optional(),
});
export const SettlementPageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

/** Written from use-cases/admin-actions.ts subscriptionSnapshot. */
export const SubscriptionSnapshotView = z.object({
  user_id: z.string(),
  status: z.string(),
  plan_id: z.string(),
  pending_plan_id: z.string().nullable(),
  auto_renew: z.boolean(),
  has_billing_key: z.boolean(),
  provider: z.string().nullable(),
  current_period_start: z.string().nullable(),
  current_period_end: z.string().nullable(),
  next_renewal_at: z.string().nullable(),
  grace_until: z.string().nullable(),
  canceled_at: z.string().nullable(),
  ended_at: z.string().nullable(),
});
export type SubscriptionSnapshotView = z.infer<typeof SubscriptionSnapshotView>;

/** POST /api/admin/users/:id/actions/* */
export const AdminActionResponse = z.object({
  action: z.string(),
  subscription: SubscriptionSnapshotView,
  /** retry-renewal only: what happened to the charge. */
  outcome: z.string().optional(),
});
export type AdminActionResponse = z.infer<typeof AdminActionResponse>;

export const AdminNoticeView = z.object({
  id: z.string(),
  kind: z.string(),
  subject: z.string(),
  status: z.string(),
  recipient: z.string().nullable(),
  sent_at: z.string().nullable(),
  created_at: z.string(),
});
export type AdminNoticeView = z.infer<typeof AdminNoticeView>;

/** GET /api/admin/users/:id/notices */
export const AdminNoticesResponse = z.object({ notices: z.array(AdminNoticeView) });
export type AdminNoticesResponse = z.infer<typeof AdminNoticesResponse>;

/** POST /api/admin/users/:id/notices/:noticeId/resend (201) */
export const NoticeResendResponse = z.object({
  notice: z.object({ id: z.string(), kind: z.string(), subject: z.string(), status: z.string(), created_at: z.string() }),
});
export type NoticeResendResponse = z.infer<typeof NoticeResendResponse>;

export const AuditEntryView = z.object({
  id: z.string(),
  actor_user_id: z.string(),
  actor_email: z.string().nullable(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  reason: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  created_at: z.string(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

/** GET /api/admin/audit */
export const AuditLogResponse = z.object({
  entries: z.array(AuditEntryView),
  total: z.int(),
  page: z.int(),
  page_size: z.int(),
  actions: z.array(z.string()).readonly(),
});
export type AuditLogResponse = z.infer<typeof AuditLogResponse>;

export const MrrMovementView = z.object({
  month: z.string(),
  start_mrr_krw: z.int(),
  end_mrr_krw: z.int(),
  new_krw: z.int(),
  expansion_krw: z.int(),
  contraction_krw: z.int(),
  churn_krw: z.int(),
  reactivation_krw: z.int(),
  counts: z.object({ new: z.int(), expansion: z.int(), contraction: z.int(), churn: z.int(), reactivation: z.int() }),
});
export type MrrMovementView = z.infer<typeof MrrMovementView>;

export const RecoveryView = z.object({
  month: z.string(),
  failed_cycles: z.int(),
  failed_krw: z.int(),
  recovered_cycles: z.int(),
  recovered_krw: z.int(),
  /** recovered / failed cycles (null: none failed). */
  rate: z.number().nullable(),
});
export type RecoveryView = z.infer<typeof RecoveryView>;

/** The figures of a month, and of each provider within it. */
const Figures = {
  payments: z.int(),
  gross_krw: z.int(),
  vat_krw: z.int(),
  refunds_krw: z.int(),
  refunds_vat_krw: z.int(),
  net_krw: z.int(),
  fee_krw: z.int(),
  fee_vat_krw: z.int(),
  payout_krw: z.int(),
};
export const AccountingMonthView = z.object({
  month: z.string(),
  ...Figures,
  supply_krw: z.int(),
  refund_count: z.int(),
  providers: z.array(z.object({ provider: z.string(), provider_name: z.string(), fee_bps: z.number(), ...Figures })),
});
export type AccountingMonthView = z.infer<typeof AccountingMonthView>;

/** GET /api/admin/reports/accounting */
export const AccountingReportResponse = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.literal('Asia/Seoul'),
  generated_at: z.string(),
  rules: z.record(z.string(), z.string()),
  months: z.array(AccountingMonthView),
  movements: z.array(MrrMovementView),
  recovery: z.array(RecoveryView),
});
export type AccountingReportResponse = z.infer<typeof AccountingReportResponse>;

export const SettlementImportView = z.object({
  id: z.string(),
  provider: z.string(),
  provider_name: z.string(),
  settlement_date: z.string(),
  file_name: z.string(),
  line_count: z.int(),
  file_amount_krw: z.int(),
  file_fee_krw: z.int(),
  ledger_amount_krw: z.int(),
  ledger_fee_krw: z.int(),
  difference_count: z.int(),
  imported_by: z.string(),
  created_at: z.string(),
});
export type SettlementImportView = z.infer<typeof SettlementImportView>;

const Amounts = { amount_krw: z.int(), fee_krw: z.int(), fee_vat_krw: z.int(), status: z.string() };
export const SettlementDifferenceView = z.object({
  id: z.string(),
  kind: z.enum(DIFFERENCE_KINDS),
  line_kind: z.enum(['payment', 'cancel']),
  provider_ref: z.string().nullable(),
  transaction_ref: z.string().nullable(),
  payment_id: z.string().nullable(),
  refund_id: z.string().nullable(),
  /** What the file says (null: not in the file). */
  file: z.object({ line_no: z.int(), ...Amounts }).nullable(),
  /** What our ledger says (null: not in the ledger). */
  ledger: z.object(Amounts).nullable(),
});
export type SettlementDifferenceView = z.infer<typeof SettlementDifferenceView>;

/** GET /api/admin/settlements */
export const SettlementImportsResponse = z.object({ imports: z.array(SettlementImportView), total: z.int() });
export type SettlementImportsResponse = z.infer<typeof SettlementImportsResponse>;

/** POST /api/admin/settlements (201), GET /api/admin/settlements/:id */
export const SettlementDetailResponse = z.object({ import: SettlementImportView, differences: z.array(SettlementDifferenceView) });
export type SettlementDetailResponse = z.infer<typeof SettlementDetailResponse>;
