import { PAID_STATUSES } from '../domain/payment/payment-states.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import { coverageAfterRefund, type CoveragePayment } from '../domain/subscription/coverage.ts';
import { ENTITLED_STATUSES } from '../domain/subscription/subscription-states.ts';
import type { UseCaseContext } from './context.ts';
import { queueKeyRevocation, repriceToTerms, scopeOf, termsOf, type CalendarScope } from './renewal-transitions.ts';
import { loadPriceBook } from './price-book.ts';

/** More payments than any subscription has (one a period); the coverage rules need the recent ones only. */
const PAYMENT_SCAN_LIMIT = 2000;

/**
 * The subscription's paid payments as the coverage rules see them. An upgrade payment counts
 * only if it was applied (its `plan_upgraded` event names the plan it upgraded from).
 */
async function coveragePayments(billing: BillingRepository, sub: Subscription): Promise<CoveragePayment[]> {
  const paid = (await billing.listPaymentsByUser(sub.userId, PAYMENT_SCAN_LIMIT)).filter(
    (p) => p.subscriptionId === sub.id && PAID_STATUSES.includes(p.status) && p.periodStart !== null && p.periodEnd !== null,
  );
  const out: CoveragePayment[] = [];
  for (const p of paid) {
    const base = { id: p.id, planId: p.planId, start: p.periodStart!, end: p.periodEnd!, refunded: p.status === 'refunded' };
    if (p.kind === 'checkout' || p.kind === 'renewal') out.push({ ...base, kind: 'period', fromPlanId: null });
    if (p.kind === 'upgrade') {
      const origin = await billing.findUpgradeOrigin(p.id);
      if (origin && origin.subscriptionId === sub.id) out.push({ ...base, kind: 'upgrade', fromPlanId: origin.fromPlan });
    }
  }
  return out;
}

/**
 * A payment was just refunded in full: applies the coverage rules (`domain/subscription/coverage.ts`)
 * to its subscription, in the settling transaction (the caller holds the subscription row,
 * then the payment row; other payment rows are written here):
 *
 * - the period payments after it in its chain move earlier (their `period_start/end` are
 *   rewritten, with a `period_moved` payment event), so a prepaid payment that now pays for
 *   the running period is prorated by cancel-now like any started period;
 * - the subscription's end moves back by the refunded period; with nothing paid for now the
 *   subscription ends now (canceled, auto-renew off: entitlements such as auto-trading stop)
 *   and its billing key's revocation is queued (청약철회 leaves no key registered);
 * - the plan becomes the one the remaining payments pay for (never higher than before), with
 *   the agreed price and the open cycle re-priced to it unless a cheaper downgrade is pending;
 * - the renewal calendar follows: a cycle planned for the old end is superseded, one that was
 *   superseded at the new end is scheduled again, and `next_renewal_at` is now, so the worker
 *   plans the notice and the charge for the new end at its next tick.
 *
 * Payments of an ended subscription, or of an earlier run of it, change nothing.
 */
