import type { Krw } from '../domain/money.ts';
import { PROVIDER_NAMES } from '../domain/payment/provider-names.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingRepository, RenewalRepository } from '../domain/repositories.ts';
import type { BillingCycle } from '../domain/subscription/renewal-records.ts';
import {
  earliest,
  graceEndsAt,
  nextAttemptAt,
  noticeDueAt,
} from '../domain/subscription/renewal-schedule.ts';
import { failureReasonText, type NoticeDataByKind, type NoticeKind } from '../domain/notices/notice-catalog.ts';
import { buildNotice } from './enqueue-notice.ts';
import type { UseCaseContext } from './context.ts';
import type { PriceBook } from '../domain/plan-prices.ts';
import { nextRenewalTerms, type RenewalTerms } from '../domain/subscription/renewal-terms.ts';
import { loadPriceBook } from './price-book.ts';

/**
 * State changes of the renewal calendar, shared by the worker's steps, the settlement of
 * renewal payments and the subscription endpoints. Every function runs inside the caller's
 * transaction, with the subscription row already locked, and writes its notices to the
 * outbox in that same transaction.
 */
export interface CalendarScope {
  ctx: UseCaseContext;
  repo: BillingRepository;
  r: RenewalRepository;
  now: Date;
  /** The plan prices, read once per scope (see `pricesOf`). */
  book?: PriceBook;
}

export function scopeOf(ctx: UseCaseContext, repo: BillingRepository, now: Date): CalendarScope {
  return { ctx, repo, r: repo.renewals(), now };
}

/** The price book of this scope, read on first use. */
export async function pricesOf(sc: CalendarScope): Promise<PriceBook> {
  sc.book ??= await loadPriceBook(sc.ctx, sc.repo);
  return sc.book;
}

/** The plan and price the subscription's next renewal charges (domain/subscription/renewal-terms.ts). */
export async function termsOf(sc: CalendarScope, sub: Subscription): Promise<RenewalTerms | null> {
  return nextRenewalTerms(sub, await pricesOf(sc));
}

export function providerName(id: string | null): string {
  return (id && PROVIDER_NAMES[id]) || '등록된 결제 수단';
}

export function planName(ctx: UseCaseContext, planId: string): string {
  return ctx.plans.find(planId)?.name ?? planId;
}

/** Writes a notice about this subscription through the scope's repository (see `enqueueNotice`). */
export async function writeNotice<K extends NoticeKind>(
  sc: CalendarScope,
  sub: Pick<Subscription, 'id' | 'userId'>,
  kind: K,
  data: NoticeDataByKind[K],
  dedupeKey: string,
): Promise<void> {
  await sc.r.insertNotice(buildNotice(sc.ctx, { kind, userId: sub.userId, subscriptionId: sub.id, data, dedupeKey }, sc.now));
}

/** When the worker must next look at an active, auto-renewing subscription whose period ends at `periodEnd`. */
export function wakeForPeriodEnd(sc: CalendarScope, periodEnd: Date): Date {
  return noticeDueAt(periodEnd, sc.ctx.settings.renewal);
}

/** Creates (or returns) the cycle for the period that starts at the current period's end. */
export async function openNextCycle(sc: CalendarScope, sub: Subscription): Promise<BillingCycle | null> {
  const terms = await termsOf(sc, sub);
  const plan = terms && sc.ctx.plans.find(terms.planId);
  if (!terms || !plan || !sub.currentPeriodEnd) return null;
  const start = sub.currentPeriodEnd;
  const cycle = await sc.r.insertCycle({
    id: sc.ctx.ids.next('cyc'),
    subscriptionId: sub.id,
    planId: plan.id,
    periodStart: start,
    periodEnd: new Date(start.getTime() + sc.ctx.plans.periodMs),
    amountKrw: terms.chargeKrw ?? terms.version.priceKrw,
    status: 'scheduled',
    attemptCount: 0,
    nextAttemptAt: start,
    noticeSentAt: null,
    createdAt: sc.now,
  });
  return cycle.status === 'scheduled' || cycle.status === 'retrying' ? cycle : null;
}

/**
 * The notice before the charge, from the renewal terms: the amount, date and method, or — when
 * the price in force is above what the subscriber agreed to and they have not consented — the
 * request for consent (without it the subscription ends with its period, uncharged).
 */
