import type { Krw } from './money.ts';
import type { PaymentKind, PaymentStatus } from './payment/payment-states.ts';
import type { SubscriptionStatus } from './subscription/subscription-states.ts';

/** `support` and `finance` are staff roles with fewer permissions than `admin` (domain/staff-permissions.ts). */
export type Role = 'user' | 'admin' | 'support' | 'finance';

export interface User {
  id: string;
  email: string | null;
  role: Role;
  createdAt: Date;
}

export interface Payment {
  id: string;
  userId: string;
  subscriptionId: string | null;
  provider: string;
  kind: PaymentKind;
  planId: string;
  amountKrw: Krw;
  vatKrw: Krw;
  refundedKrw: Krw;
  status: PaymentStatus;
  recurring: boolean;
  /** Provider's id for the checkout session (KakaoPay tid, NaverPay reserveId). */
  checkoutRef: string | null;
  /** Provider's id for the approved payment (KakaoPay tid, NaverPay paymentId). */
  providerRef: string | null;
  methodKind: string | null;
  methodLabel: string | null;
  billingCycleId: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  failureCode: string | null;
  failureMessage: string | null;
  expiresAt: Date | null;
  approvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * When reconciliation next asks the provider about an approval we sent (null: nothing to
   * ask, or the answer is final). See domain/payment/payment-lookup.ts.
   */
  nextLookupAt: Date | null;
  /** Lookups made so far under that schedule (drives the backoff). */
  lookupAttempts: number;
  /**
   * What a plan-change (upgrade) payment was priced for: the subscription's period and plan
   * at pricing time. Approval refuses the payment when the subscription differs (null for
   * other kinds). See docs/checkout-rules.md.
   */
  pricedPeriodStart: Date | null;
  pricedPeriodEnd: Date | null;
  pricedFromPlanId: string | null;
  /**
   * The card company's approval number (승인번호) shown on receipts — not the provider's
   * transaction id (`providerRef`). Null for non-card methods or when the provider did not say.
   */
  approvalNo: string | null;
}

export interface Subscription {
  id: string;
  userId: string;
  planId: string;
  status: SubscriptionStatus;
  provider: string | null;
  billingKey: string | null;
  autoRenew: boolean;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  pendingPlanId: string | null;
  canceledAt: Date | null;
  endedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** When the renewal worker must look at this subscription next (notice, charge, retry, end); null: never. */
  nextRenewalAt: Date | null;
  /** past_due only: entitlements end at this instant unless a payment settles. */
  graceUntil: Date | null;
  /**
   * Per-period price the subscriber agreed to for `planId` (the current plan); a higher price
   * needs their consent first. See domain/subscription/renewal-terms.ts.
   */
  agreedPriceKrw: Krw | null;
  /** The price agreed for `pendingPlanId` when the downgrade was chosen (null without one). */
  pendingPriceKrw: Krw | null;
  /** The higher price version (`plan_prices.id`) the subscriber consented to, if any. */
  consentedPriceId: string | null;
}
