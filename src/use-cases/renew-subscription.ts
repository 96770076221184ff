import { ProviderDeclinedError, ProviderError, ProviderInFlightError, ProviderUnavailableError, AppError } from '../domain/errors.ts';
import { vatIncluded } from '../domain/money.ts';
import type { PaymentStatus } from '../domain/payment/payment-states.ts';
import type { PaymentGateway, PaymentResult } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingCycle } from '../domain/subscription/renewal-records.ts';
import { earliest, graceEndsAt } from '../domain/subscription/renewal-schedule.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf } from './provider-errors.ts';
import { rejectAmountMismatch } from './settle-payment.ts';
import { recordRenewalDecline, settleApprovedRenewals, settleSubscriptionPayment } from './settle-subscription-payment.ts';
import {
  abandonReadyPayment,
  deferAttempt,
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
 * What a claimed subscription needs after the claim transaction committed: a charge with the
 * billing key, or a lookup of a charge whose outcome is unknown. Each runs on its own; the
 * task functions re-read the payment before acting.
 */
export type RenewalTask =
  | { kind: 'charge'; paymentId: string; billingKey: string }
  | { kind: 'sync'; paymentId: string };

export type RenewalOutcome = 'approved' | 'declined' | 'unknown' | 'deferred' | 'not_charged' | 'skipped';

export interface ClaimResult {
  claimed: number;
  tasks: RenewalTask[];
}

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

/**
 * Steps one subscription at once (an operator's "retry now"): the same claim as the worker's
 * (it must be due: `next_renewal_at <= now`), then the provider call it asks for, if any.
 * Returns what happened to the charge, or `skipped` when the step needed no provider call.
 */
export async function stepSubscriptionNow(ctx: UseCaseContext, subscriptionId: string, now: Date): Promise<RenewalOutcome> {
  const { tasks } = await claimBatch(ctx, now, 1, subscriptionId);
  const task = tasks[0];
  if (!task) return 'skipped';
  return task.kind === 'charge' ? chargeRenewal(ctx, task, now) : syncSubscriptionPayment(ctx, task.paymentId, now);
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
    await repo.insertPayment({
      id: paymentId,
      userId: sub.userId,
      subscriptionId: sub.id,
      provider: sub.provider!,
      kind: 'renewal',
      planId: plan.id,
      amountKrw,
      vatKrw: vatIncluded(amountKrw),
      status: 'approving',
      recurring: true,
      checkoutRef: null,
      providerRef: null,
      methodKind: null,
      methodLabel: null,
      billingCycleId: cycle.id,
      periodStart: cycle.periodStart,
      periodEnd: cycle.periodEnd,
      failureCode: null,
      failureMessage: null,
      expiresAt: null,
      approvedAt: null,
      createdAt: now,
    });
  }
  // The lease: nobody else looks at this subscription until the charge settles or the lease ends.
  await r.updateSubscription(sub.id, now, { nextRenewalAt: new Date(now.getTime() + ctx.settings.renewal.leaseMs) });
  return { kind: 'charge', paymentId, billingKey: sub.billingKey! };
}

/**
 * Task: charges a claimed renewal payment with the billing key and settles the answer. Re-reads
 * the payment first and does nothing unless it is still `approving`. Idempotency key
 * `renew-<paymentId>`; the payment id is also the provider's order key.
 */
export async function chargeRenewal(ctx: UseCaseContext, task: { paymentId: string; billingKey: string }, now: Date): Promise<RenewalOutcome> {
  return (await chargeRenewals(ctx, [task], now))[0];
}

/**
 * Task, for a batch: re-reads the payments (one query) and charges those still `approving`
 * side by side. Approved renewals settle together in one transaction
 * (`settleApprovedRenewals`); declines, timeouts and outages are recorded one by one.
 */
export async function chargeRenewals(
  ctx: UseCaseContext,
  tasks: readonly { paymentId: string; billingKey: string }[],
  now: Date,
  /** Measures each provider call (bench figures); the stopwatch is injected, never read here. */
  timing?: { stopwatch: () => number; record: (ms: number) => void },
): Promise<RenewalOutcome[]> {
  const current = new Map((await ctx.repo.renewals().findPayments(tasks.map((t) => t.paymentId))).map((p) => [p.id, p]));
  const approved: { payment: Payment; result: PaymentResult }[] = [];
  const outcomes = await Promise.all(
    tasks.map(async (task): Promise<RenewalOutcome> => {
      const payment = current.get(task.paymentId);
      if (!payment || payment.status !== 'approving') return 'skipped';
      const gateway = ctx.gateways.get(payment.provider);
      if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
      const plan = ctx.plans.find(payment.planId);
      let result: PaymentResult;
      const started = timing?.stopwatch();
      try {
        result = await gateway.chargeBillingKey({
          paymentId: payment.id,
          userRef: payment.userId,
          billingKey: task.billingKey,
          itemName: `ShowMeTheStock ${plan?.name ?? payment.planId} (${ctx.plans.periodDays}일)`,
          amountKrw: payment.amountKrw,
          vatKrw: payment.vatKrw,
          idempotencyKey: `renew-${payment.id}`,
        });
      } catch (err) {
        return handleChargeFailure(ctx, payment, err, now);
      } finally {
        if (timing && started !== undefined) timing.record(timing.stopwatch() - started);
      }
      if (result.amountKrw !== payment.amountKrw || payment.kind !== 'renewal') return settleResult(ctx, payment, 'approving', result, now);
      approved.push({ payment, result });
      return 'approved';
    }),
  );
  await settleApprovedRenewals(ctx, approved, now);
  return outcomes;
}