export async function applyRefundToCoverage(
  ctx: UseCaseContext,
  billing: BillingRepository,
  payment: Payment,
  refund: Refund,
  now: Date,
): Promise<void> {
  if (!payment.subscriptionId || !payment.periodStart || !payment.periodEnd) return;
  if (payment.kind !== 'checkout' && payment.kind !== 'renewal' && payment.kind !== 'upgrade') return;
  const sub = await billing.findSubscriptionByUserForUpdate(payment.userId);
  if (!sub || sub.id !== payment.subscriptionId || !ENTITLED_STATUSES.includes(sub.status) || !sub.currentPeriodEnd) return;
  const payments = await coveragePayments(billing, sub);
  if (!payments.some((p) => p.id === payment.id)) return;
  const c = coverageAfterRefund({ payments, refundedId: payment.id, periodEnd: sub.currentPeriodEnd, now, plans: ctx.plans.plans });

  for (const m of c.moves) {
    const before = payments.find((p) => p.id === m.id)!;
    await billing.updatePayment(m.id, now, { periodStart: m.start, periodEnd: m.end });
    await billing.addPaymentEvent(m.id, {
      type: 'period_moved',
      from: null,
      to: null,
      data: {
        refunded_payment_id: payment.id,
        refund_id: refund.id,
        previous_period_start: before.start.toISOString(),
        previous_period_end: before.end.toISOString(),
        period_start: m.start.toISOString(),
        period_end: m.end.toISOString(),
      },
      at: now,
    });
  }

  const data = {
    payment_id: payment.id,
    refund_id: refund.id,
    previous_period_end: sub.currentPeriodEnd.toISOString(),
    period_end: c.periodEnd.toISOString(),
    moved_payments: c.moves.map((m) => m.id),
  };
  if (c.ended) {
    await queueKeyRevocation(scopeOf(ctx, billing, now), sub, refund.kind === 'withdrawal' ? 'withdrawn' : 'ended_by_refund');
    const ended = await billing.transitionSubscription(
      sub.id,
      sub.status,
      'canceled',
      now,
      { currentPeriodEnd: now, endedAt: now, canceledAt: now, autoRenew: false, billingKey: null, pendingPlanId: null, pendingPriceKrw: null, nextRenewalAt: now },
      { type: 'ended_by_refund', data: { ...data, period_end: now.toISOString() } },
    );
    if (!ended) throw new Error(`subscription ${sub.id} changed while locked`);
    return;
  }

  const current = ctx.plans.find(sub.planId);
  const derived = c.planId ? ctx.plans.find(c.planId) : undefined;
  // A refund never raises the plan.
  const plan = derived && current && derived.rank < current.rank ? derived : undefined;
  const endMoved = c.periodEnd.getTime() !== sub.currentPeriodEnd.getTime();
  const event = payment.kind === 'upgrade' ? 'upgrade_refunded' : 'period_refunded';
  if (!plan && !endMoved && c.moves.length === 0) {
    await billing.addSubscriptionEvent(sub.id, { type: event, from: sub.status, to: sub.status, data: { ...data, applied: false }, at: now });
    return;
  }
  // A downgrade scheduled to a plan below the new one still applies at renewal (its price stands).
  const pending = sub.pendingPlanId ? ctx.plans.find(sub.pendingPlanId) : undefined;
  const keepsPending = plan !== undefined && pending !== undefined && pending.rank < plan.rank;
  const moved = await billing.transitionSubscription(
    sub.id,
    sub.status,
    sub.status,
    now,
    {
      ...(endMoved ? { currentPeriodEnd: c.periodEnd } : {}),
      ...(plan
        ? {
            planId: plan.id,
            pendingPlanId: keepsPending ? sub.pendingPlanId : null,
            ...(keepsPending ? {} : { pendingPriceKrw: null }),
            // Back on the plan below: its price on sale now (docs/pricing.md).
            agreedPriceKrw: (await loadPriceBook(ctx, billing)).priceAt(plan.id, now) ?? plan.priceKrw,
          }
        : {}),
      nextRenewalAt: now,
    },
    { type: event, data: { ...data, from_plan: sub.planId, to_plan: plan?.id ?? sub.planId } },
  );
  if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
  const sc = scopeOf(ctx, billing, now);
  const cycle = endMoved ? await followPeriodEnd(sc, moved) : (await sc.r.findOpenCycles([sub.id]))[0];
  if (plan) await repriceToTerms(sc, cycle, moved);
}

/**
 * The renewal calendar after the end moved back: the cycle planned for the old end is
 * superseded, and a cycle superseded earlier at the new end (when the now refunded prepaid
 * period was bought) is scheduled again, since the unique period start leaves no room for a
 * new one. Otherwise the worker opens the cycle when the notice is due. Returns the open cycle.
 */
async function followPeriodEnd(sc: CalendarScope, sub: Subscription) {
  const end = sub.currentPeriodEnd!;
  for (const open of await sc.r.findOpenCycles([sub.id])) {
    if (open.periodStart.getTime() === end.getTime()) return open;
    await sc.r.transitionCycle(open.id, open.status, 'canceled', sc.now, { closedReason: 'superseded', nextAttemptAt: null });
  }
  if (!sub.autoRenew || !sub.billingKey || sub.status !== 'active') return undefined;
  const old = await sc.r.findCycleByStart(sub.id, end);
  if (!old) return undefined;
  if (old.status !== 'canceled') {
    sc.ctx.logger.warn({ subscription_id: sub.id, cycle_id: old.id, status: old.status }, 'period end moved back onto a closed cycle');
    return undefined;
  }
  const terms = await termsOf(sc, sub);
  if (!terms) return undefined;
  return sc.r.transitionCycle(old.id, 'canceled', 'scheduled', sc.now, {
    planId: terms.planId,
    amountKrw: terms.chargeKrw ?? terms.version.priceKrw,
    attemptCount: 0,
    nextAttemptAt: end,
    noticeSentAt: null,
    failureCode: null,
    closedReason: null,
  });
}
