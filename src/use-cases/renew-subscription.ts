import type { Payment, Subscription } from '../domain/records.ts';
import { newPaymentRecord } from '../domain/payment/new-payment.ts';
import type { BillingCycle } from '../domain/subscription/renewal-records.ts';
import { earliest, graceEndsAt } from '../domain/subscription/renewal-schedule.ts';
import type { UseCaseContext } from './context.ts';
import type { ClaimResult, RenewalTask } from './renewal-tasks.ts';
import {
  abandonReadyPayment,
  endAtPeriodEnd,
  expireSubscription,
  openNextCycle,
  queueKeyRevocation,
  scopeOf,
  sendRenewalNotice,
  termsOf,
  type CalendarScope,
} from './renewal-transitions.ts';

/**
 * Claims up to `limit` due subscriptions (`next_renewal_at <= now`, `FOR UPDATE SKIP LOCKED`,
 * so any number of workers can run this at once) and, in the same transaction, takes each one
 * step along its calendar: notice, charge attempt (the payment row is created `approving` and
 * the subscription leased), retry, expiry or end. Provider calls happen afterwards, outside
 * the transaction, through the returned tasks.
 *
 * If one subscription's step throws, the batch is rolled back and the subscriptions are
 * stepped one per transaction; one that still fails is postponed and logged.
 */
export async function claimDueRenewals(ctx: UseCaseContext, now: Date, limit: number): Promise<ClaimResult> {
  try {
    return await claimBatch(ctx, now, limit);
  } catch (err) {
    ctx.logger.error({ err }, 'renewal batch failed; stepping subscriptions one by one');
  }
  const due = await ctx.repo.renewals().claimDueSubscriptions(now, limit);
  const result: ClaimResult = { claimed: 0, tasks: [] };
  for (const s of due) {
    try {
      const one = await claimBatch(ctx, now, 1, s.id);
      result.claimed += one.claimed;
      result.tasks.push(...one.tasks);
    } catch (err) {
      ctx.logger.error({ err, subscription_id: s.id }, 'renewal step failed; postponed');
      const retryAt = new Date(now.getTime() + ctx.settings.renewal.transientRetryMs);
      await ctx.repo.renewals().updateSubscription(s.id, now, { nextRenewalAt: retryAt });
      result.claimed += 1;
    }
  }
  return result;
}

/** Claims one subscription if it is due and steps it (an operator's "retry now", step-subscription-now.ts). */
export async function claimSubscription(ctx: UseCaseContext, subscriptionId: string, now: Date): Promise<ClaimResult> {
  return claimBatch(ctx, now, 1, subscriptionId);
}

async function claimBatch(ctx: UseCaseContext, now: Date, limit: number, onlyId?: string): Promise<ClaimResult> {
  return ctx.repo.transaction(async (repo) => {
    // A whole batch writes its common changes in one statement per kind; one subscription alone needs no buffer.
    const buffer = onlyId ? null : repo.renewalWriteBatch(now);
    const sc: CalendarScope = buffer ? { ctx, repo: buffer.repo, r: buffer.r, now } : scopeOf(ctx, repo, now);
    const subs = await sc.r.claimDueSubscriptions(now, limit, onlyId);
    if (subs.length === 0) return { claimed: 0, tasks: [] };
    const ids = subs.map((s) => s.id);
    const cycles = await sc.r.findOpenCycles(ids);
    const open = await sc.r.findOpenSubscriptionPayments(ids);
    const tasks: RenewalTask[] = [];
    for (const sub of subs) {
      const task = await stepSubscription(
        sc,
        sub,
        cycles.find((c) => c.subscriptionId === sub.id),
        open.filter((p) => p.subscriptionId === sub.id),
      );
      if (task) tasks.push(task);
    }
    await buffer?.flush();
    return { claimed: subs.length, tasks };
  });
}

