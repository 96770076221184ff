/**
 * Messages of the operator console's lists, queues, timeline and roles (issue 14.1–14.3, 14.8):
 * one zod schema each validates the request, serializes the answer and writes /docs; the web app
 * imports the inferred types (type-only, through web/src/api.ts). Money is integer KRW, times ISO-8601 UTC.
 */
import { z } from 'zod';
import { REFUND_STATUSES } from '../../domain/payment/refund-states.ts';
import { TIMELINE_SOURCES } from '../../domain/console-store.ts';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/subscription-states.ts';
import { ROLES, STAFF_PERMISSIONS } from '../../domain/staff-permissions.ts';
import { AdminPaymentView, AdminSubscriptionView, AdminUserView } from './admin-schemas.ts';
import { RefundView } from './refund-schemas.ts';

/** A comma-separated query value, each item one of `values` (at least one). */
export function commaList<const T extends readonly [string, ...string[]]>(values: T, maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .transform((v) => v.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(values)).min(1));
}

export const ConsoleIdParams = z.object({ id: z.string().min(1).max(64) });

const Paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};
export const PageQuery = z.object(Paging);
export const SubscriptionQuery = z.object({
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
  /** past_due only: in = grace period running, over = grace ended (expiry pending). */
  grace: z.enum(['in', 'over']).optional(),
  plan: z.string().min(1).max(64).optional(),
  provider: z.string().min(1).max(32).optional(),
  ...Paging,
});
export const RenewalQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(7), ...Paging });
export const RefundQuery = z.object({
  /** Comma-separated; default the pending ones (requested, unknown). */
  status: commaList(REFUND_STATUSES, 100).default(['requested', 'unknown']),
  ...Paging,
});
export const TimelineQuery = z.object({
  /** Comma-separated sources; default all. */
  sources: commaList(TIMELINE_SOURCES, 200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
});
export const RoleBody = z.object({ role: z.enum(ROLES) });

/** Permission names of domain/staff-permissions.ts as the web sees them. */
export const StaffPermissionValue = z.enum(STAFF_PERMISSIONS);
export type StaffPermissionValue = z.infer<typeof StaffPermissionValue>;
export const RoleValue = z.enum(ROLES);
export type RoleValue = z.infer<typeof RoleValue>;

/** A page of an offset-paged list: `total` counts every matching row, not just this page. */
const Counted = { total: z.int(), offset: z.int(), limit: z.int() };

export const UserRefView = z.object({ id: z.string(), email: z.string().nullable() });
export type UserRefView = z.infer<typeof UserRefView>;

export const OpenCycleView = z.object({
  id: z.string(),
  status: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  amount_krw: z.int(),
  attempt_count: z.int(),
  next_attempt_at: z.string().nullable(),
  notice_sent_at: z.string().nullable(),
  failure_code: z.string().nullable(),
});
export type OpenCycleView = z.infer<typeof OpenCycleView>;

/** GET /api/admin/queues/dunning */
export const DunningResponse = z.object({
  entries: z.array(z.object({ cycle: OpenCycleView, subscription: AdminSubscriptionView.extend({ grace_until: z.string().nullable() }), user: UserRefView })),
  ...Counted,
});
export type DunningResponse = z.infer<typeof DunningResponse>;

export const SubscriptionEntryView = z.object({
  subscription: AdminSubscriptionView.extend({ grace_until: z.string().nullable(), next_renewal_at: z.string().nullable(), price_krw: z.int() }),
  user: UserRefView,
  open_cycle: OpenCycleView.nullable(),
});
export type SubscriptionEntryView = z.infer<typeof SubscriptionEntryView>;

/** GET /api/admin/subscriptions, GET /api/admin/renewals/upcoming */
export const SubscriptionListResponse = z.object({ entries: z.array(SubscriptionEntryView), ...Counted });
export type SubscriptionListResponse = z.infer<typeof SubscriptionListResponse>;

/** GET /api/admin/refunds */
export const RefundListResponse = z.object({
  entries: z.array(z.object({ refund: RefundView, payment: AdminPaymentView, user: UserRefView })),
  ...Counted,
});
export type RefundListResponse = z.infer<typeof RefundListResponse>;

/** GET /api/admin/queues/summary: how many rows each queue holds now. */
export const QueueSummaryResponse = z.object({
  dunning: z.int(),
  past_due_in_grace: z.int(),
  past_due_grace_over: z.int(),
  renewals_next_7_days: z.int(),
  pending_refunds: z.int(),
  unknown_payments: z.int(),
  now: z.string(),
});
export type QueueSummaryResponse = z.infer<typeof QueueSummaryResponse>;

export const TimelineSourceValue = z.enum(TIMELINE_SOURCES);
export type TimelineSourceValue = z.infer<typeof TimelineSourceValue>;

export const TimelineEntryView = z.object({
  source: TimelineSourceValue,
  id: z.string(),
  at: z.string(),
  type: z.string(),
  status: z.string().nullable(),
  amount_krw: z.int().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type TimelineEntryView = z.infer<typeof TimelineEntryView>;

/** GET /api/admin/users/:id/timeline */
export const TimelineResponse = z.object({
  user: AdminUserView,
  entries: z.array(TimelineEntryView),
  /** Every entry of the chosen sources. */
  total: z.int(),
  next_cursor: z.string().nullable(),
  sources: z.array(TimelineSourceValue),
});
export type TimelineResponse = z.infer<typeof TimelineResponse>;

/** POST /api/admin/users/:id/role */
export const SetRoleResponse = z.object({ user: AdminUserView, previous_role: RoleValue, permissions: z.array(StaffPermissionValue) });
export type SetRoleResponse = z.infer<typeof SetRoleResponse>;
