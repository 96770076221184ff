/**
 * The operator console's audit log (issue 14.5): one entry per staff action, written in the
 * transaction of the change it records. Table `admin_audit_log` (migration 0020); the per-user
 * timeline reads it too, so its shape is fixed: id, actor_user_id, action, target_type,
 * target_id, reason, before, after, created_at.
 */
export const ADMIN_ACTIONS = [
  'payment.refund',
  'subscription.extend',
  'subscription.change_plan',
  'subscription.cancel',
  'subscription.resume',
  'renewal.retry',
  'notice.resend',
  'billing_key.revoke',
  'api_key.create',
  'api_key.revoke',
  'api_key.rotate',
  'webhook_endpoint.create',
  'webhook_endpoint.disable',
  'webhook_endpoint.enable',
  'webhook_endpoint.rotate_secret',
  'webhook_delivery.replay',
  'engine_event.replay',
  'refund.sync',
  'settlement.import',
  'price.withdraw',
] as const;

export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export type AuditTargetType =
  | 'payment'
  | 'refund'
  | 'subscription'
  | 'notice'
  | 'api_key'
  | 'webhook_endpoint'
  | 'webhook_delivery'
  | 'engine_event'
  | 'settlement_import'
  | 'plan_price';

export interface AdminAuditEntry {
  id: string;
  actorUserId: string;
  action: AdminAction;
  targetType: AuditTargetType;
  targetId: string;
  reason: string | null;
  /** The target's relevant fields before the action (null: it did not exist). */
  before: unknown;
  /** The same fields after the action (null: it no longer exists, or nothing changed yet). */
  after: unknown;
  createdAt: Date;
}

export interface AdminAuditFilter {
  actorUserId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** created_at ≥ from */
  from?: Date;
  /** created_at < to */
  to?: Date;
}

export interface AdminAuditPage {
  entries: (AdminAuditEntry & { actorEmail: string | null })[];
  /** Entries matching the filter (all pages). */
  total: number;
}

/** Reads the audit log (writes go through `BillingRepository.recordAdminAction`, inside a transaction). */
export interface AdminAuditStore {
  /** Newest first. */
  listAudit(filter: AdminAuditFilter, page: { limit: number; offset: number }): Promise<AdminAuditPage>;
  /** Every matching entry, newest first, in batches (exports). */
  exportAudit(filter: AdminAuditFilter): AsyncIterable<AdminAuditEntry & { actorEmail: string | null }>;
  /** Outside a change's transaction (actions whose store has its own transaction). */
  insertAudit(entry: AdminAuditEntry): Promise<void>;
}