/** One step of one locked subscription. Returns the provider call to make after commit, if any. */
async function stepSubscription(
  sc: CalendarScope,
  sub: Subscription,
  openCycle: BillingCycle | undefined,
  openPayments: Payment[],
): Promise<RenewalTask | null> {
  const { ctx, repo, r, now } = sc;
  const settings = ctx.settings.renewal;
  const schedule = (at: Date | null) => r.updateSubscription(sub.id, now, { nextRenewalAt: at });
  const leaseEnd = new Date(now.getTime() + settings.leaseMs);

  // 1. A money call in flight comes first: never start another charge next to it.
  for (const p of openPayments) {
    if (p.status === 'unknown') {
      await schedule(leaseEnd);
      return { kind: 'sync', paymentId: p.id };
    }
    if (p.status === 'approving') {
      const held = new Date(p.updatedAt.getTime() + settings.leaseMs);
      if (now < held) {
        await schedule(held);
        return null;
      }
      // The worker (or request) that claimed it is gone: ask the provider, never charge again.
      await repo.transitionPayment(p.id, 'approving', 'unknown', now, {}, { type: 'lease_expired' });
      await schedule(leaseEnd);
      return { kind: 'sync', paymentId: p.id };
    }
  }
  // A renewal payment left `ready` was proven not charged; it is charged again below if still wanted.
  let readyRenewal = openPayments.find((p) => p.kind === 'renewal' && p.status === 'ready');

  // 2. Ended subscriptions need nothing (a billing key still held is given back).
  if (sub.status === 'pending' || sub.status === 'canceled' || sub.status === 'expired' || !sub.currentPeriodEnd) {
    if (openCycle) await r.transitionCycle(openCycle.id, openCycle.status, 'canceled', now, { closedReason: 'subscription_ended' });
    await abandonReadyPayment(sc, readyRenewal, 'subscription_ended');
    if (sub.billingKey && sub.status !== 'pending') {
      await queueKeyRevocation(sc, sub, 'subscription_ended');
      await r.updateSubscription(sub.id, now, { billingKey: null, autoRenew: false });
    }
    await schedule(null);
    return null;
  }
  const periodEnd = sub.currentPeriodEnd;

  // 3. A cycle belongs to the period starting at the current end; otherwise the period was paid another way.
  let cycle = openCycle;
  if (cycle && cycle.periodStart.getTime() !== periodEnd.getTime()) {
    await r.transitionCycle(cycle.id, cycle.status, 'canceled', now, { closedReason: 'superseded', nextAttemptAt: null });
    if (readyRenewal?.billingCycleId === cycle.id) {
      await abandonReadyPayment(sc, readyRenewal, 'superseded');
      readyRenewal = undefined;
    }
    cycle = undefined;
  }
  const grace = sub.graceUntil ?? graceEndsAt(periodEnd, settings);

  // 4. No automatic renewal: the period runs out.
  if (!sub.autoRenew || !sub.billingKey) {
    if (sub.status === 'past_due') {
      if (now < grace) {
        await schedule(grace);
        return null;
      }
      await abandonReadyPayment(sc, readyRenewal, 'expired');
      await expireSubscription(sc, sub, cycle ?? null);
      return null;
    }
    if (now < periodEnd) {
      await schedule(periodEnd);
      return null;
    }
    await abandonReadyPayment(sc, readyRenewal, 'auto_renew_off');
    await endAtPeriodEnd(sc, sub, cycle ?? null, sub.autoRenew ? 'no_billing_key' : 'auto_renew_off');
    return null;
  }

  // 5. Automatic renewal.
  if (sub.status === 'past_due' && now >= grace) {
    await abandonReadyPayment(sc, readyRenewal, 'expired');
    await expireSubscription(sc, sub, cycle ?? null);
    return null;
  }
  if (!cycle) {
    if (sub.status === 'active' && now >= grace) {
      // Never planned and long over (data from before renewals, or a worker down for the whole
      // grace period): charging now would bill a period that is mostly past.
      await abandonReadyPayment(sc, readyRenewal, 'lapsed');
      await endAtPeriodEnd(sc, sub, null, 'lapsed');
      return null;
    }
    if (sub.status === 'active' && now < new Date(periodEnd.getTime() - settings.noticeLeadMs)) {
      await schedule(new Date(periodEnd.getTime() - settings.noticeLeadMs));
      return null;
    }
    cycle = (await openNextCycle(sc, sub)) ?? undefined;
    if (!cycle) {
      // The plan is no longer on sale: the subscription ends with its period.
      if (now < periodEnd) {
        await schedule(periodEnd);
        return null;
      }
      await endAtPeriodEnd(sc, sub, null, 'plan_unavailable');
      return null;
    }
  }
  if (!cycle.noticeSentAt && sub.status === 'active') await sendRenewalNotice(sc, sub, cycle);
  if (!cycle.nextAttemptAt || now < cycle.nextAttemptAt) {
    await schedule(earliest(cycle.nextAttemptAt, sub.status === 'past_due' ? grace : null));
    return null;
  }
  return startAttempt(sc, sub, cycle, readyRenewal);
}

