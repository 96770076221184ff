import { AppError } from '../domain/errors.ts';
import { PAID_STATUSES, type PaymentStatus } from '../domain/payment/payment-states.ts';
import type { PaymentResult } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingCycle, RenewalSettlement } from '../domain/subscription/renewal-records.ts';
import { assertSubscriptionTransition } from '../domain/subscription/subscription-states.ts';
import { planChangeMismatch } from '../domain/subscription/subscription-periods.ts';
import type { UseCaseContext } from './context.ts';
import { ApprovalRefused, refuseApproval } from './refuse-approval.ts';
import { buildNotice } from './enqueue-notice.ts';
import {
  failAttempt,
  planName,
  pricesOf,
  providerName,
  queueKeyRevocation,
  repriceToTerms,
  scopeOf,
  termsOf,
  wakeForPeriodEnd,
  type AttemptFailure,
  type CalendarScope,
  writeNotice,
} from './renewal-transitions.ts';

/**
 * Settles an approved payment of kind renewal, upgrade or registration in one transaction.
 * Lock order as in `settleApproved`: the subscription row first, then the payment (every
 * writer that settles a subscription's payment holds the subscription lock, so the payment's
 * status read after it is current). Idempotent: a payment no longer in `from` is returned
 * unchanged, so a late duplicate cannot extend the period twice.
 *
 * - renewal: the cycle is paid and the subscription's period extends from its current end
 *   (not from today), switching to the cycle's plan (a scheduled downgrade applies here).
 * - upgrade: the plan switches now; the period is unchanged. Only if the subscription is still
 *   in the period and on the plan the upgrade was priced for (`planChangeMismatch`); otherwise
 *   the payment is cancelled at the provider and returned declined with failure code
 *   PLAN_CHANGE_STALE (docs/checkout-rules.md, rule 1). This holds for every way of paying it.
 * - registration (0 won): the new billing key is stored (and its provider), auto-renewal is
 *   on again, and a replaced key's revocation is queued (a payment-method change). A past_due
 *   subscription's failed renewal is due again at once.
 */
export async function settleSubscriptionPayment(
  ctx: UseCaseContext,
  known: Payment,
  from: PaymentStatus,
  result: PaymentResult,
  now: Date = ctx.clock.now(),
): Promise<Payment> {
  if (PAID_STATUSES.includes(known.status)) return known;
  try {
    return await ctx.repo.transaction(async (repo) => {
      const sub = await repo.findSubscriptionByUserForUpdate(known.userId);
      const payment = await repo.findPayment(known.id);
      if (!payment) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
      if (PAID_STATUSES.includes(payment.status) || payment.status !== from) return payment;
      if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
      return settleLocked(ctx, scopeOf(ctx, repo, now), sub, payment, from, result);
    });
  } catch (err) {
    // Rolled back: nothing was written; the payment is still `from` and only we hold it.
    if (err instanceof ApprovalRefused) return refuseApproval(ctx, known, from, result, err);
    throw err;
  }
}

