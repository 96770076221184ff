import type { PreparedCheckout } from '../../domain/ports.ts';
import type { Proration } from '../../domain/subscription/proration.ts';
import type { Notice } from '../../domain/subscription/renewal-records.ts';
import type { RenewalStatus } from '../../use-cases/get-renewal-status.ts';
import type { CheckoutLaunch } from './payment-schemas.ts';
import type { NoticeView } from './sandbox-schemas.ts';
import type { ProrationView, RenewalView } from './subscription-schemas.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function renewalView(r: RenewalStatus): RenewalView {
  const s = r.subscription;
  const c = r.cycle;
  return {
    status: s?.status ?? null,
    auto_renew: s?.autoRenew ?? false,
    has_billing_key: !!s?.billingKey,
    provider: s?.provider ?? null,
    current_period: s?.currentPeriodStart && s.currentPeriodEnd ? { start: s.currentPeriodStart.toISOString(), end: s.currentPeriodEnd.toISOString() } : null,
    grace_until: s?.status === 'past_due' ? iso(s.graceUntil) : null,
    pending_plan: s?.pendingPlanId ?? null,
    agreed_price_krw: s?.agreedPriceKrw ?? null,
    next_charge_at: iso(r.nextChargeAt),
    next_charge_krw: r.nextChargeKrw,
    next_plan: r.nextPlanId,
    price_consent_required: r.priceConsentRequired,
    next_renewal: r.terms
      ? {
          plan: r.terms.planId,
          at: r.terms.chargeAt.toISOString(),
          price_krw: r.terms.version.priceKrw,
          agreed_price_krw: r.terms.agreedKrw,
          charge_krw: r.terms.chargeKrw,
          consent: r.terms.consent,
        }
      : null,
    price_change: r.priceChange
      ? {
          plan: r.priceChange.planId,
          price_id: r.priceChange.version.id,
          from_krw: r.priceChange.fromKrw,
          to_krw: r.priceChange.version.priceKrw,
          effective_at: r.priceChange.version.effectiveAt.toISOString(),
          first_charge_at: r.priceChange.firstChargeAt.toISOString(),
          consented: r.priceChange.consented,
        }
      : null,
    billing_key_state: r.billingKey.state,
    billing_key_revoked_at: iso(r.billingKey.revokedAt),
    cycle: c
      ? {
          id: c.id,
          plan: c.planId,
          status: c.status,
          period_start: c.periodStart.toISOString(),
          period_end: c.periodEnd.toISOString(),
          amount_krw: c.amountKrw,
          attempt_count: c.attemptCount,
          next_attempt_at: iso(c.nextAttemptAt),
          failure_code: c.failureCode,
        }
      : null,
  };
}

export const PRORATION_RULE =
  'credit = floor(current plan price × remaining / period), new_plan = floor(new plan price × remaining / period), charge = max(0, new_plan − credit); whole won, each line rounded down';

export function prorationView(p: Proration): ProrationView {
  return {
    remaining_ms: p.remainingMs,
    period_ms: p.periodMs,
    credit_krw: p.creditKrw,
    new_plan_krw: p.newPlanKrw,
    charge_krw: p.chargeKrw,
    rule: PRORATION_RULE,
  };
}

/** Same launch shape as `/api/payment/{method}/ready`. */
export function checkoutLaunchView(checkout: PreparedCheckout): CheckoutLaunch {
  return checkout.clientLaunch !== null
    ? { style: 'sdk', ...checkout.clientLaunch }
    : { style: 'redirect', redirect_url: checkout.redirectUrl!, mobile_redirect_url: checkout.mobileRedirectUrl };
}

export function noticeView(n: Notice & { email: string | null }): NoticeView {
  return {
    id: n.id,
    kind: n.kind,
    to: n.recipient ?? n.email,
    user_id: n.userId,
    subject: n.subject,
    body: n.body,
    status: n.status,
    channel: n.channel,
    created_at: n.createdAt.toISOString(),
    sent_at: iso(n.sentAt),
  };
}
