import { krw, vatIncluded, type Krw } from '../money.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How a mid-period cancel (`cancel-now`) is refunded; `REFUND_POLICY` in the environment. */
export const REFUND_POLICIES = ['prorated_days', 'none'] as const;
export type RefundPolicy = (typeof REFUND_POLICIES)[number];

export interface RefundVatInput {
  /** The refund's amount, VAT included. */
  amountKrw: Krw;
  /** What is left to refund on the payment before this refund. */
  refundableBeforeKrw: Krw;
  /** VAT of the whole payment. */
  paymentVatKrw: Krw;
  /** VAT already given back by earlier successful refunds. */
  vatRefundedKrw: Krw;
}

/**
 * VAT inside one refund. Rule: round(amount / 11) half up (`vatIncluded`), never more
 * than the VAT still left on the payment, and never so little that the VAT left would
 * exceed the amount left (only with refunds of a few won); the refund that empties the payment takes
 * exactly the VAT left, so the refunds' VAT adds up to the payment's VAT (KakaoPay
 * refuses a final cancel with any other VAT, -722).
 * Example: 10,000 (VAT 909) refunded 3,000 → 273, then 7,000 → 636 (not 636.36 rounded
 * independently of what is left: 909 − 273).
 */
export function refundVat(input: RefundVatInput): Krw {
  const vatLeft = Math.max(0, input.paymentVatKrw - input.vatRefundedKrw);
  if (input.amountKrw >= input.refundableBeforeKrw) return krw(Math.min(vatLeft, input.amountKrw));
  // Keep the VAT left no larger than the amount left, so that the last refund can take it all.
  const floor = vatLeft - (input.refundableBeforeKrw - input.amountKrw);
  return krw(Math.min(Math.max(vatIncluded(input.amountKrw), floor), vatLeft, input.amountKrw));
}

export interface ProratedRefundInput {
  /** What was paid for the period, VAT included. */
  amountKrw: Krw;
  periodStart: Date;
  periodEnd: Date;
  /** The plan catalog's period length (30). */
  periodDays: number;
  now: Date;
}

export interface ProratedRefund {
  /** Whole days of the period not used yet: floor((period_end − max(now, period_start)) / 24 h), capped at `periodDays`. */
  remainingDays: number;
  /** floor(amount × remaining_days / period_days). */
  refundKrw: Krw;
  /** amount − refund: the used days plus the rounding remainder, kept by the operator. */
  retainedKrw: Krw;
}

/**
 * Refund for the unused part of a paid period (policy `prorated_days`). Written rule:
 * remaining_days = floor((period_end − max(now, period_start)) / 24 h), between 0 and
 * period_days; refund = floor(amount × remaining_days / period_days) in whole won; the
 * remainder (days used, the day in progress and the fraction of a won) is `retainedKrw`.
 * A period that has not started yet is refunded in full.
 */
export function proratedRefund(input: ProratedRefundInput): ProratedRefund {
  const from = Math.max(input.now.getTime(), input.periodStart.getTime());
  const rawDays = Math.floor((input.periodEnd.getTime() - from) / DAY_MS);
  const remainingDays = Math.min(Math.max(rawDays, 0), input.periodDays);
  // amount × days stays far below 2^53 for any real price (≤ 10^10 won × 366).
  const refund = krw(Math.floor((input.amountKrw * remainingDays) / input.periodDays));
  return { remainingDays, refundKrw: refund, retainedKrw: krw(input.amountKrw - refund) };
}

/** Refund for a mid-period cancel under `policy`. */
export function cancelRefund(policy: RefundPolicy, input: ProratedRefundInput): ProratedRefund {
  if (policy === 'none') return { remainingDays: 0, refundKrw: krw(0), retainedKrw: input.amountKrw };
  return proratedRefund(input);
}

/** Last instant at which a payment approved at `approvedAt` may still be withdrawn (청약철회): approval + N×24 h. */
export function withdrawalDeadline(approvedAt: Date, withdrawalDays: number): Date {
  return new Date(approvedAt.getTime() + withdrawalDays * DAY_MS);
}

export type WithdrawalRefusal = 'withdrawal_period_over' | 'features_used' | 'not_paid' | 'nothing_left';

/**
 * 청약철회 check: allowed before the deadline, when no paid-feature usage was recorded
 * since the approval, and while something is left to refund.
 */
export function withdrawalRefusal(input: {
  approvedAt: Date | null;
  now: Date;
  withdrawalDays: number;
  usedSinceApproval: boolean;
  refundableKrw: Krw;
}): WithdrawalRefusal | null {
  if (!input.approvedAt) return 'not_paid';
  if (input.refundableKrw <= 0) return 'nothing_left';
  if (input.now.getTime() >= withdrawalDeadline(input.approvedAt, input.withdrawalDays).getTime()) return 'withdrawal_period_over';
  if (input.usedSinceApproval) return 'features_used';
  return null;
}