async function settleLocked(
  ctx: UseCaseContext,
  sc: CalendarScope,
  sub: Subscription,
  payment: Payment,
  from: PaymentStatus,
  result: PaymentResult,
): Promise<Payment> {
  const { repo, now } = sc;
  const paid = {
    subscriptionId: sub.id,
    providerRef: result.providerRef,
    methodKind: result.methodKind,
    methodLabel: result.methodLabel,
    approvalNo: result.approvalNo ?? null,
    approvedAt: result.occurredAt,
    failureCode: null,
    failureMessage: null,
  };
  const approve = async (patch: { periodStart: Date | null; periodEnd: Date | null }, data: Record<string, unknown>) => {
    const approved = await repo.transitionPayment(payment.id, from, 'approved', now, { ...paid, ...patch }, {
      type: 'approved',
      data: { ...data, provider: result.raw },
    });
    if (!approved) throw new Error(`payment ${payment.id} changed while locked`);
    return approved;
  };

  if (payment.kind === 'renewal') {
    const cycle = payment.billingCycleId ? await sc.r.findCycle(payment.billingCycleId) : undefined;
    const { start, end, planId, pendingPlanId, nextRenewalAt } = renewalTerms(sc, sub, payment, cycle);
    const moved = await repo.transitionSubscription(
      sub.id,
      sub.status,
      'active',
      now,
      {
        planId,
        pendingPlanId,
        // The price just charged is the one agreed for the plan from now on.
        agreedPriceKrw: payment.amountKrw,
        ...(pendingPlanId === null ? { pendingPriceKrw: null } : {}),
        currentPeriodStart: start,
        currentPeriodEnd: end,
        graceUntil: null,
        endedAt: null,
        nextRenewalAt,
      },
      { type: 'renewed', data: { payment_id: payment.id, cycle_id: cycle?.id ?? null, period_end: end.toISOString() } },
    );
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    if (cycle && (cycle.status === 'scheduled' || cycle.status === 'retrying')) {
      await sc.r.transitionCycle(cycle.id, cycle.status, 'paid', now, { nextAttemptAt: null, failureCode: null });
    }
    await writeNotice(sc, sub, 'renewal_succeeded', renewalPaidData(ctx, payment, planId, start, end), `renewal_succeeded:${payment.id}`);
    return approve({ periodStart: start, periodEnd: end }, { cycle_id: cycle?.id ?? null });
  }

  if (payment.kind === 'upgrade') {
    const plan = ctx.plans.find(payment.planId);
    const mismatch = planChangeMismatch(payment, sub, now);
    if (mismatch) {
      // Priced for another period or plan (a renewal, another checkout or a plan change came first).
      throw new ApprovalRefused('PLAN_CHANGE_STALE', {
        mismatch,
        priced_period_end: (payment.pricedPeriodEnd ?? payment.periodEnd)?.toISOString() ?? null,
        current_period_end: sub.currentPeriodEnd?.toISOString() ?? null,
        priced_from_plan: payment.pricedFromPlanId,
        current_plan: sub.planId,
      });
    }
    // The upgraded plan's price when the upgrade was priced is the one agreed for it.
    const agreedPriceKrw = (await pricesOf(sc)).priceAt(payment.planId, payment.createdAt) ?? sub.agreedPriceKrw;
    const moved = await repo.transitionSubscription(
      sub.id,
      sub.status,
      sub.status,
      now,
      { planId: payment.planId, pendingPlanId: null, pendingPriceKrw: null, agreedPriceKrw, nextRenewalAt: now },
      { type: 'plan_upgraded', data: { payment_id: payment.id, from_plan: sub.planId, to_plan: payment.planId } },
    );
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    if (plan) {
      const [cycle] = await sc.r.findOpenCycles([sub.id]);
      await repriceToTerms(sc, cycle, moved);
    }
    const terms = await termsOf(sc, moved);
    await writeNotice(
      sc,
      sub,
      'plan_changed',
      {
        change: 'upgraded',
        fromPlanName: planName(ctx, sub.planId),
        toPlanName: planName(ctx, payment.planId),
        effectiveAt: now,
        chargedKrw: payment.amountKrw,
        paymentId: payment.id,
        renewalPriceKrw: terms?.chargeKrw ?? agreedPriceKrw ?? payment.amountKrw,
      },
      `plan_changed:${payment.id}`,
    );
    return approve({ periodStart: now, periodEnd: sub.currentPeriodEnd }, { from_plan: sub.planId });
  }

  if (payment.kind === 'registration') {
    const running =
      (sub.status === 'active' && sub.currentPeriodEnd !== null && sub.currentPeriodEnd > now) ||
      (sub.status === 'past_due' && sub.graceUntil !== null && sub.graceUntil > now);
    if (!result.billingKey || !running) {
      // Nothing to attach the key to any more: give it back.
      if (result.billingKey) {
        await queueKeyRevocation(sc, { id: sub.id, billingKey: result.billingKey, provider: payment.provider }, 'registration_unused');
      }
      return approve({ periodStart: null, periodEnd: null }, { applied: false });
    }
    // With auto-renewal on and a key already held, this is a payment-method change; otherwise a resume.
    const methodChange = sub.autoRenew && !!sub.billingKey;
    if (sub.billingKey && sub.billingKey !== result.billingKey) {
      const open = await sc.r.findOpenSubscriptionPayments([sub.id]);
      // A renewal charge sent with the old key may not have reached the provider yet: revoke after its lease.
      const charging = open.some((p) => p.id !== payment.id && (p.status === 'approving' || p.status === 'unknown'));
      const at = charging ? new Date(now.getTime() + ctx.settings.renewal.leaseMs) : now;
      await queueKeyRevocation({ ...sc, now: at }, sub, 'replaced');
    }
    const moved = await repo.transitionSubscription(
      sub.id,
      sub.status,
      sub.status,
      now,
      { billingKey: result.billingKey, provider: payment.provider, autoRenew: true, canceledAt: null, nextRenewalAt: now },
      methodChange
        ? { type: 'payment_method_changed', data: { payment_id: payment.id, from_provider: sub.provider, provider: payment.provider } }
        : { type: 'auto_renew_on', data: { payment_id: payment.id, provider: payment.provider } },
    );
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    if (!methodChange) await writeAutoRenewResumed(sc, moved);
    if (sub.status === 'past_due') {
      // The failed renewal is tried again at once on the new key (the worker looks now).
      for (const c of await sc.r.findOpenCycles([sub.id])) {
        if (c.failureCode !== 'price_consent_required' && (!c.nextAttemptAt || c.nextAttemptAt > now)) {
          await sc.r.updateCycle(c.id, now, { nextAttemptAt: now });
        }
      }
    }
    return approve({ periodStart: null, periodEnd: null }, { registration: true, method_change: methodChange });
  }
  throw new Error(`settleSubscriptionPayment: unexpected kind ${payment.kind}`);
}

