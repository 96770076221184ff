import type { PlanCatalog } from '../../domain/plans.ts';
import type { PlanChangeQuote } from '../../use-cases/quote-plan-change.ts';
import type { CancelNowQuote } from '../../use-cases/quote-cancel-now.ts';
import { prorationView } from './renewal-views.ts';
import { PROVIDER_NAMES } from './views.ts';
import type { CancelNowQuoteResponse, PlanChangeQuoteResponse } from './subscription-schemas.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function planChangeQuoteView(q: PlanChangeQuote): PlanChangeQuoteResponse {
  const remainingMs = Math.max(0, q.periodEnd.getTime() - q.quotedAt.getTime());
  return {
    kind: q.kind,
    plan: q.plan.id,
    plan_name: q.plan.name,
    from_plan: q.fromPlan.id,
    from_plan_name: q.fromPlan.name,
    charge_krw: q.chargeKrw,
    proration: q.proration ? prorationView(q.proration) : null,
    remaining_ms: remainingMs,
    remaining_days: Math.floor(remainingMs / DAY_MS),
    period_end: q.periodEnd.toISOString(),
    effective_at: q.effectiveAt.toISOString(),
    next_charge_krw: q.nextChargeKrw,
    pays_with: q.paysWith,
    provider: q.provider,
    quoted_at: q.quotedAt.toISOString(),
    valid_until: q.validUntil.toISOString(),
  };
}

export function cancelNowQuoteView(q: CancelNowQuote, plans: PlanCatalog): CancelNowQuoteResponse {
  const planName = (id: string) => plans.find(id)?.name ?? id;
  return {
    available: q.available,
    policy: q.policy,
    refund_krw: q.refundKrw,
    lines: q.lines.map((l) => ({
      payment_id: l.payment.id,
      plan: l.payment.planId,
      plan_name: planName(l.payment.planId),
      kind: l.payment.kind,
      approved_at: iso(l.payment.approvedAt),
      paid_krw: l.paidKrw,
      remaining_days: l.remainingDays,
      period_days: l.periodDays,
      refund_krw: l.refundKrw,
    })),
    withdrawals: q.withdrawals.map((w) => ({
      payment_id: w.payment.id,
      plan_name: planName(w.payment.planId),
      kind: w.payment.kind,
      approved_at: iso(w.payment.approvedAt),
      provider_name: PROVIDER_NAMES[w.payment.provider] ?? w.payment.provider,
      refundable_krw: w.refundableKrw,
      deadline: w.deadline.toISOString(),
    })),
    withdrawal_krw: q.withdrawalKrw,
    recommended: q.recommended,
    renewal_in_progress: q.renewalInProgress,
    quoted_at: q.quotedAt.toISOString(),
    valid_until: q.validUntil.toISOString(),
  };
}
