import { AppError } from '../domain/errors.ts';
import { nextPaidPeriod } from '../domain/subscription/subscription-periods.ts';
import { PAID_STATUSES, type PaymentStatus } from '../domain/payment/payment-states.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { PaymentResult } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';
import { settleSubscriptionPayment } from './settle-subscription-payment.ts';
import { providerName, queueKeyRevocation, scopeOf } from './renewal-transitions.ts';
import { buildNotice } from './enqueue-notice.ts';
import { ApprovalRefused, refuseApproval } from './refuse-approval.ts';

/**
 * Why a checkout for `planId` may not be approved now: another plan is running (buying it is a
 * plan change, priced by `changePlan`). Null when it may.
 */
export function checkoutConflict(sub: Subscription | undefined, planId: string, now: Date): Record<string, unknown> | null {
  const running =
    sub && (sub.status === 'active' || sub.status === 'past_due') && sub.currentPeriodEnd !== null && sub.currentPeriodEnd > now;
  return running && sub.planId !== planId ? { current_plan: sub.planId, plan: planId } : null;
}

/** Thrown inside the settle transaction to roll it back when another writer settled first. */
class SettledElsewhere extends Error {}

/**
 * Records an approved payment and extends the subscription it pays for, in
 * one transaction. The subscription row is locked first, then the payment is
 * moved with compare-and-set; if that loses (someone else settled it), the
 * transaction rolls back, so a late duplicate can never extend the period
 * twice. `known` is the payment as the caller last read it (saves a query).
 *
 * A checkout for another plan than the one still running is not settled: it is cancelled at
 * the provider and returned declined (SUBSCRIPTION_STATE_CONFLICT; `refusalError` gives the
 * error to answer). The period paid follows `nextPaidPeriod` (docs/checkout-rules.md).
 */
export async function settleApproved(
  ctx: UseCaseContext,
  paymentId: string,
  from: PaymentStatus,
  result: PaymentResult,
  known?: Payment,
): Promise<Payment> {
  return (await settleApprovedWithSubscription(ctx, paymentId, from, result, known)).payment;
}

/**
 * `settleApproved`, also returning the subscription as the settlement wrote it (a checkout's),
 * so that the caller need not read it back. `subscription` is absent when this call wrote none.
 */
export async function settleApprovedWithSubscription(
  ctx: UseCaseContext,
  paymentId: string,
  from: PaymentStatus,
  result: PaymentResult,
  known?: Payment,
  /**
   * The user's subscription as the caller read it, with its row version (`xmin`): the settlement
   * then writes without reading it again under lock, the subscription's compare-and-set checking
   * the version instead; if the row changed since (or the read shows a conflict), it settles as
   * without it.
   */
  read?: { subscription: Subscription; version: string },
): Promise<{ payment: Payment; subscription?: Subscription }> {
  if (read) {
    try {
      return await settleCheckout(ctx, paymentId, from, result, known, read);
    } catch (err) {
      if (!(err instanceof StaleRead)) throw err;
    }
  }
  return settleCheckout(ctx, paymentId, from, result, known);
}

/** Thrown inside the settle transaction to roll it back when the subscription read beforehand is no longer current. */
class StaleRead extends Error {}