async function settleResult(ctx: UseCaseContext, payment: Payment, from: PaymentStatus, result: PaymentResult, now: Date): Promise<RenewalOutcome> {
  if (result.amountKrw !== payment.amountKrw) {
    try {
      await rejectAmountMismatch(ctx, payment, from, result);
    } catch {
      // rejectAmountMismatch always throws; the payment is now declined (refunded) or unknown.
    }
    const after = await ctx.repo.findPayment(payment.id);
    if (after?.status === 'declined' && payment.kind === 'renewal') {
      // Already declined by rejectAmountMismatch: only the cycle's attempt is recorded.
      await recordRenewalDecline(ctx, payment.userId, payment.id, 'declined', { code: 'AMOUNT_MISMATCH', message: 'amount mismatch', retryable: true }, now);
    }
    return after?.status === 'declined' ? 'declined' : 'unknown';
  }
  await settleSubscriptionPayment(ctx, payment, from, result, now);
  return 'approved';
}

async function handleChargeFailure(ctx: UseCaseContext, payment: Payment, err: unknown, now: Date): Promise<RenewalOutcome> {
  const code = failureCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ProviderDeclinedError) {
    await recordRenewalDecline(ctx, payment.userId, payment.id, 'approving', { code, message, retryable: err.reason !== 'billing_key_inactive' }, now);
    return 'declined';
  }
  if (err instanceof ProviderError && !(err instanceof ProviderUnavailableError && err.outcomeUnknown)) {
    // Not processed (outage, maintenance, our request refused): nothing was charged.
    if (!(err instanceof ProviderUnavailableError)) ctx.logger.error({ payment_id: payment.id, code, err: err.name }, 'renewal charge refused as invalid');
    await ctx.repo.transaction(async (repo) => {
      const sub = await repo.findSubscriptionByUserForUpdate(payment.userId);
      const moved = await repo.transitionPayment(payment.id, 'approving', 'ready', now, { failureCode: code, failureMessage: message }, { type: 'not_processed' });
      if (!moved) return;
      const sc = scopeOf(ctx, repo, now);
      const cycle = payment.billingCycleId ? await sc.r.findCycle(payment.billingCycleId) : undefined;
      if (sub && cycle && (sub.status === 'active' || sub.status === 'past_due')) await deferAttempt(sc, sub, cycle, code);
      else if (sub) await sc.r.updateSubscription(sub.id, now, { nextRenewalAt: now });
    });
    return 'deferred';
  }
  // A timeout after sending (or our own failure after the call): the outcome is unknown until a lookup.
  // An earlier attempt still in flight at the provider (ProviderInFlightError) is the same case:
  // that attempt may yet commit, so this is neither a decline nor a reason to charge again. The
  // transition time is the anchor of the hold on "not found" lookups (see syncSubscriptionPayment).
  const inFlight = err instanceof ProviderInFlightError;
  if (!(err instanceof ProviderError)) ctx.logger.error({ payment_id: payment.id, err }, 'renewal charge failed unexpectedly');
  if (inFlight) ctx.logger.warn({ payment_id: payment.id, code }, 'renewal charge: an earlier attempt is still in flight at the provider; will look it up');
  await ctx.repo.transaction(async (repo) => {
    // Lock order: subscription, then payment.
    await repo.findSubscriptionByUserForUpdate(payment.userId);
    const moved = await repo.transitionPayment(payment.id, 'approving', 'unknown', now, { failureCode: code, failureMessage: message }, {
      type: inFlight ? 'attempt_in_flight' : 'outcome_unknown',
    });
    if (!moved) return;
    await repo.renewals().updateSubscription(payment.subscriptionId!, now, {
      nextRenewalAt: new Date(now.getTime() + ctx.settings.renewal.syncDelayMs),
    });
  });
  return 'unknown';
}

/**
 * Task: settles a renewal/upgrade/registration payment whose outcome is unknown by asking the
 * provider (order lookup; for a billing-key charge without a provider reference, the
 * provider's billing-key status or order-key search). Never charges. Approved → settled as
 * usual; declined → the attempt fails; not found → nothing was charged: a renewal payment goes
 * back to `ready` and is charged again by the next step, with the same idempotency key. For a
 * provider without charge idempotency (KakaoPay), "not found" counts only once the hold since
 * the last send is over (`notFoundHeldUntil`); before that the payment stays `unknown` and is
 * looked up again.
 */