export async function sendRenewalNotice(sc: CalendarScope, sub: Subscription, cycle: BillingCycle): Promise<void> {
  const terms = await termsOf(sc, sub);
  const plan = terms && sc.ctx.plans.find(terms.planId);
  if (!terms || !plan) return;
  const priceKrw = terms.version.priceKrw;
  const key = `${cycle.id}:${plan.id}:${priceKrw}`;
  if (terms.chargeKrw === null) {
    await writeNotice(
      sc,
      sub,
      'price_change_consent',
      { planName: plan.name, agreedKrw: terms.agreedKrw, newPriceKrw: priceKrw, chargeAt: cycle.periodStart },
      `price_consent:${key}`,
    );
  } else {
    await writeNotice(
      sc,
      sub,
      'renewal_upcoming',
      {
        planName: plan.name,
        amountKrw: terms.chargeKrw,
        chargeAt: cycle.periodStart,
        providerName: providerName(sub.provider),
        periodEnd: cycle.periodEnd,
      },
      `renewal_upcoming:${key}`,
    );
  }
  await sc.r.updateCycle(cycle.id, sc.now, { noticeSentAt: sc.now, planId: plan.id, amountKrw: terms.chargeKrw ?? priceKrw });
}

export interface AttemptFailure {
  code: string;
  message: string;
  /** False when retrying cannot help (the billing key is gone): only the grace period remains. */
  retryable: boolean;
}

/**
 * A renewal attempt failed (declined, or refused before charging for lack of consent): the
 * cycle waits for its next attempt, the subscription is past_due with entitlements until the
 * grace end, and the user is told.
 */
export async function failAttempt(sc: CalendarScope, sub: Subscription, cycle: BillingCycle, failure: AttemptFailure): Promise<Date> {
  const s = sc.ctx.settings.renewal;
  const attempts = cycle.attemptCount + 1;
  const grace = sub.graceUntil ?? graceEndsAt(cycle.periodStart, s);
  const next = failure.retryable ? nextAttemptAt(cycle.periodStart, attempts, s) : null;
  await sc.r.transitionCycle(cycle.id, cycle.status, 'retrying', sc.now, {
    attemptCount: attempts,
    nextAttemptAt: next,
    failureCode: failure.code,
  });
  const wake = earliest(next, grace)!;
  const event = {
    type: 'renewal_failed',
    data: { cycle_id: cycle.id, attempt: attempts, code: failure.code, next_attempt_at: next?.toISOString() ?? null },
  };
  const moved = await sc.repo.transitionSubscription(sub.id, sub.status, 'past_due', sc.now, { graceUntil: grace, nextRenewalAt: wake }, event);
  if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
  await writeNotice(
    sc,
    sub,
    'renewal_failed',
    {
      planName: planName(sc.ctx, cycle.planId),
      amountKrw: cycle.amountKrw,
      reason: failureReasonText(failure.code),
      graceUntil: grace,
      nextAttemptAt: next,
    },
    `renewal_failed:${cycle.id}:${attempts}`,
  );
  return wake;
}

/** The provider did not process the charge (outage): try again soon, without counting an attempt. */
export async function deferAttempt(sc: CalendarScope, sub: Subscription, cycle: BillingCycle, code: string): Promise<Date> {
  const s = sc.ctx.settings.renewal;
  const grace = sub.graceUntil ?? graceEndsAt(cycle.periodStart, s);
  const retryAt = new Date(sc.now.getTime() + s.transientRetryMs);
  await sc.r.updateCycle(cycle.id, sc.now, { nextAttemptAt: retryAt, failureCode: code });
  const wake = earliest(retryAt, grace)!;
  if (sub.status === 'active' && sub.currentPeriodEnd && sc.now >= sub.currentPeriodEnd) {
    // Entitlements continue through the grace period while we wait for the provider.
    await sc.repo.transitionSubscription(sub.id, 'active', 'past_due', sc.now, { graceUntil: grace, nextRenewalAt: wake }, {
      type: 'renewal_deferred',
      data: { cycle_id: cycle.id, code },
    });
  } else {
    await sc.r.updateSubscription(sub.id, sc.now, { nextRenewalAt: wake });
  }
  return wake;
}

