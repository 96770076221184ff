/** Wire types of the operator console's actions, audit log, accounting report and settlements (issue 14.4–14.7). */

export interface SubscriptionSnapshotView {
  user_id: string;
  status: string;
  plan_id: string;
  pending_plan_id: string | null;
  auto_renew: boolean;
  has_billing_key: boolean;
  provider: string | null;
  current_period_start: string | null;
  current_period_end: string | null;
  next_renewal_at: string | null;
  grace_until: string | null;
  canceled_at: string | null;
  ended_at: string | null;
}

export interface AdminActionResponse {
  action: string;
  subscription: SubscriptionSnapshotView;
  /** retry-renewal only: what happened to the charge. */
  outcome?: string;
}

export interface AdminNoticeView {
  id: string;
  kind: string;
  subject: string;
  status: string;
  recipient: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface AdminNoticesResponse {
  notices: AdminNoticeView[];
}

export interface AuditEntryView {
  id: string;
  actor_user_id: string;
  actor_email: string | null;
  action: string;
  target_type: string;
  target_id: string;
  reason: string | null;
  before: unknown;
  after: unknown;
  created_at: string;
}

export interface AuditLogResponse {
  entries: AuditEntryView[];
  total: number;
  page: number;
  page_size: number;
  actions: readonly string[];
}

export interface MrrMovementView {
  month: string;
  start_mrr_krw: number;
  end_mrr_krw: number;
  new_krw: number;
  expansion_krw: number;
  contraction_krw: number;
  churn_krw: number;
  reactivation_krw: number;
  counts: { new: number; expansion: number; contraction: number; churn: number; reactivation: number };
}

export interface RecoveryView {
  month: string;
  failed_cycles: number;
  failed_krw: number;
  recovered_cycles: number;
  recovered_krw: number;
  rate: number | null;
}

export interface AccountingMonthView {
  month: string;
  payments: number;
  gross_krw: number;
  vat_krw: number;
  supply_krw: number;
  refund_count: number;
  refunds_krw: number;
  refunds_vat_krw: number;
  net_krw: number;
  fee_krw: number;
  fee_vat_krw: number;
  payout_krw: number;
  providers: {
    provider: string;
    provider_name: string;
    fee_bps: number;
    payments: number;
    gross_krw: number;
    vat_krw: number;
    refunds_krw: number;
    refunds_vat_krw: number;
    net_krw: number;
    fee_krw: number;
    fee_vat_krw: number;
    payout_krw: number;
  }[];
}

export interface AccountingReportResponse {
  from: string;
  to: string;
  timezone: 'Asia/Seoul';
  generated_at: string;
  rules: Record<string, string>;
  months: AccountingMonthView[];
  movements: MrrMovementView[];
  recovery: RecoveryView[];
}

export interface SettlementImportView {
  id: string;
  provider: string;
  provider_name: string;
  settlement_date: string;
  file_name: string;
  line_count: number;
  file_amount_krw: number;
  file_fee_krw: number;
  ledger_amount_krw: number;
  ledger_fee_krw: number;
  difference_count: number;
  imported_by: string;
  created_at: string;
}

export interface SettlementDifferenceView {
  id: string;
  kind: 'missing_in_ledger' | 'missing_in_file' | 'amount_mismatch' | 'fee_mismatch' | 'status_mismatch';
  line_kind: 'payment' | 'cancel';
  provider_ref: string | null;
  transaction_ref: string | null;
  payment_id: string | null;
  refund_id: string | null;
  file: { line_no: number; amount_krw: number; fee_krw: number; fee_vat_krw: number; status: string } | null;
  ledger: { amount_krw: number; fee_krw: number; fee_vat_krw: number; status: string } | null;
}

export interface SettlementImportsResponse {
  imports: SettlementImportView[];
  total: number;
}

export interface SettlementDetailResponse {
  import: SettlementImportView;
  differences: SettlementDifferenceView[];
}
