import { supplyPrice, krw, supplyOf } from '../../domain/money.ts';
import type { Entitlements, Plan, PlanCatalog } from '../../domain/plans.ts';
import type { Payment, User } from '../../domain/records.ts';
import { paymentOutcome } from '../../domain/payment/checkout-expiry.ts';
import { permissionsOf } from '../../domain/staff-permissions.ts';
import type { SubscriptionStatusResult } from '../../use-cases/get-subscription-status.ts';
import type { EntitlementsView, PlanView, SubscriptionStatusView } from './plan-schemas.ts';
import type { PaymentView } from './payment-schemas.ts';
import type { UserView } from './auth-schemas.ts';

// Declared in the domain; re-exported for the views and routes that read it from here.
import { PROVIDER_NAMES } from '../../domain/payment/provider-names.ts';
export { PROVIDER_NAMES };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function entitlementsView(e: Entitlements): EntitlementsView {
  return {
    auto_trading: e.autoTrading,
    auto_trading_monthly_limit_krw: e.autoTradingMonthlyLimitKrw,
    realtime_alerts: e.realtimeAlerts,
    custom_strategies: e.customStrategies,
    priority_support: e.prioritySupport,
  };
}

export function planView(p: Plan, periodDays: number): PlanView {
  return {
    id: p.id,
    name: p.name,
    price_krw: p.priceKrw,
    vat_krw: p.vatKrw,
    supply_krw: supplyPrice(p.priceKrw),
    period_days: periodDays,
    features: p.features,
    entitlements: entitlementsView(p.entitlements),
  };
}

export function userView(u: User): UserView {
  return { id: u.id, email: u.email, role: u.role, permissions: permissionsOf(u.role) };
}

export function paymentView(p: Payment, plans: PlanCatalog): PaymentView {
  return {
    id: p.id,
    plan: p.planId,
    plan_name: plans.find(p.planId)?.name ?? p.planId,
    provider: p.provider,
    provider_name: PROVIDER_NAMES[p.provider] ?? p.provider,
    kind: p.kind,
    status: p.status,
    amount_krw: p.amountKrw,
    vat_krw: p.vatKrw,
    supply_krw: supplyOf(p.amountKrw, p.vatKrw),
    refunded_krw: p.refundedKrw,
    method_kind: p.methodKind,
    method_label: p.methodLabel,
    period_start: iso(p.periodStart),
    period_end: iso(p.periodEnd),
    approved_at: iso(p.approvedAt),
    created_at: p.createdAt.toISOString(),
    failure_code: p.failureCode,
    failure_message: p.failureMessage,
    outcome: paymentOutcome(p),
  };
}

export function subscriptionStatusView(s: SubscriptionStatusResult): SubscriptionStatusView {
  const sub = s.subscription;
  const current = s.isActive && sub?.currentPeriodStart && sub.currentPeriodEnd;
  return {
    plan: s.plan.id,
    plan_name: s.plan.name,
    expire_date: s.isActive ? iso(sub!.currentPeriodEnd) : null,
    auto_trading_enabled: s.isActive && s.entitlements.autoTrading,
    is_active: s.isActive,
    status: sub?.status ?? null,
    auto_renew: s.isActive ? sub!.autoRenew : false,
    provider: s.isActive ? sub!.provider : null,
    pending_plan: s.isActive ? sub!.pendingPlanId : null,
    current_period: current ? { start: sub!.currentPeriodStart!.toISOString(), end: sub!.currentPeriodEnd!.toISOString() } : null,
    entitlements: entitlementsView(s.entitlements),
  };
}