/** The grace period ended unpaid: the plan ends, auto-trading stops, the billing key is revoked. */
export async function expireSubscription(sc: CalendarScope, sub: Subscription, cycle: BillingCycle | null): Promise<void> {
  const grace = sub.graceUntil ?? graceEndsAt(sub.currentPeriodEnd ?? sc.now, sc.ctx.settings.renewal);
  if (cycle) await sc.r.transitionCycle(cycle.id, cycle.status, 'failed', sc.now, { closedReason: 'grace_ended', nextAttemptAt: null });
  const moved = await sc.repo.transitionSubscription(
    sub.id,
    sub.status,
    'expired',
    sc.now,
    { endedAt: grace, autoRenew: false, billingKey: null, pendingPlanId: null, pendingPriceKrw: null, nextRenewalAt: null },
    { type: 'expired', data: { grace_until: grace.toISOString(), cycle_id: cycle?.id ?? null } },
  );
  if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
  await queueKeyRevocation(sc, sub, 'expired');
  await writeNotice(sc, sub, 'subscription_expired', { planName: planName(sc.ctx, sub.planId), endedAt: grace }, `expired:${sub.id}:${grace.toISOString()}`);
}

/** The period ended without automatic renewal (turned off, or a one-off purchase). */
export async function endAtPeriodEnd(sc: CalendarScope, sub: Subscription, cycle: BillingCycle | null, reason: string): Promise<void> {
  const end = sub.currentPeriodEnd ?? sc.now;
  if (cycle) await sc.r.transitionCycle(cycle.id, cycle.status, 'canceled', sc.now, { closedReason: reason, nextAttemptAt: null });
  const moved = await sc.repo.transitionSubscription(
    sub.id,
    sub.status,
    'canceled',
    sc.now,
    { endedAt: end, autoRenew: false, billingKey: null, pendingPlanId: null, pendingPriceKrw: null, nextRenewalAt: null },
    { type: 'ended', data: { reason, period_end: end.toISOString() } },
  );
  if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
  await queueKeyRevocation(sc, sub, reason);
  const data: NoticeDataByKind['subscription_ended'] =
    reason === 'price_not_consented'
      ? { planName: planName(sc.ctx, cycle?.planId ?? sub.pendingPlanId ?? sub.planId), endedAt: end, priceNotConsented: { newPriceKrw: cycle?.amountKrw ?? null } }
      : { planName: planName(sc.ctx, sub.planId), endedAt: end };
  await writeNotice(sc, sub, 'subscription_ended', data, `ended:${sub.id}:${end.toISOString()}`);
}

/** Queues the revocation of the subscription's current billing key, if it has one. */
export async function queueKeyRevocation(
  sc: CalendarScope,
  sub: Pick<Subscription, 'id' | 'billingKey' | 'provider'>,
  reason: string,
): Promise<string | null> {
  if (!sub.billingKey || !sub.provider) return null;
  return sc.r.queueRevocation({
    id: sc.ctx.ids.next('rvk'),
    subscriptionId: sub.id,
    provider: sub.provider,
    billingKey: sub.billingKey,
    reason,
    at: sc.now,
  });
}

/** A payment row that never reached the provider and is no longer wanted. */
export async function abandonReadyPayment(sc: CalendarScope, p: Payment | undefined, reason: string): Promise<void> {
  if (p && p.status === 'ready') {
    await sc.repo.transitionPayment(p.id, 'ready', 'abandoned', sc.now, { failureCode: reason }, { type: 'abandoned', data: { reason } });
  }
}

/** Points an open cycle at another plan and price; the notice goes out again with the new amount. */
export async function repriceOpenCycle(sc: CalendarScope, cycle: BillingCycle | undefined, planId: string, amountKrw: Krw): Promise<void> {
  if (!cycle || (cycle.planId === planId && cycle.amountKrw === amountKrw)) return;
  await sc.r.updateCycle(cycle.id, sc.now, { planId, amountKrw, noticeSentAt: null });
}

/**
 * Points the open cycle at the plan and price of the (changed) subscription's renewal terms;
 * the notice goes out again if they differ. `sub` is the subscription after the change.
 */
export async function repriceToTerms(sc: CalendarScope, cycle: BillingCycle | undefined, sub: Subscription): Promise<void> {
  if (!cycle) return;
  const terms = await termsOf(sc, sub);
  if (terms) await repriceOpenCycle(sc, cycle, terms.planId, terms.chargeKrw ?? terms.version.priceKrw);
}
