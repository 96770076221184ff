import type { Role } from './records.ts';

/**
 * What each staff role may do in the operator console and its API (issue 14.8).
 * `admin` may do everything; `support` reads and helps a subscriber (resend a notice, extend days);
 * `finance` reads, runs reports and exports, and reconciles settlements. Every staff route names
 * the permission it needs (`requirePermission` in http/plugins/auth.ts); a page hides what the
 * caller's role lacks, and the server refuses it anyway.
 */
export const STAFF_PERMISSIONS = [
  'console.read', // lists, search, per-user timeline, payment details
  'payments.refund',
  'subscriptions.extend', // extend or comp days
  'subscriptions.change_plan',
  'subscriptions.cancel',
  'subscriptions.resume',
  'renewals.retry',
  'billing_keys.revoke',
  'notices.resend',
  'reports.read', // revenue, MRR movements, recovery rate, fees
  'exports.download', // CSV/XLSX of payments, refunds, settlement summary
  'settlements.reconcile', // import a provider settlement file and read the differences
  'audit.read',
  'engine.manage', // trading-engine API keys and webhook endpoints
  'prices.manage',
  'sandbox.tools',
  'staff.manage', // set a user's role (user, admin, support, finance)
] as const;

export type StaffPermission = (typeof STAFF_PERMISSIONS)[number];

export const STAFF_ROLES = ['admin', 'support', 'finance'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Every role a user can have: subscribers are `user`. */
export const ROLES = ['user', ...STAFF_ROLES] as const satisfies readonly Role[];

const ROLE_PERMISSIONS: Record<StaffRole, ReadonlySet<StaffPermission>> = {
  admin: new Set(STAFF_PERMISSIONS),
  support: new Set<StaffPermission>(['console.read', 'notices.resend', 'subscriptions.extend']),
  finance: new Set<StaffPermission>(['console.read', 'reports.read', 'exports.download', 'settlements.reconcile']),
};

export function isStaffRole(role: Role): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

export function roleMay(role: Role, permission: StaffPermission): boolean {
  return isStaffRole(role) && ROLE_PERMISSIONS[role].has(permission);
}

export function permissionsOf(role: Role): StaffPermission[] {
  return isStaffRole(role) ? [...ROLE_PERMISSIONS[role]] : [];
}