/** Data of the `renewal_succeeded` notice. */
function renewalPaidData(ctx: UseCaseContext, payment: Payment, planId: string, start: Date, end: Date) {
  return {
    planName: planName(ctx, planId),
    amountKrw: payment.amountKrw,
    paymentId: payment.id,
    providerName: providerName(payment.provider),
    periodStart: start,
    periodEnd: end,
  };
}

/** The `auto_renew_resumed` notice: what the next renewal charges, and when. */
export async function writeAutoRenewResumed(sc: CalendarScope, sub: Subscription): Promise<void> {
  if (!sub.currentPeriodEnd) return;
  // What the renewal charges (renewal-terms.ts); a higher price still waiting for consent is
  // named at its price: the renewal notice asks for the consent before anything is charged.
  const terms = await termsOf(sc, sub);
  const planId = terms?.planId ?? sub.pendingPlanId ?? sub.planId;
  await writeNotice(
    sc,
    sub,
    'auto_renew_resumed',
    {
      planName: planName(sc.ctx, planId),
      amountKrw: terms ? (terms.chargeKrw ?? terms.version.priceKrw) : (sc.ctx.plans.find(planId)?.priceKrw ?? 0),
      nextChargeAt: sub.currentPeriodEnd,
      providerName: providerName(sub.provider),
    },
    `auto_renew_resumed:${sub.id}:${sc.now.toISOString()}`,
  );
}

/** The period a paid renewal gives: it extends from the current end (never from today). */
function renewalTerms(sc: CalendarScope, sub: Subscription, payment: Payment, cycle: BillingCycle | undefined) {
  const cycleStart = cycle?.periodStart ?? payment.periodStart ?? sc.now;
  const ended = sub.status === 'canceled' || sub.status === 'expired' || sub.status === 'pending';
  // A subscription that ended meanwhile (it cannot while the charge is in flight) starts over now.
  const start = ended ? sc.now : sub.currentPeriodEnd && sub.currentPeriodEnd > cycleStart ? sub.currentPeriodEnd : cycleStart;
  const end = new Date(start.getTime() + sc.ctx.plans.periodMs);
  const planId = cycle?.planId ?? payment.planId;
  return { start, end, planId, pendingPlanId: sub.pendingPlanId === planId ? null : sub.pendingPlanId, nextRenewalAt: wakeForPeriodEnd(sc, end) };
}

/**
 * Settles a batch of approved renewal charges in one transaction and one statement (the
 * worker's common path): subscriptions locked first, in id order, then each payment that is
 * still `approving` settles exactly as `settleSubscriptionPayment` would. If the batch fails,
 * each payment is settled on its own.
 */
