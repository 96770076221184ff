/**
 * Messages of the subscriber-facing refund routes (receipts, 청약철회, cancel-now, usage reports):
 * one zod schema each; the web app imports the inferred types. Money is integer KRW (`*_krw`),
 * times are ISO-8601 strings in UTC (`*_at`).
 */
import { z } from 'zod';
import { REFUND_KINDS, REFUND_STATUSES } from '../../domain/payment/refund-states.ts';
import { REFUND_POLICIES } from '../../domain/payment/refund-policy.ts';
import { FeatureSchema } from '../../use-cases/record-usage.ts';
import { PaymentView } from './payment-schemas.ts';
import { SubscriptionStatusView } from './plan-schemas.ts';

export const RefundIdParams = z.object({ id: z.string().min(1).max(64) });

/** Strict: an amount here would be silently ignored; amounts go through /api/v1/usage/reservations. */
export const UsageBody = z.strictObject({ feature: FeatureSchema });

/** The quote shown (`GET /api/subscription/cancel-now/quote`): refunds computed at its instant, must match (domain/quotes.ts). */
export const CancelNowBody = z.object({ quote: z.object({ quoted_at: z.iso.datetime(), refund_krw: z.number().int().nonnegative() }).optional() });

export const RefundView = z.object({
  id: z.string(),
  payment_id: z.string(),
  /** admin: by an operator; withdrawal: 청약철회; cancel_now: unused days of a mid-period cancel. */
  kind: z.enum(REFUND_KINDS),
  /** requested: at the provider; unknown: answer lost, being confirmed; failed: nothing refunded. */
  status: z.enum(REFUND_STATUSES),
  amount_krw: z.int(),
  vat_krw: z.int(),
  supply_krw: z.int(),
  reason: z.string(),
  requested_by: z.string(),
  provider_refund_ref: z.string().nullable(),
  failure_code: z.string().nullable(),
  created_at: z.string(),
  settled_at: z.string().nullable(),
});
export type RefundView = z.infer<typeof RefundView>;

export const WithdrawalView = z.object({
  /** 청약철회 possible now. */
  allowed: z.boolean(),
  /** Why not: withdrawal_period_over | features_used | not_paid | nothing_left. */
  reason: z.string().nullable(),
  /** End of the 7-day window (approval + 7 × 24 h). */
  deadline: z.string().nullable(),
  used_at: z.string().nullable(),
  used_feature: z.string().nullable(),
});
export type WithdrawalView = z.infer<typeof WithdrawalView>;

export const BusinessView = z.object({
  /** 상호 */
  name: z.string(),
  /** 대표자 */
  owner: z.string().nullable(),
  /** 사업자등록번호 */
  registration_number: z.string().nullable(),
  /** 통신판매업 신고번호 */
  mail_order_number: z.string().nullable(),
  address: z.string().nullable(),
  contact: z.string().nullable(),
});
export type BusinessView = z.infer<typeof BusinessView>;

/** GET /api/payments/:id/receipt */
export const ReceiptResponse = z.object({
  payment: PaymentView,
  receipt: z.object({
    merchant: z.string(),
    item: z.string(),
    provider_name: z.string(),
    /** '카드' | '카카오페이머니' | … */
    method_name: z.string(),
    method_label: z.string().nullable(),
    amount_krw: z.int(),
    supply_krw: z.int(),
    vat_krw: z.int(),
    refunded_krw: z.int(),
    /** amount − refunded */
    net_krw: z.int(),
    approved_at: z.string().nullable(),
    /** The card company's approval number (승인번호); null for non-card methods. */
    approval_no: z.string().nullable(),
    /** The provider's transaction id (거래 번호): KakaoPay tid, NaverPay paymentId. Not the approval number. */
    provider_ref: z.string().nullable(),
    period_start: z.string().nullable(),
    period_end: z.string().nullable(),
    /** VAT split of what was refunded (refunds that succeeded) and of what remains paid. */
    refunded_supply_krw: z.int(),
    refunded_vat_krw: z.int(),
    net_supply_krw: z.int(),
    net_vat_krw: z.int(),
    /** The same receipt as a PDF (owner only): `/api/payments/:id/receipt.pdf`. */
    pdf_url: z.string(),
  }),
  /** The merchant (전자상거래법 제10조): fields not configured are null and not shown. */
  business: BusinessView,
  refunds: z.array(RefundView),
  refundable_krw: z.int(),
  withdrawal: WithdrawalView,
});
export type ReceiptResponse = z.infer<typeof ReceiptResponse>;

/** POST /api/payments/:id/withdraw, POST /api/admin/payments/:id/refunds (201, or 202 when `unknown`). */
export const RefundResponse = z.object({
  outcome: z.enum(['succeeded', 'unknown']),
  refund: RefundView,
  payment: PaymentView,
});
export type RefundResponse = z.infer<typeof RefundResponse>;

export const CancelRefundLineView = z.object({
  payment_id: z.string(),
  paid_krw: z.int(),
  remaining_days: z.number(),
  /** Days of this payment's own period (an upgrade: upgrade instant → period end; may be fractional). */
  period_days: z.number(),
  /** floor(paid × remaining_days / period_days) */
  refund_krw: z.int(),
  /** paid − refund (days used + rounding) */
  retained_krw: z.int(),
  refund: RefundView.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type CancelRefundLineView = z.infer<typeof CancelRefundLineView>;

/** POST /api/subscription/cancel-now */
export const CancelNowResponse = z.object({
  policy: z.enum(REFUND_POLICIES),
  refunded_krw: z.int(),
  lines: z.array(CancelRefundLineView),
  subscription: SubscriptionStatusView,
});
export type CancelNowResponse = z.infer<typeof CancelNowResponse>;

/** POST /api/usage, POST /api/admin/usage */
export const UsageResponse = z.object({ user_id: z.string(), feature: z.string(), occurred_at: z.string() });
export type UsageResponse = z.infer<typeof UsageResponse>;
