import { AppError, ProviderDeclinedError, ProviderError, ProviderUnavailableError } from '../domain/errors.ts';
import { newPaymentRecord } from '../domain/payment/new-payment.ts';
import type { PaymentResult, PreparedCheckout } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { Proration } from '../domain/subscription/proration.ts';
import { pricingInstant } from '../domain/quotes.ts';
import { planChangeKind, priceUpgrade, targetPriceAt, upgradeChargesKey } from './plan-change-pricing.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';
import { pricesOf, repriceToTerms, scopeOf, termsOf, writeNotice, type CalendarScope } from './renewal-transitions.ts';
import { settleSubscriptionPayment } from './settle-subscription-payment.ts';
import { insertUserCheckout } from './checkout-scope.ts';
import { prepareCheckoutAttempt } from './open-checkout-attempt.ts';
import { refusalError } from './refuse-approval.ts';

export interface ChangePlanInput {
  userId: string;
  planId: string;
  /** Provider for a checkout when no billing key can pay the upgrade (default: the subscription's). */
  method?: string;
  /**
   * The quote the user confirmed (`GET /api/subscription/change/quote`): the upgrade is priced at
   * its instant and must come to the amount shown (domain/quotes.ts). QUOTE_EXPIRED, QUOTE_CHANGED.
   */
  quote?: { quotedAt: Date; chargeKrw: number };
}

export type ChangePlanResult =
  /** Same plan, nothing scheduled: nothing to do. */
  | { change: 'unchanged' }
  /** A cheaper plan applies from the next renewal (its price is what the next charge asks). */
  | { change: 'downgrade_scheduled'; effectiveAt: Date }
  /** The plan chosen is the current one again: the scheduled downgrade is dropped. */
  | { change: 'downgrade_canceled' }
  /** The new plan applies now; `payment` is the prorated charge (absent when it came to 0 won). */
  | { change: 'upgraded'; proration: Proration; payment: Payment | null }
  /** The prorated charge timed out; it is looked up and the plan switches when it is confirmed. */
  | { change: 'pending'; proration: Proration; payment: Payment }
  /** No billing key: the user pays the prorated amount through this checkout, then it switches. */
  | { change: 'checkout_required'; proration: Proration; payment: Payment; checkout: PreparedCheckout };

type Prepared =
  | { kind: 'done'; result: ChangePlanResult }
  | { kind: 'charge'; payment: Payment; billingKey: string; proration: Proration }
  | { kind: 'checkout'; payment: Payment; proration: Proration };

/**
 * Changes the plan of a running subscription.
 *
 * - Upgrade (higher rank): takes effect at once. The prorated charge (`priceUpgrade`, the rule
 *   the quote uses too: credit for the unused rest of the current plan at the price agreed for
 *   it, the new plan at the price book's price) is made with the billing key and the plan
 *   switches in the transaction that settles it; without a billing key the user gets a
 *   checkout for that amount and the plan switches when it is approved.
 * - Downgrade (lower rank): recorded as the pending plan with its price on sale now
 *   (`pendingPriceKrw`); the next renewal charges it and switches (docs/pricing.md).
 * Repeating a call returns the same state (an upgrade already applied is `unchanged`).
 *
 * An upgrade payment is valid only for the period and plan it priced (recorded on the payment
 * as `priced*`): however it is paid (billing key, or a checkout with either provider), it
 * settles only if the subscription is still in that period on that plan; otherwise it is
 * cancelled at the provider, or never approved there, and refused with PLAN_CHANGE_STALE
 * (docs/checkout-rules.md, rule 1). Starting one replaces the user's earlier checkouts that
 * were not sent for approval (rule 2).
 */
