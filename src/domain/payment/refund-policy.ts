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
  /** The period this payment pays for (an upgrade: from the upgrade instant to the period end). */
  periodStart: Date;
  periodEnd: Date;
  now: Date;
}

export interface ProratedRefund {
  /** Whole days of the payment's period not used yet: floor((period_end − max(now, period_start)) / 24 h), at least 0. */
  remainingDays: number;
  /** Length of the payment's own period in days (30 for a period payment; an upgrade's may be fractional). */
  periodDays: number;
  /** floor(amount × remaining_days × 24 h / (period_end − period_start)). */
  refundKrw: Krw;
  /** amount − refund: the used days plus the rounding remainder, kept by the operator. */
  retainedKrw: Krw;
}

/**
 * Refund for the unused part of a paid period (policy `prorated_days`). Written rule, over the
 * payment's OWN period (a period payment: 30 days; an upgrade payment: from the upgrade instant
 * to the period end it was prorated to): remaining_days = floor((period_end − max(now,
 * period_start)) / 24 h), at least 0; refund = floor(amount × remaining_days × 24 h /
 * (period_end − period_start)) in whole won, never more than the amount; the remainder (days
 * used, the day in progress and the fraction of a won) is `retainedKrw`. A period that has not
 * started yet is refunded in full. For a 30-day period this is floor(amount × days / 30).
 */
export function proratedRefund(input: ProratedRefundInput): ProratedRefund {
  const spanMs = input.periodEnd.getTime() - input.periodStart.getTime();
  const periodDays = Math.round((Math.max(spanMs, 0) / DAY_MS) * 1000) / 1000;
  if (spanMs <= 0) return { remainingDays: 0, periodDays, refundKrw: krw(0), retainedKrw: input.amountKrw };
  const from = Math.max(input.now.getTime(), input.periodStart.getTime());
  const remainingDays = Math.max(Math.floor((input.periodEnd.getTime() - from) / DAY_MS), 0);
  const remainingMs = Math.min(remainingDays * DAY_MS, spanMs);
  // amount × remaining ms exceeds 2^53 for real prices: exact integer arithmetic.
  const refund = krw(Math.min(input.amountKrw, Number((BigInt(input.amountKrw) * BigInt(remainingMs)) / BigInt(spanMs))));
  return { remainingDays, periodDays, refundKrw: refund, retainedKrw: krw(input.amountKrw - refund) };
}

/** Refund for a mid-period cancel under `policy`. */
export function cancelRefund(policy: RefundPolicy, input: ProratedRefundInput): ProratedRefund {
  if (policy === 'none') return { ...proratedRefund(input), remainingDays: 0, refundKrw: krw(0), retainedKrw: input.amountKrw };
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
