import { krw } from '../../domain/money.ts';
import type { Payment, Subscription, User } from '../../domain/records.ts';
import type { NewPaymentRecord } from '../../domain/repositories.ts';
import type { PaymentRow, SubscriptionRow, UserRow } from '../schema.ts';

/** Row ↔ record mapping of users, payments and subscriptions, shared by the repositories that read them. */
export function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, role: r.role, createdAt: r.created_at };
}

export function toPayment(r: PaymentRow): Payment {
  return {
    id: r.id,
    userId: r.user_id,
    subscriptionId: r.subscription_id,
    provider: r.provider,
    kind: r.kind,
    planId: r.plan_id,
    amountKrw: krw(r.amount_krw),
    vatKrw: krw(r.vat_krw),
    refundedKrw: krw(r.refunded_krw),
    status: r.status,
    recurring: r.recurring,
    checkoutRef: r.checkout_ref,
    providerRef: r.provider_ref,
    methodKind: r.method_kind,
    methodLabel: r.method_label,
    billingCycleId: r.billing_cycle_id,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    failureCode: r.failure_code,
    failureMessage: r.failure_message,
    expiresAt: r.expires_at,
    approvedAt: r.approved_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    nextLookupAt: r.next_lookup_at,
    lookupAttempts: r.lookup_attempts,
    pricedPeriodStart: r.priced_period_start,
    pricedPeriodEnd: r.priced_period_end,
    pricedFromPlanId: r.priced_from_plan_id,
    approvalNo: r.approval_no ?? null,
  };
}

/** Column values of a new payment row (also used by the renewal repository's batch insert). */
export function paymentValues(p: NewPaymentRecord) {
  return {
    id: p.id,
    user_id: p.userId,
    subscription_id: p.subscriptionId,
    provider: p.provider,
    kind: p.kind,
    plan_id: p.planId,
    amount_krw: p.amountKrw,
    vat_krw: p.vatKrw,
    status: p.status,
    recurring: p.recurring,
    checkout_ref: p.checkoutRef,
    provider_ref: p.providerRef,
    method_kind: p.methodKind,
    method_label: p.methodLabel,
    billing_cycle_id: p.billingCycleId,
    period_start: p.periodStart,
    period_end: p.periodEnd,
    failure_code: p.failureCode,
    failure_message: p.failureMessage,
    expires_at: p.expiresAt,
    approved_at: p.approvedAt,
    created_at: p.createdAt,
    updated_at: p.createdAt,
    priced_period_start: p.pricedPeriodStart ?? null,
    priced_period_end: p.pricedPeriodEnd ?? null,
    priced_from_plan_id: p.pricedFromPlanId ?? null,
    approval_no: p.approvalNo ?? null,
  };
}

export function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    userId: r.user_id,
    planId: r.plan_id,
    status: r.status,
    provider: r.provider,
    billingKey: r.billing_key,
    autoRenew: r.auto_renew,
    currentPeriodStart: r.current_period_start,
    currentPeriodEnd: r.current_period_end,
    pendingPlanId: r.pending_plan_id,
    canceledAt: r.canceled_at,
    endedAt: r.ended_at,
    nextRenewalAt: r.next_renewal_at,
    graceUntil: r.grace_until,
    agreedPriceKrw: r.agreed_price_krw === null ? null : krw(r.agreed_price_krw),
    pendingPriceKrw: r.pending_price_krw === null || r.pending_price_krw === undefined ? null : krw(r.pending_price_krw),
    consentedPriceId: r.consented_price_id ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
