/** Operator console calls: actions on a subscriber, audit log, accounting report, settlements. */
import { newIdempotencyKey, request } from './api.ts';
import type { AccountingReportResponse, AdminActionResponse, AdminNoticesResponse, AuditLogResponse, SettlementDetailResponse, SettlementImportsResponse } from '../../src/http/schemas/operator-action-schemas.ts';

export type { AccountingReportResponse, AdminActionResponse, AdminNoticesResponse, AuditEntryView, AuditLogResponse, SettlementDetailResponse, SettlementDifferenceView, SettlementImportsResponse, SettlementImportView } from '../../src/http/schemas/operator-action-schemas.ts';

const get = async <T>(path: string, signal?: AbortSignal) => (await request<T>('GET', path, { signal })).body;
const post = async <T>(path: string, body: unknown, headers?: Record<string, string>) => (await request<T>('POST', path, { body, headers })).body;
const qs = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export type ActionName = 'extend' | 'change-plan' | 'cancel' | 'resume' | 'retry-renewal' | 'revoke-billing-key';

export const consoleApi = {
  /** One Idempotency-Key per submitted action: a repeated click does the action once. */
  action: (userId: string, action: ActionName, body: Record<string, unknown>) =>
    post<AdminActionResponse>(`/api/admin/users/${encodeURIComponent(userId)}/actions/${action}`, body, { 'idempotency-key': newIdempotencyKey() }),
  notices: (userId: string, signal?: AbortSignal) => get<AdminNoticesResponse>(`/api/admin/users/${encodeURIComponent(userId)}/notices`, signal),
  resendNotice: (userId: string, noticeId: string, reason: string) =>
    post<{ notice: { id: string } }>(`/api/admin/users/${encodeURIComponent(userId)}/notices/${encodeURIComponent(noticeId)}/resend`, { reason }),
  audit: (filter: AuditFilter, page: number, signal?: AbortSignal) => get<AuditLogResponse>(`/api/admin/audit${qs({ ...filter, page, page_size: 20 })}`, signal),
  accounting: (from: string, to: string, signal?: AbortSignal) => get<AccountingReportResponse>(`/api/admin/reports/accounting${qs({ from, to })}`, signal),
  importSettlement: (body: { provider: string; file_name: string; content: string }) => post<SettlementDetailResponse>('/api/admin/settlements', body),
  settlements: (signal?: AbortSignal) => get<SettlementImportsResponse>('/api/admin/settlements?page_size=50', signal),
  settlement: (id: string, signal?: AbortSignal) => get<SettlementDetailResponse>(`/api/admin/settlements/${encodeURIComponent(id)}`, signal),
};

export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

export function auditCsvUrl(filter: AuditFilter): string {
  return `/api/admin/audit.csv${qs({ ...filter })}`;
}

export function exportUrl(kind: 'payments' | 'refunds' | 'settlement-summary', format: 'csv' | 'xlsx', from: string, to: string): string {
  return `/api/admin/exports/${kind}.${format}${qs({ from, to })}`;
}

export const ACTION_LABELS: Record<string, string> = {
  'payment.refund': '환불',
  'subscription.extend': '기간 연장',
  'subscription.change_plan': '플랜 변경',
  'subscription.cancel': '자동 결제 해지',
  'subscription.resume': '자동 결제 재개',
  'renewal.retry': '갱신 결제 재시도',
  'notice.resend': '알림 재발송',
  'billing_key.revoke': '결제 수단 해지',
  'api_key.create': 'API 키 생성',
  'api_key.revoke': 'API 키 폐기',
  'api_key.rotate': 'API 키 교체',
  'webhook_endpoint.create': '웹훅 등록',
  'webhook_endpoint.disable': '웹훅 중지',
  'webhook_endpoint.enable': '웹훅 재개',
  'webhook_endpoint.rotate_secret': '웹훅 비밀키 교체',
  'webhook_delivery.replay': '웹훅 재전송',
  'engine_event.replay': '엔진 이벤트 재전송',
  'refund.sync': '환불 결과 확인',
  'settlement.import': '정산 파일 가져오기',
  'price.withdraw': '예정 가격 철회',
};

export const DIFFERENCE_LABELS: Record<string, string> = {
  missing_in_ledger: '우리 장부에 없음',
  missing_in_file: '정산 파일에 없음',
  amount_mismatch: '금액 불일치',
  fee_mismatch: '수수료 불일치',
  status_mismatch: '상태 불일치',
};