export async function syncSubscriptionPayment(ctx: UseCaseContext, paymentId: string, now: Date): Promise<RenewalOutcome> {
  const payment = await ctx.repo.findPayment(paymentId);
  if (!payment || (payment.status !== 'unknown' && payment.status !== 'approving')) return 'skipped';
  const from = payment.status;
  const gateway = ctx.gateways.get(payment.provider);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  const sub = await ctx.repo.findSubscriptionByUser(payment.userId);
  const viaBillingKey = payment.checkoutRef === null;
  const later = (at: Date) => ctx.repo.renewals().updateSubscription(sub!.id, now, { nextRenewalAt: at });

  let result: PaymentResult;
  try {
    result = await gateway.getPayment({
      paymentId: payment.id,
      providerRef: payment.providerRef ?? payment.checkoutRef,
      billingKey: viaBillingKey ? (sub?.billingKey ?? null) : null,
      attemptedAt: payment.createdAt,
      expectedAmountKrw: payment.amountKrw,
    });
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') {
      const heldUntil = notFoundHeldUntil(ctx, gateway, payment, viaBillingKey, now);
      if (heldUntil) {
        ctx.logger.info({ payment_id: payment.id, held_until: heldUntil.toISOString() }, 'renewal lookup: not found yet; the charge may still commit');
        if (sub) await later(new Date(Math.min(now.getTime() + ctx.settings.renewal.syncDelayMs, heldUntil.getTime())));
        return 'unknown';
      }
      await notCharged(ctx, payment, from, now, err.providerCode);
      return 'not_charged';
    }
    if (err instanceof ProviderError) {
      ctx.logger.warn({ payment_id: payment.id, code: err.providerCode, err: err.name }, 'renewal lookup failed; will ask again');
      if (sub) await later(new Date(now.getTime() + ctx.settings.renewal.syncDelayMs));
      return 'unknown';
    }
    throw err;
  }
  switch (result.status) {
    case 'approved':
    case 'partially_refunded':
    case 'refunded':
      return settleResult(ctx, payment, from, result, now);
    case 'declined':
    case 'abandoned':
      if (payment.kind === 'renewal') {
        await recordRenewalDecline(ctx, payment.userId, payment.id, from, { code: `sync:${result.status}`, message: 'provider reports the charge failed', retryable: true }, now);
      } else {
        await ctx.repo.transitionPayment(payment.id, from, result.status, now, { failureCode: `sync:${result.status}` }, { type: 'sync' });
        if (sub) await later(now);
      }
      return 'declined';
    case 'pending':
    case 'authorized': {
      const heldUntil = notFoundHeldUntil(ctx, gateway, payment, viaBillingKey, now);
      if (heldUntil) {
        if (sub) await later(new Date(Math.min(now.getTime() + ctx.settings.renewal.syncDelayMs, heldUntil.getTime())));
        return 'unknown';
      }
      await notCharged(ctx, payment, from, now, result.status);
      return 'not_charged';
    }
  }
}

/**
 * docs/chaos.md, finding 2. A billing-key charge without idempotency key (KakaoPay) that timed
 * out, or met an earlier attempt still in flight, may commit at the provider later than our
 * lookup, which cannot see an uncommitted charge. Until `unknownChargeHoldMs` after the last
 * send, "not found" therefore proves nothing: returns when that hold ends, or null when the
 * lookup may be believed (hold over, an idempotent provider such as NaverPay, or a checkout
 * looked up by its tid). The anchor is the payment's last transition (approving → unknown,
 * written right after the send; a lease that ran out moves it later, never earlier).
 */
function notFoundHeldUntil(ctx: UseCaseContext, gateway: PaymentGateway, payment: Payment, viaBillingKey: boolean, now: Date): Date | null {
  if (!viaBillingKey || gateway.capabilities.idempotentCharge) return null;
  const until = new Date(payment.updatedAt.getTime() + ctx.settings.renewal.unknownChargeHoldMs);
  return now < until ? until : null;
}

async function notCharged(ctx: UseCaseContext, payment: Payment, from: PaymentStatus, now: Date, code: string): Promise<void> {
  await ctx.repo.transaction(async (repo) => {
    await repo.findSubscriptionByUserForUpdate(payment.userId);
    // A billing-key upgrade is not repeated on its own: the user asks again.
    const to = payment.kind === 'upgrade' && payment.checkoutRef === null ? 'declined' : 'ready';
    const moved = await repo.transitionPayment(payment.id, from, to, now, to === 'declined' ? { failureCode: 'not_charged' } : {}, {
      type: 'sync',
      data: { not_found: code },
    });
    if (moved && payment.subscriptionId) await repo.renewals().updateSubscription(payment.subscriptionId, now, { nextRenewalAt: now });
  });
}