export async function changePlan(ctx: UseCaseContext, input: ChangePlanInput): Promise<ChangePlanResult> {
  const target = ctx.plans.find(input.planId);
  if (!target) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${input.planId}`, { plan: input.planId });
  if (target.priceKrw === 0) {
    throw new AppError('PLAN_NOT_PURCHASABLE', '무료 플랜으로 바꾸려면 자동 갱신을 해지해 주세요.', { plan: target.id });
  }
  const now = ctx.clock.now();

  const prepared = await ctx.repo.transaction(async (repo): Promise<Prepared> => {
    const sub = await repo.findSubscriptionByUserForUpdate(input.userId);
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
    if (sub.status !== 'active' || !sub.currentPeriodEnd || sub.currentPeriodEnd <= now) {
      throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 중인 구독에서만 플랜을 변경할 수 있습니다.', { status: sub.status });
    }
    const current = ctx.plans.find(sub.planId);
    const sc = scopeOf(ctx, repo, now);
    const [cycle] = await sc.r.findOpenCycles([sub.id]);
    const book = await pricesOf(sc);
    // The price on sale now (docs/pricing.md); what the subscriber agreed for the current plan stays theirs.
    const targetPriceKrw = targetPriceAt(book, target, now);
    const moved = (s: Subscription | undefined) => {
      if (!s) throw new Error(`subscription ${sub.id} changed while locked`);
      return s;
    };

    // The same rule the quote uses (plan-change-pricing.ts).
    const kind = planChangeKind(ctx.plans, sub, target);
    if (kind === 'unchanged') return { kind: 'done', result: { change: 'unchanged' } };
    if (kind === 'downgrade_canceled' && sub.pendingPlanId) {
      // Back to the current plan at the price agreed for it: the downgrade's price goes with the downgrade.
      const after = await repo.transitionSubscription(sub.id, 'active', 'active', now, { pendingPlanId: null, pendingPriceKrw: null, nextRenewalAt: now }, {
        type: 'downgrade_canceled',
        data: { plan: target.id },
      });
      const back = moved(after);
      await repriceToTerms(sc, cycle, back);
      await writeNotice(sc, sub, 'plan_changed', {
        change: 'downgrade_canceled',
        fromPlanName: target.name,
        toPlanName: ctx.plans.find(sub.pendingPlanId)?.name ?? sub.pendingPlanId,
        effectiveAt: sub.currentPeriodEnd,
        chargedKrw: null,
        paymentId: null,
        renewalPriceKrw: await renewalPriceOf(sc, back, targetPriceKrw),
      }, `plan_changed:${sub.id}:${now.toISOString()}:keep:${target.id}`);
      return { kind: 'done', result: { change: 'downgrade_canceled' } };
    }

    if (kind === 'downgrade' && current) {
      if (sub.pendingPlanId !== target.id) {
        // Choosing the plan is agreeing to its price: the next renewal charges it. It is kept
        // apart from the current plan's agreed price, which applies again if the downgrade goes.
        const after = await repo.transitionSubscription(
          sub.id,
          'active',
          'active',
          now,
          { pendingPlanId: target.id, pendingPriceKrw: targetPriceKrw, nextRenewalAt: now },
          {
            type: 'downgrade_scheduled',
            data: { from_plan: sub.planId, to_plan: target.id, price_krw: targetPriceKrw, effective_at: sub.currentPeriodEnd.toISOString() },
          },
        );
        const down = moved(after);
        await repriceToTerms(sc, cycle, down);
        await writeNotice(sc, sub, 'plan_changed', {
          change: 'downgrade_scheduled',
          fromPlanName: current.name,
          toPlanName: target.name,
          effectiveAt: sub.currentPeriodEnd,
          chargedKrw: null,
          paymentId: null,
          renewalPriceKrw: await renewalPriceOf(sc, down, targetPriceKrw),
        }, `plan_changed:${sub.id}:${now.toISOString()}:to:${target.id}`);
      }
      return { kind: 'done', result: { change: 'downgrade_scheduled', effectiveAt: sub.currentPeriodEnd } };
    }

    const busy = (await sc.r.findOpenSubscriptionPayments([sub.id])).some((p) => p.status === 'approving' || p.status === 'unknown');
    if (busy) throw new AppError('PAYMENT_IN_PROGRESS', '진행 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.');
    // Quote and change price alike (plan-change-pricing.ts): credit at the agreed price, the new
    // plan at the price book's price at the pricing instant (docs/pricing.md).
    const proration = priceUpgrade(ctx.plans, book, sub, target, quotedInstant(input.quote, now));
    if (input.quote && proration.chargeKrw !== input.quote.chargeKrw) throw quoteChanged(input.quote.chargeKrw, proration.chargeKrw);
    if (proration.chargeKrw === 0) {
      const after = await repo.transitionSubscription(
        sub.id,
        'active',
        'active',
        now,
        { planId: target.id, pendingPlanId: null, pendingPriceKrw: null, agreedPriceKrw: proration.newPriceKrw, nextRenewalAt: now },
        { type: 'plan_upgraded', data: { from_plan: sub.planId, to_plan: target.id, charge_krw: 0 } },
      );
      const up = moved(after);
      await repriceToTerms(sc, cycle, up);
      await writeNotice(sc, sub, 'plan_changed', {
        change: 'upgraded',
        fromPlanName: current?.name ?? sub.planId,
        toPlanName: target.name,
        effectiveAt: now,
        chargedKrw: 0,
        paymentId: null,
        renewalPriceKrw: await renewalPriceOf(sc, up, proration.newPriceKrw),
      }, `plan_changed:${sub.id}:${now.toISOString()}:to:${target.id}`);
      return { kind: 'done', result: { change: 'upgraded', proration, payment: null } };
    }

    const useKey = upgradeChargesKey(sub, input.method);
    const provider = useKey ? sub.provider! : (input.method ?? sub.provider ?? '');
    const gateway = ctx.gateways.get(provider);
    if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${provider}`, { method: provider });
    const payment = await insertUserCheckout(
      repo,
      newPaymentRecord({
        id: ctx.ids.next('pay'),
        userId: sub.userId,
        subscriptionId: sub.id,
        provider: gateway.id,
        kind: 'upgrade',
        planId: target.id,
        amountKrw: proration.chargeKrw,
        status: useKey ? 'approving' : 'ready',
        recurring: false,
        periodStart: now,
        periodEnd: sub.currentPeriodEnd,
        createdAt: now,
        // What this price is for: approval refuses the payment if the subscription moved on.
        priced: { periodStart: sub.currentPeriodStart, periodEnd: sub.currentPeriodEnd, fromPlanId: sub.planId },
      }),
    );
    await repo.addPaymentEvent(payment.id, {
      type: 'proration',
      from: null,
      to: payment.status,
      at: now,
      data: { from_plan: sub.planId, to_plan: target.id, ...proration },
    });
    return useKey
      ? { kind: 'charge', payment, billingKey: sub.billingKey!, proration }
      : { kind: 'checkout', payment, proration };
  });

  if (prepared.kind === 'done') return prepared.result;
  return prepared.kind === 'charge' ? chargeUpgrade(ctx, prepared, now) : upgradeCheckout(ctx, prepared, target.name);
}

