/**
 * Response shapes of the renewal endpoints (plan change, cancel, resume, consent, sandbox
 * tools). Pure types: the web app may import this file. Money in whole won, times ISO-8601.
 */
import type { CheckoutLaunch, PaymentView, SubscriptionStatusView } from './api-types.ts';

export interface BillingCycleView {
  id: string;
  plan: string;
  status: 'scheduled' | 'retrying' | 'paid' | 'failed' | 'canceled';
  period_start: string;
  period_end: string;
  amount_krw: number;
  attempt_count: number;
  next_attempt_at: string | null;
  failure_code: string | null;
}

export interface RenewalView {
  status: string | null;
  auto_renew: boolean;
  has_billing_key: boolean;
  provider: string | null;
  current_period: { start: string; end: string } | null;
  /** past_due: entitlements last until then. */
  grace_until: string | null;
  pending_plan: string | null;
  agreed_price_krw: number | null;
  next_charge_at: string | null;
  next_charge_krw: number | null;
  next_plan: string | null;
  price_consent_required: boolean;
  /**
   * The billing key at the provider: `registered` (held; after 해지 예약 until the period end),
   * `revoking` (given up, the provider has not confirmed the revocation yet; retried),
   * `revoked` (confirmed), `revoke_failed` (an operator follows up), `none`.
   */
  billing_key_state: 'registered' | 'revoking' | 'revoked' | 'revoke_failed' | 'none';
  /** When the provider confirmed the revocation (state `revoked`). */
  billing_key_revoked_at: string | null;
  cycle: BillingCycleView | null;
  /**
   * The plan and price the next renewal charges — the one answer every dialog shows (also while
   * auto-renewal is off: what turning it back on would charge). Null without a running period.
   */
  next_renewal: NextRenewalView | null;
  /** A higher price to consent to (or consented to), for the next or a later renewal (docs/pricing.md). */
  price_change: PriceChangeView | null;
}

export interface NextRenewalView {
  plan: string;
  /** The start of the next period, whose price applies. */
  at: string;
  /** The price in force then. */
  price_krw: number;
  /** The price the subscriber agreed to for that plan. */
  agreed_price_krw: number | null;
  /** What is charged: null when a higher price lacks consent (nothing is charged, the subscription ends). */
  charge_krw: number | null;
  consent: 'not_needed' | 'given' | 'required';
}

export interface PriceChangeView {
  plan: string;
  price_id: string;
  from_krw: number | null;
  to_krw: number;
  effective_at: string;
  /** The first renewal that would charge it. */
  first_charge_at: string;
  consented: boolean;
}

export interface ProrationView {
  remaining_ms: number;
  period_ms: number;
  credit_krw: number;
  new_plan_krw: number;
  charge_krw: number;
  /** The rounding rule, in words. */
  rule: string;
}

export interface PlanChangeResponse {
  change: 'unchanged' | 'downgrade_scheduled' | 'downgrade_canceled' | 'upgraded' | 'pending' | 'checkout_required';
  effective_at?: string;
  proration?: ProrationView;
  payment?: PaymentView;
  /** checkout_required: continue like a `/ready` answer, then approve with `/api/payment/{method}/approve`. */
  payment_id?: string;
  checkout?: CheckoutLaunch;
  subscription: SubscriptionStatusView;
  renewal: RenewalView;
}

export interface CancelResponse {
  changed: boolean;
  subscription: SubscriptionStatusView;
  renewal: RenewalView;
}

export interface ResumeResponse {
  resumed: boolean;
  payment_id?: string;
  checkout?: CheckoutLaunch;
  subscription: SubscriptionStatusView;
  renewal: RenewalView;
}

export interface PaymentMethodChangeResponse {
  /** The 0-won registration checkout: continue like a `/ready` answer, then approve with `/api/payment/{method}/approve`. */
  payment_id: string;
  checkout: CheckoutLaunch;
  subscription: SubscriptionStatusView;
  renewal: RenewalView;
}

export interface ConsentResponse {
  changed: boolean;
  subscription: SubscriptionStatusView;
  renewal: RenewalView;
}

export interface NoticeView {
  id: string;
  kind: string;
  to: string | null;
  user_id: string;
  subject: string;
  body: string;
  status: string;
  channel: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface MailboxResponse {
  notices: NoticeView[];
}

export interface ClockResponse {
  now: string;
  offset_ms: number;
  providers?: Record<string, { ok: boolean; now?: number; error?: string }>;
  /** Summed worker tick reports (claimed, outcomes, notices, revocations). */
  tick?: unknown;
  /** The jump is made in steps of at most a day, each followed by a tick. */
  steps?: number;
}
