/**
 * Response shapes of the operator console's lists, queues, timeline and roles (issue 14.1–14.3,
 * 14.8; re-exported by api-types.ts). Pure types: the web app imports them. Money is integer
 * KRW, times ISO-8601 UTC strings.
 */
import type { AdminPaymentView, AdminSubscriptionView, AdminUserView } from './refund-api-types.ts';
import type { RefundView } from './refund-schemas.ts';

/** Permission names of domain/staff-permissions.ts as the web sees them. */
export type StaffPermissionValue =
  | 'console.read'
  | 'payments.refund'
  | 'subscriptions.extend'
  | 'subscriptions.change_plan'
  | 'subscriptions.cancel'
  | 'subscriptions.resume'
  | 'renewals.retry'
  | 'billing_keys.revoke'
  | 'notices.resend'
  | 'reports.read'
  | 'exports.download'
  | 'settlements.reconcile'
  | 'audit.read'
  | 'engine.manage'
  | 'prices.manage'
  | 'sandbox.tools'
  | 'staff.manage';

export type RoleValue = 'user' | 'admin' | 'support' | 'finance';

/** A page of an offset-paged list: `total` counts every matching row, not just this page. */
export interface CountedList {
  total: number;
  offset: number;
  limit: number;
}

export interface UserRefView {
  id: string;
  email: string | null;
}

export interface OpenCycleView {
  id: string;
  status: string;
  period_start: string;
  period_end: string;
  amount_krw: number;
  attempt_count: number;
  next_attempt_at: string | null;
  notice_sent_at: string | null;
  failure_code: string | null;
}

/** GET /api/admin/queues/dunning */
export interface DunningResponse extends CountedList {
  entries: { cycle: OpenCycleView; subscription: AdminSubscriptionView & { grace_until: string | null }; user: UserRefView }[];
}

export interface SubscriptionEntryView {
  subscription: AdminSubscriptionView & { grace_until: string | null; next_renewal_at: string | null; price_krw: number };
  user: UserRefView;
  open_cycle: OpenCycleView | null;
}

/** GET /api/admin/subscriptions, GET /api/admin/renewals/upcoming */
export interface SubscriptionListResponse extends CountedList {
  entries: SubscriptionEntryView[];
}

/** GET /api/admin/refunds */
export interface RefundListResponse extends CountedList {
  entries: { refund: RefundView; payment: AdminPaymentView; user: UserRefView }[];
}

/** GET /api/admin/queues/summary: how many rows each queue holds now. */
export interface QueueSummaryResponse {
  dunning: number;
  past_due_in_grace: number;
  past_due_grace_over: number;
  renewals_next_7_days: number;
  pending_refunds: number;
  unknown_payments: number;
  now: string;
}

export type TimelineSourceValue = 'payment' | 'refund' | 'subscription_event' | 'notice' | 'webhook_delivery' | 'usage' | 'consent' | 'admin_action';

export interface TimelineEntryView {
  source: TimelineSourceValue;
  id: string;
  at: string;
  type: string;
  status: string | null;
  amount_krw: number | null;
  detail: Record<string, unknown>;
}

/** GET /api/admin/users/:id/timeline */
export interface TimelineResponse {
  user: AdminUserView;
  entries: TimelineEntryView[];
  /** Every entry of the chosen sources. */
  total: number;
  next_cursor: string | null;
  sources: TimelineSourceValue[];
}

/** POST /api/admin/users/:id/role */
export interface SetRoleResponse {
  user: AdminUserView;
  previous_role: RoleValue;
  permissions: StaffPermissionValue[];
}