async function chargeUpgrade(ctx: UseCaseContext, p: { payment: Payment; billingKey: string; proration: Proration }, now: Date): Promise<ChangePlanResult> {
  const { payment, proration } = p;
  const gateway = ctx.gateways.get(payment.provider)!;
  const plan = ctx.plans.find(payment.planId)!;
  let result: PaymentResult;
  try {
    result = await gateway.chargeBillingKey({
      paymentId: payment.id,
      userRef: payment.userId,
      billingKey: p.billingKey,
      itemName: `ShowMeTheStock ${plan.name} 업그레이드 (남은 기간)`,
      amountKrw: payment.amountKrw,
      vatKrw: payment.vatKrw,
      idempotencyKey: `upgrade-${payment.id}`,
    });
  } catch (err) {
    const failure = { failureCode: failureCodeOf(err), failureMessage: err instanceof Error ? err.message : String(err) };
    if (err instanceof ProviderUnavailableError && err.outcomeUnknown) {
      // Asked again by the worker (lookup, never a second charge); the plan switches if it went through.
      await ctx.repo.transaction(async (repo) => {
        await repo.findSubscriptionByUserForUpdate(payment.userId);
        await repo.transitionPayment(payment.id, 'approving', 'unknown', now, failure, { type: 'outcome_unknown' });
        await repo.renewals().updateSubscription(payment.subscriptionId!, now, {
          nextRenewalAt: new Date(now.getTime() + ctx.settings.renewal.syncDelayMs),
        });
      });
      return { change: 'pending', proration, payment: (await ctx.repo.findPayment(payment.id))! };
    }
    await ctx.repo.transitionPayment(payment.id, 'approving', 'declined', now, failure, {
      type: err instanceof ProviderDeclinedError ? 'declined' : 'not_processed',
    });
    if (err instanceof ProviderError) throw toAppError(err);
    throw err;
  }
  if (result.amountKrw !== payment.amountKrw) {
    throw new AppError('AMOUNT_MISMATCH', '결제사가 승인한 금액이 주문 금액과 다릅니다.', { payment_id: payment.id });
  }
  const settled = await settleSubscriptionPayment(ctx, payment, 'approving', result, now);
  const refused = refusalError(settled);
  if (refused) throw refused;
  return { change: 'upgraded', proration, payment: settled };
}

async function upgradeCheckout(ctx: UseCaseContext, p: { payment: Payment; proration: Proration }, planName: string): Promise<ChangePlanResult> {
  const gateway = ctx.gateways.get(p.payment.provider)!;
  const { payment, checkout } = await prepareCheckoutAttempt(ctx, gateway, p.payment, `ShowMeTheStock ${planName} 업그레이드 (남은 기간)`);
  return { change: 'checkout_required', proration: p.proration, payment, checkout };
}

/** The instant a plan change is priced at: the confirmed quote's while it holds (domain/quotes.ts). */
function quotedInstant(quote: ChangePlanInput['quote'], now: Date): Date {
  const at = pricingInstant(quote?.quotedAt, now);
  if (at === 'expired') throw new AppError('QUOTE_EXPIRED', '안내한 금액의 유효 시간이 지났습니다. 금액을 다시 확인해 주세요.');
  return at;
}

function quoteChanged(quotedKrw: number, chargeKrw: number): AppError {
  return new AppError('QUOTE_CHANGED', '구독 상태가 바뀌어 결제 금액이 달라졌습니다. 금액을 다시 확인해 주세요.', { quoted_krw: quotedKrw, charge_krw: chargeKrw });
}

/** What the next renewal charges after the change, for its notice (the price in force if consent is still missing). */
async function renewalPriceOf(sc: CalendarScope, sub: Subscription, fallbackKrw: number): Promise<number> {
  const terms = await termsOf(sc, sub);
  return terms ? (terms.chargeKrw ?? terms.version.priceKrw) : fallbackKrw;
}
