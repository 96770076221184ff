import type { TimelineEntry } from '../../domain/console-store.ts';
import type { PlanCatalog } from '../../domain/plans.ts';
import type { Subscription, User } from '../../domain/records.ts';
import type { BillingCycle } from '../../domain/subscription/renewal-records.ts';
import type { OpenCycleView, SubscriptionEntryView, TimelineEntryView, UserRefView } from './console-schemas.ts';
import { adminSubscriptionView } from './refund-views.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function userRefView(u: User): UserRefView {
  return { id: u.id, email: u.email };
}

export function openCycleView(c: BillingCycle): OpenCycleView {
  return {
    id: c.id,
    status: c.status,
    period_start: c.periodStart.toISOString(),
    period_end: c.periodEnd.toISOString(),
    amount_krw: c.amountKrw,
    attempt_count: c.attemptCount,
    next_attempt_at: iso(c.nextAttemptAt),
    notice_sent_at: iso(c.noticeSentAt),
    failure_code: c.failureCode,
  };
}

/** The subscription with what its next renewal asks: the open cycle's amount, else the agreed or the plan's price. */
export function subscriptionEntryView(e: { subscription: Subscription; user: User; openCycle: BillingCycle | null }, plans: PlanCatalog): SubscriptionEntryView {
  const s = e.subscription;
  return {
    subscription: {
      ...adminSubscriptionView(s, plans),
      grace_until: iso(s.graceUntil),
      next_renewal_at: iso(s.nextRenewalAt),
      price_krw: e.openCycle?.amountKrw ?? s.agreedPriceKrw ?? plans.find(s.planId)?.priceKrw ?? 0,
    },
    user: userRefView(e.user),
    open_cycle: e.openCycle ? openCycleView(e.openCycle) : null,
  };
}

export function timelineEntryView(e: TimelineEntry): TimelineEntryView {
  return { source: e.source, id: e.id, at: e.at.toISOString(), type: e.type, status: e.status, amount_krw: e.amountKrw, detail: e.detail };
}
