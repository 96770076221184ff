import { ProviderDeclinedError, ProviderError, ProviderInFlightError, ProviderUnavailableError, AppError } from '../domain/errors.ts';
import type { PaymentStatus } from '../domain/payment/payment-states.ts';
import type { PaymentResult } from '../domain/ports.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf } from './provider-errors.ts';
import { rejectAmountMismatch } from './settle-payment.ts';
import { recordRenewalDecline, settleApprovedRenewals, settleSubscriptionPayment } from './settle-subscription-payment.ts';
import type { RenewalOutcome } from './renewal-tasks.ts';
import { deferAttempt, scopeOf } from './renewal-transitions.ts';

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

/** Settles a provider's answer for a subscription payment (a charge's, or a lookup's in sync-subscription-payment.ts). */
export async function settleResult(ctx: UseCaseContext, payment: Payment, from: PaymentStatus, result: PaymentResult, now: Date): Promise<RenewalOutcome> {
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