export async function settleApprovedRenewals(
  ctx: UseCaseContext,
  items: readonly { payment: Payment; result: PaymentResult }[],
  now: Date,
): Promise<void> {
  if (items.length === 0) return;
  try {
    await ctx.repo.transaction(async (repo) => {
      const sc = scopeOf(ctx, repo, now);
      const subs = await sc.r.lockSubscriptionsOfUsers([...new Set(items.map((i) => i.payment.userId))]);
      const payments = new Map((await sc.r.findPayments(items.map((i) => i.payment.id))).map((p) => [p.id, p]));
      const cycleIds = items.map((i) => i.payment.billingCycleId).filter((id): id is string => id !== null);
      const cycles = new Map((await sc.r.findCycles(cycleIds)).map((c) => [c.id, c]));
      const byUser = new Map(subs.map((s) => [s.userId, s]));
      const rows: RenewalSettlement[] = [];
      for (const { payment: known, result } of items) {
        const payment = payments.get(known.id);
        const sub = byUser.get(known.userId);
        if (!payment || payment.status !== 'approving' || payment.kind !== 'renewal' || !sub) continue;
        const cycle = payment.billingCycleId ? cycles.get(payment.billingCycleId) : undefined;
        const t = renewalTerms(sc, sub, payment, cycle);
        assertSubscriptionTransition(sub.id, sub.status, 'active');
        rows.push({
          paymentId: payment.id,
          subscriptionId: sub.id,
          locked: sub,
          cycleId: cycle?.id ?? null,
          fromStatus: sub.status,
          planId: t.planId,
          pendingPlanId: t.pendingPlanId,
          agreedPriceKrw: payment.amountKrw,
          periodStart: t.start,
          periodEnd: t.end,
          nextRenewalAt: t.nextRenewalAt,
          providerRef: result.providerRef,
          methodKind: result.methodKind,
          methodLabel: result.methodLabel,
          approvalNo: result.approvalNo ?? null,
          approvedAt: result.occurredAt,
          raw: result.raw,
        });
      }
      const applied = new Set(await sc.r.applyRenewalSettlements(rows, now));
      const paid = rows.filter((row) => applied.has(row.paymentId));
      await sc.r.insertNotices(
        paid.map((row) => {
          const payment = payments.get(row.paymentId)!;
          return buildNotice(
            ctx,
            {
              kind: 'renewal_succeeded',
              userId: payment.userId,
              subscriptionId: row.subscriptionId,
              data: renewalPaidData(ctx, payment, row.planId, row.periodStart, row.periodEnd),
              dedupeKey: `renewal_succeeded:${payment.id}`,
            },
            now,
          );
        }),
      );
    });
  } catch (err) {
    ctx.logger.warn({ err }, 'batch settlement failed; settling one by one');
    for (const { payment, result } of items) {
      try {
        await settleSubscriptionPayment(ctx, payment, 'approving', result, now);
      } catch (e) {
        // Left approving: the lease runs out and a lookup settles it.
        ctx.logger.error({ err: e, payment_id: payment.id }, 'renewal settlement failed');
      }
    }
  }
}

/**
 * A renewal charge was declined (or its lookup said so): the payment is declined and the
 * cycle moves to its next attempt, in one transaction.
 */
export async function recordRenewalDecline(
  ctx: UseCaseContext,
  userId: string,
  paymentId: string,
  from: PaymentStatus,
  failure: AttemptFailure,
  now: Date,
): Promise<void> {
  await ctx.repo.transaction(async (repo) => {
    const sub = await repo.findSubscriptionByUserForUpdate(userId);
    const payment = await repo.findPayment(paymentId);
    if (!payment || payment.status !== from) return;
    const sc = scopeOf(ctx, repo, now);
    if (from !== 'declined') {
      await repo.transitionPayment(payment.id, from, 'declined', now, { failureCode: failure.code, failureMessage: failure.message }, {
        type: 'declined',
        data: { code: failure.code },
      });
    }
    if (!sub) return;
    if (payment.kind !== 'renewal') {
      await sc.r.updateSubscription(sub.id, now, { nextRenewalAt: now });
      return;
    }
    const cycle = payment.billingCycleId ? await sc.r.findCycle(payment.billingCycleId) : undefined;
    if (!cycle || (cycle.status !== 'scheduled' && cycle.status !== 'retrying') || (sub.status !== 'active' && sub.status !== 'past_due')) {
      await sc.r.updateSubscription(sub.id, now, { nextRenewalAt: now });
      return;
    }
    await failAttempt(sc, sub, cycle, failure);
  });
}
