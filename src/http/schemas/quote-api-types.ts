/**
 * Quotes (issue 11 items 6 and 8): amounts computed by the server with the rule the operation
 * applies, shown before the user confirms. Send `quoted_at` and the amount back with the
 * operation; it then computes at that instant and refuses (409 QUOTE_CHANGED / QUOTE_EXPIRED,
 * nothing charged) if the amount would differ. Pure types: the web app imports them.
 */
import type { ProrationView } from './renewal-api-types.ts';

/** `GET /api/subscription/change/quote?plan=&method=` */
export interface PlanChangeQuoteResponse {
  kind: 'upgrade' | 'downgrade' | 'unchanged' | 'downgrade_canceled';
  plan: string;
  plan_name: string;
  from_plan: string;
  from_plan_name: string;
  /** Charged now (0 unless an upgrade). */
  charge_krw: number;
  /** Upgrade: the prorated lines; null otherwise. */
  proration: ProrationView | null;
  /** Time left in the current period, ms, and in whole days (rounded down). */
  remaining_ms: number;
  remaining_days: number;
  period_end: string;
  /** When the new plan applies (an upgrade: now; a downgrade: the period end). */
  effective_at: string;
  /** Price per period of the chosen plan: what the renewals charge from the next period on. */
  next_charge_krw: number;
  pays_with: 'billing_key' | 'checkout' | null;
  provider: string | null;
  quoted_at: string;
  valid_until: string;
}

export interface CancelNowQuoteLineView {
  payment_id: string;
  plan: string;
  plan_name: string;
  kind: string;
  approved_at: string | null;
  paid_krw: number;
  remaining_days: number;
  period_days: number;
  refund_krw: number;
}

export interface WithdrawalOfferView {
  payment_id: string;
  plan_name: string;
  kind: string;
  approved_at: string | null;
  provider_name: string;
  /** 청약철회 refunds this in full. */
  refundable_krw: number;
  deadline: string;
}

/** `GET /api/subscription/cancel-now/quote` */
export interface CancelNowQuoteResponse {
  /** False when nothing is running to cancel. */
  available: boolean;
  policy: string;
  /** What cancel-now refunds in total, and per payment. */
  refund_krw: number;
  lines: CancelNowQuoteLineView[];
  /** Payments 청약철회 may take back in full now (within the window, paid features unused), newest first. */
  withdrawals: WithdrawalOfferView[];
  withdrawal_krw: number;
  /** 'withdrawal': 청약철회 covers everything cancel-now would refund and gives at least as much back. */
  recommended: 'withdrawal' | 'cancel_now';
  /** A renewal charge is in flight: cancel-now answers 409 RENEWAL_IN_PROGRESS until it settles. */
  renewal_in_progress: boolean;
  quoted_at: string;
  valid_until: string;
}