async function startAttempt(sc: CalendarScope, sub: Subscription, cycle: BillingCycle, readyRenewal: Payment | undefined): Promise<RenewalTask | null> {
  const { ctx, repo, r, now } = sc;
  // The one answer to "which plan, at what price" (domain/subscription/renewal-terms.ts).
  const terms = await termsOf(sc, sub);
  const plan = terms && ctx.plans.find(terms.planId);
  if (!terms || !plan || terms.version.priceKrw === 0) {
    await abandonReadyPayment(sc, readyRenewal, 'plan_unavailable');
    await endAtPeriodEnd(sc, sub, cycle, 'plan_unavailable');
    return null;
  }
  if (terms.chargeKrw === null) {
    // A higher price without the subscriber's consent: never charged; the subscription ends
    // with its period and the subscriber is told (docs/pricing.md).
    if (cycle.planId !== plan.id || cycle.amountKrw !== terms.version.priceKrw) {
      await r.updateCycle(cycle.id, now, { planId: plan.id, amountKrw: terms.version.priceKrw });
    }
    await abandonReadyPayment(sc, readyRenewal, 'price_not_consented');
    await endAtPeriodEnd(sc, sub, { ...cycle, planId: plan.id, amountKrw: terms.version.priceKrw }, 'price_not_consented');
    return null;
  }
  const amountKrw = terms.chargeKrw;
  if (amountKrw !== cycle.amountKrw || plan.id !== cycle.planId) await r.updateCycle(cycle.id, now, { planId: plan.id, amountKrw });

  let paymentId: string;
  if (readyRenewal && readyRenewal.billingCycleId === cycle.id && readyRenewal.amountKrw === amountKrw && readyRenewal.planId === plan.id && readyRenewal.provider === sub.provider) {
    // Proven not charged before: the same row (and so the same idempotency key) is charged again.
    const moved = await repo.transitionPayment(readyRenewal.id, 'ready', 'approving', now, {}, { type: 'charge_again' });
    if (!moved) throw new Error(`payment ${readyRenewal.id} changed while its subscription was locked`);
    paymentId = readyRenewal.id;
  } else {
    await abandonReadyPayment(sc, readyRenewal, 'replaced');
    paymentId = ctx.ids.next('pay');
    await repo.insertPayment(
      newPaymentRecord({
        id: paymentId,
        userId: sub.userId,
        subscriptionId: sub.id,
        provider: sub.provider!,
        kind: 'renewal',
        planId: plan.id,
        amountKrw,
        status: 'approving',
        recurring: true,
        billingCycleId: cycle.id,
        periodStart: cycle.periodStart,
        periodEnd: cycle.periodEnd,
        createdAt: now,
      }),
    );
  }
  // The lease: nobody else looks at this subscription until the charge settles or the lease ends.
  await r.updateSubscription(sub.id, now, { nextRenewalAt: new Date(now.getTime() + ctx.settings.renewal.leaseMs) });
  return { kind: 'charge', paymentId, billingKey: sub.billingKey! };
}