async function settleCheckout(
  ctx: UseCaseContext,
  paymentId: string,
  from: PaymentStatus,
  result: PaymentResult,
  known: Payment | undefined,
  read?: { subscription: Subscription; version: string },
): Promise<{ payment: Payment; subscription?: Subscription }> {
  const payment = known ?? (await ctx.repo.findPayment(paymentId));
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  if (PAID_STATUSES.includes(payment.status)) return { payment };
  // Renewal, upgrade and registration payments settle by the subscription calendar's rules.
  if (payment.kind !== 'checkout') return { payment: await settleSubscriptionPayment(ctx, payment, from, result) };
  const plan = ctx.plans.find(payment.planId);
  if (!plan) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${payment.planId}`);
  try {
    return await ctx.repo.transaction(async (repo) => {
      const now = ctx.clock.now();
      const sub = read ? read.subscription : await repo.findSubscriptionByUserForUpdate(payment.userId);
      const conflict = checkoutConflict(sub, plan.id, now);
      // A refusal cancels at the provider: decided on the locked row only.
      if (conflict && read) throw new StaleRead();
      if (conflict) throw new ApprovalRefused('SUBSCRIPTION_STATE_CONFLICT', conflict);
      // Extends a running period of the same plan from its end; during or soon after a grace
      // period, from where the paid period ended (the grace days are paid for).
      const period = nextPaidPeriod(sub ?? null, plan.id, now, ctx.plans.periodMs);
      const subscriptionId = sub?.id ?? ctx.ids.next('sub');
      // A new billing key replaces the old one; a one-off payment through another
      // provider cannot keep the old provider's key.
      const billing =
        payment.recurring && result.billingKey
          ? { billingKey: result.billingKey, autoRenew: true }
          : sub && sub.provider !== payment.provider
            ? { billingKey: null, autoRenew: false }
            : {};
      // The renewal worker plans the new period at its next tick; the price paid is the one agreed to.
      const renewal = { nextRenewalAt: now, graceUntil: null, agreedPriceKrw: payment.amountKrw };
      if (sub?.billingKey && 'billingKey' in billing && billing.billingKey !== sub.billingKey) {
        await queueKeyRevocation(scopeOf(ctx, repo, now), sub, 'replaced');
      }
      let written: Subscription;
      if (!sub) {
        written = await repo.insertSubscription({
          id: subscriptionId,
          userId: payment.userId,
          planId: plan.id,
          status: 'active',
          provider: payment.provider,
          billingKey: null,
          autoRenew: false,
          currentPeriodStart: period.subscriptionPeriodStart,
          currentPeriodEnd: period.subscriptionPeriodEnd,
          pendingPlanId: null,
          canceledAt: null,
          endedAt: null,
          createdAt: now,
          ...renewal,
          ...billing,
        });
      } else {
        const updated = await repo.transitionSubscription(
          sub.id,
          sub.status,
          'active',
          now,
          {
            planId: plan.id,
            provider: payment.provider,
            currentPeriodStart: period.subscriptionPeriodStart,
            currentPeriodEnd: period.subscriptionPeriodEnd,
            endedAt: null,
            canceledAt: null,
            ...renewal,
            ...billing,
          },
          { type: 'period_paid', data: { payment_id: payment.id, period_end: period.periodEnd.toISOString() } },
          sub,
          read?.version,
        );
        // Read beforehand: the row changed since (its version differs); read it again, locked.
        if (!updated && read) throw new StaleRead();
        // The row is locked, so its compare-and-set cannot lose.
        if (!updated) throw new Error(`subscription ${sub.id} changed while locked`);
        written = updated;
      }
      const autoRenewing = 'billingKey' in billing ? billing.autoRenew : !!(sub?.autoRenew && sub.billingKey);
      // The purchase notice is written by the payment's own statement, only if it moved.
      const notice = buildNotice(ctx, {
        kind: 'purchase_completed',
        userId: payment.userId,
        subscriptionId,
        data: {
          planName: plan.name,
          amountKrw: payment.amountKrw,
          paymentId: payment.id,
          providerName: providerName(payment.provider),
          periodStart: period.periodStart,
          periodEnd: period.periodEnd,
          nextChargeAt: autoRenewing ? period.subscriptionPeriodEnd : null,
        },
        dedupeKey: `purchase_completed:${payment.id}`,
      }, now);
      const approved = await repo.transitionPayment(
        payment.id,
        from,
        'approved',
        now,
        {
          subscriptionId,
          providerRef: result.providerRef,
          methodKind: result.methodKind,
          methodLabel: result.methodLabel,
          approvalNo: result.approvalNo ?? null,
          periodStart: period.periodStart,
          periodEnd: period.periodEnd,
          approvedAt: result.occurredAt,
          failureCode: null,
          failureMessage: null,
        },
        { type: 'approved', data: { provider: result.raw } },
        [notice],
      );
      if (!approved) throw new SettledElsewhere();
      return { payment: approved, subscription: written };
    });
  } catch (err) {
    if (err instanceof SettledElsewhere) return { payment: (await ctx.repo.findPayment(payment.id))! };
    // Rolled back: the payment is still `from`, held by this caller.
    if (err instanceof ApprovalRefused) return { payment: await refuseApproval(ctx, payment, from, result, err) };
    throw err;
  }
}

/**
 * The provider approved a different amount than we asked for. We never keep
 * such a payment: refund it in full at the provider, mark it declined, and
 * tell the caller. If the refund fails, the payment is left `unknown` with the
 * reason so that an operator sees it.
 */
export async function rejectAmountMismatch(
  ctx: UseCaseContext,
  payment: Payment,
  from: PaymentStatus,
  result: PaymentResult,
): Promise<never> {
  const gateway = ctx.gateways.get(payment.provider)!;
  const details = { expected_krw: payment.amountKrw, reported_krw: result.amountKrw, payment_id: payment.id };
  ctx.logger.error(details, 'provider reported a different amount; refunding');
  try {
    await gateway.refund({
      paymentId: payment.id,
      providerRef: result.providerRef,
      amountKrw: result.amountKrw,
      vatKrw: result.amountKrw === 0 ? result.amountKrw : (Math.round(result.amountKrw / 11) as typeof result.amountKrw),
      refundableBeforeKrw: result.refundableKrw,
      reason: 'amount mismatch',
      idempotencyKey: `mismatch-${payment.id}`,
    });
    await ctx.repo.transitionPayment(
      payment.id,
      from,
      'declined',
      ctx.clock.now(),
      { providerRef: result.providerRef, failureCode: 'AMOUNT_MISMATCH', failureMessage: 'reported amount differs; refunded' },
      { type: 'amount_mismatch', data: { ...details, provider: result.raw } },
    );
  } catch (err) {
    if (from !== 'unknown') {
      await ctx.repo.transitionPayment(
        payment.id,
        from,
        'unknown',
        ctx.clock.now(),
        { providerRef: result.providerRef, failureCode: 'AMOUNT_MISMATCH_REFUND_FAILED', failureMessage: String(err) },
        { type: 'amount_mismatch', data: details },
      );
    }
  }
  throw new AppError('AMOUNT_MISMATCH', '결제사가 승인한 금액이 주문 금액과 달라 결제를 취소했습니다.', details);
}
