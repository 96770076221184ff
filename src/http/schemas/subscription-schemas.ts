/** Messages of /api/subscription/* (one zod schema each; the web app imports the inferred types). Money in whole won, times ISO-8601. */
import { z } from 'zod';
import { SubscriptionStatusView } from './plan-schemas.ts';
import { CheckoutLaunch, PaymentView } from './payment-schemas.ts';


// ---- Renewal management: plan change, auto-renewal off/on, price consent, payment method -----

export const BillingCycleView = z.object({
  id: z.string(),
  plan: z.string(),
  status: z.enum(['scheduled', 'retrying', 'paid', 'failed', 'canceled']),
  period_start: z.string(),
  period_end: z.string(),
  amount_krw: z.int(),
  attempt_count: z.int(),
  next_attempt_at: z.string().nullable(),
  failure_code: z.string().nullable(),
});
export type BillingCycleView = z.infer<typeof BillingCycleView>;

export const NextRenewalView = z.object({
  plan: z.string(),
  /** The start of the next period, whose price applies. */
  at: z.string(),
  /** The price in force then. */
  price_krw: z.int(),
  /** The price the subscriber agreed to for that plan. */
  agreed_price_krw: z.int().nullable(),
  /** What is charged: null when a higher price lacks consent (nothing is charged, the subscription ends). */
  charge_krw: z.int().nullable(),
  consent: z.enum(['not_needed', 'given', 'required']),
});
export type NextRenewalView = z.infer<typeof NextRenewalView>;

export const PriceChangeView = z.object({
  plan: z.string(),
  price_id: z.string(),
  from_krw: z.int().nullable(),
  to_krw: z.int(),
  effective_at: z.string(),
  /** The first renewal that would charge it. */
  first_charge_at: z.string(),
  consented: z.boolean(),
});
export type PriceChangeView = z.infer<typeof PriceChangeView>;

export const RenewalView = z.object({
  status: z.string().nullable(),
  auto_renew: z.boolean(),
  has_billing_key: z.boolean(),
  provider: z.string().nullable(),
  current_period: z.object({ start: z.string(), end: z.string() }).nullable(),
  /** past_due: entitlements last until then. */
  grace_until: z.string().nullable(),
  pending_plan: z.string().nullable(),
  agreed_price_krw: z.int().nullable(),
  next_charge_at: z.string().nullable(),
  next_charge_krw: z.int().nullable(),
  next_plan: z.string().nullable(),
  price_consent_required: z.boolean(),
  /**
   * The billing key at the provider: `registered` (held; after 해지 예약 until the period end),
   * `revoking` (given up, the provider has not confirmed the revocation yet; retried),
   * `revoked` (confirmed), `revoke_failed` (an operator follows up), `none`.
   */
  billing_key_state: z.enum(['registered', 'revoking', 'revoked', 'revoke_failed', 'none']),
  /** When the provider confirmed the revocation (state `revoked`). */
  billing_key_revoked_at: z.string().nullable(),
  cycle: BillingCycleView.nullable(),
  /**
   * The plan and price the next renewal charges — the one answer every dialog shows (also while
   * auto-renewal is off: what turning it back on would charge). Null without a running period.
   */
  next_renewal: NextRenewalView.nullable(),
  /** A higher price to consent to (or consented to), for the next or a later renewal (docs/pricing.md). */
  price_change: PriceChangeView.nullable(),
});
export type RenewalView = z.infer<typeof RenewalView>;

export const ProrationView = z.object({
  remaining_ms: z.number(),
  period_ms: z.number(),
  credit_krw: z.int(),
  new_plan_krw: z.int(),
  charge_krw: z.int(),
  /** The rounding rule, in words. */
  rule: z.string(),
});
export type ProrationView = z.infer<typeof ProrationView>;

/** The subscription and its renewal after a change: every write below answers with both. */
const AfterChange = z.object({ subscription: SubscriptionStatusView, renewal: RenewalView });

export const PlanChangeBody = z.object({
  plan: z.string().min(1).max(32),
  /** Provider for a checkout when there is no billing key (default: the subscription's). */
  method: z.string().min(1).max(32).optional(),
  /** The quote shown (`GET /api/subscription/change/quote`): priced at its instant, must match (domain/quotes.ts). */
  quote: z.object({ quoted_at: z.iso.datetime(), charge_krw: z.number().int().nonnegative() }).optional(),
});

export const PlanChangeResponse = AfterChange.extend({
  change: z.enum(['unchanged', 'downgrade_scheduled', 'downgrade_canceled', 'upgraded', 'pending', 'checkout_required']),
  effective_at: z.string().optional(),
  proration: ProrationView.optional(),
  payment: PaymentView.optional(),
  /** checkout_required: continue like a `/ready` answer, then approve with `/api/payment/{method}/approve`. */
  payment_id: z.string().optional(),
  checkout: CheckoutLaunch.optional(),
});
export type PlanChangeResponse = z.infer<typeof PlanChangeResponse>;

