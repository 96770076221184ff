/** Payment statuses of order lookup and cancel (spec §3.3). */
export const PAYMENT_STATUSES = [
  'READY',
  'SEND_TMS',
  'OPEN_PAYMENT',
  'SELECT_METHOD',
  'ARS_WAITING',
  'AUTH_PASSWORD',
  'ISSUED_SID',
  'SUCCESS_PAYMENT',
  'PART_CANCEL_PAYMENT',
  'CANCEL_PAYMENT',
  'FAIL_AUTH_PASSWORD',
  'QUIT_PAYMENT',
  'FAIL_PAYMENT',
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type PaymentMethodType = 'CARD' | 'MONEY';
export const PAYMENT_METHOD_TYPES = ['CARD', 'MONEY'] as const;

export type SidStatus = 'ACTIVE' | 'INACTIVE';

/** Before approval: these expire after the tid TTL. */
export const PRE_APPROVAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'READY',
  'SEND_TMS',
  'OPEN_PAYMENT',
  'SELECT_METHOD',
  'ARS_WAITING',
  'AUTH_PASSWORD',
]);

/** The user can still act on the hosted page in these. */
export const USER_ACTIONABLE_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'READY',
  'SEND_TMS',
  'OPEN_PAYMENT',
  'SELECT_METHOD',
]);

/** Approve already succeeded once: a new approve gets -702. */
export const APPROVED_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'ISSUED_SID',
  'SUCCESS_PAYMENT',
  'PART_CANCEL_PAYMENT',
  'CANCEL_PAYMENT',
]);

/** Cancel is allowed only in these (spec §8.11). */
export const CANCELLABLE_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'SUCCESS_PAYMENT',
  'PART_CANCEL_PAYMENT',
]);