/** Cancel (auto-renewal off) takes no fields; any sent are ignored. */
export const CancelBody = z.looseObject({});

export const CancelResponse = AfterChange.extend({ changed: z.boolean() });
export type CancelResponse = z.infer<typeof CancelResponse>;

export const ResumeBody = z.object({ method: z.string().min(1).max(32).optional() });

export const ResumeResponse = AfterChange.extend({
  resumed: z.boolean(),
  payment_id: z.string().optional(),
  checkout: CheckoutLaunch.optional(),
});
export type ResumeResponse = z.infer<typeof ResumeResponse>;

export const ConsentBody = z.object({ price_krw: z.number().int().nonnegative() });

export const ConsentResponse = AfterChange.extend({ changed: z.boolean() });
export type ConsentResponse = z.infer<typeof ConsentResponse>;

export const PaymentMethodBody = z.object({
  /** Provider of the new billing key (the same one for another card, or the other one). */
  method: z.string().min(1).max(32),
});

export const PaymentMethodChangeResponse = AfterChange.extend({
  /** The 0-won registration checkout: continue like a `/ready` answer, then approve with `/api/payment/{method}/approve`. */
  payment_id: z.string(),
  checkout: CheckoutLaunch,
});
export type PaymentMethodChangeResponse = z.infer<typeof PaymentMethodChangeResponse>;

// ---- Quotes (issue 11 items 6 and 8) ----------------------------------------------------------
// Amounts computed by the server with the rule the operation applies, shown before the user
// confirms. Send `quoted_at` and the amount back with the operation; it then computes at that
// instant and refuses (409 QUOTE_CHANGED / QUOTE_EXPIRED, nothing charged) if the amount would differ.

export const PlanChangeQuoteQuery = z.object({
  plan: z.string().min(1).max(32),
  method: z.string().min(1).max(32).optional(),
});

/** `GET /api/subscription/change/quote?plan=&method=` */
export const PlanChangeQuoteResponse = z.object({
  kind: z.enum(['upgrade', 'downgrade', 'unchanged', 'downgrade_canceled']),
  plan: z.string(),
  plan_name: z.string(),
  from_plan: z.string(),
  from_plan_name: z.string(),
  /** Charged now (0 unless an upgrade). */
  charge_krw: z.int(),
  /** Upgrade: the prorated lines; null otherwise. */
  proration: ProrationView.nullable(),
  /** Time left in the current period, ms, and in whole days (rounded down). */
  remaining_ms: z.number(),
  remaining_days: z.number(),
  period_end: z.string(),
  /** When the new plan applies (an upgrade: now; a downgrade: the period end). */
  effective_at: z.string(),
  /** Price per period of the chosen plan: what the renewals charge from the next period on. */
  next_charge_krw: z.int(),
  pays_with: z.enum(['billing_key', 'checkout']).nullable(),
  provider: z.string().nullable(),
  quoted_at: z.string(),
  valid_until: z.string(),
});
export type PlanChangeQuoteResponse = z.infer<typeof PlanChangeQuoteResponse>;

export const CancelNowQuoteLineView = z.object({
  payment_id: z.string(),
  plan: z.string(),
  plan_name: z.string(),
  kind: z.string(),
  approved_at: z.string().nullable(),
  paid_krw: z.int(),
  remaining_days: z.number(),
  period_days: z.number(),
  refund_krw: z.int(),
});
export type CancelNowQuoteLineView = z.infer<typeof CancelNowQuoteLineView>;

export const WithdrawalOfferView = z.object({
  payment_id: z.string(),
  plan_name: z.string(),
  kind: z.string(),
  approved_at: z.string().nullable(),
  provider_name: z.string(),
  /** 청약철회 refunds this in full. */
  refundable_krw: z.int(),
  deadline: z.string(),
});
export type WithdrawalOfferView = z.infer<typeof WithdrawalOfferView>;

/** `GET /api/subscription/cancel-now/quote` */
export const CancelNowQuoteResponse = z.object({
  /** False when nothing is running to cancel. */
  available: z.boolean(),
  policy: z.string(),
  /** What cancel-now refunds in total, and per payment. */
  refund_krw: z.int(),
  lines: z.array(CancelNowQuoteLineView),
  /** Payments 청약철회 may take back in full now (within the window, paid features unused), newest first. */
  withdrawals: z.array(WithdrawalOfferView),
  withdrawal_krw: z.int(),
  /** 'withdrawal': 청약철회 covers everything cancel-now would refund and gives at least as much back. */
  recommended: z.enum(['withdrawal', 'cancel_now']),
  /** A renewal charge is in flight: cancel-now answers 409 RENEWAL_IN_PROGRESS until it settles. */
  renewal_in_progress: z.boolean(),
  quoted_at: z.string(),
  valid_until: z.string(),
});
export type CancelNowQuoteResponse = z.infer<typeof CancelNowQuoteResponse>;
