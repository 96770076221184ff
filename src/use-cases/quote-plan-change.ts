import { AppError } from '../domain/errors.ts';
import { krw, type Krw } from '../domain/money.ts';
import type { Plan } from '../domain/plans.ts';
import { quoteStamp, type QuoteStamp } from '../domain/quotes.ts';
import type { Proration } from '../domain/subscription/proration.ts';
import type { UseCaseContext } from './context.ts';
import { planChangeKind, priceUpgrade, renewalPriceAfter, upgradeChargesKey, type PlanChangeKind } from './plan-change-pricing.ts';
import { loadPriceBook } from './price-book.ts';

export interface PlanChangeQuote extends QuoteStamp {
  kind: PlanChangeKind;
  plan: Plan;
  fromPlan: Plan;
  /** Upgrade: the prorated lines; null otherwise (nothing is charged now). */
  proration: Proration | null;
  /** What is charged now (0 unless an upgrade). */
  chargeKrw: Krw;
  /** When the plan applies: now for an upgrade, the period end for a downgrade. */
  effectiveAt: Date;
  periodEnd: Date;
  /** What the next renewal charges after the change (price book, domain/subscription/renewal-terms.ts). */
  nextChargeKrw: Krw;
  /** Upgrade only: paid at once with the registered billing key, or through a checkout. */
  paysWith: 'billing_key' | 'checkout' | null;
  provider: string | null;
}

/**
 * What changing the plan to `planId` would do now, computed with the rule `changePlan` applies
 * (`priceUpgrade`, the test clock honoured). Writes nothing. The change, given this quote, is
 * priced at the quote's instant (domain/quotes.ts), so the charge equals `chargeKrw`.
 *
 * @throws AppError UNKNOWN_PLAN, PLAN_NOT_PURCHASABLE, SUBSCRIPTION_NOT_FOUND, SUBSCRIPTION_STATE_CONFLICT
 */
export async function quotePlanChange(ctx: UseCaseContext, input: { userId: string; planId: string; method?: string }): Promise<PlanChangeQuote> {
  const target = ctx.plans.find(input.planId);
  if (!target) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${input.planId}`, { plan: input.planId });
  if (target.priceKrw === 0) {
    throw new AppError('PLAN_NOT_PURCHASABLE', '무료 플랜으로 바꾸려면 자동 갱신을 해지해 주세요.', { plan: target.id });
  }
  const now = ctx.clock.now();
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
  if (sub.status !== 'active' || !sub.currentPeriodEnd || sub.currentPeriodEnd <= now) {
    throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 중인 구독에서만 플랜을 변경할 수 있습니다.', { status: sub.status });
  }
  const fromPlan = ctx.plans.find(sub.planId) ?? ctx.plans.freePlan;
  const kind = planChangeKind(ctx.plans, sub, target);
  const stamp = quoteStamp(now);
  const book = await loadPriceBook(ctx);
  const nextChargeKrw = renewalPriceAfter(ctx.plans, book, sub, target, now);
  if (kind !== 'upgrade') {
    return {
      ...stamp,
      kind,
      plan: target,
      fromPlan,
      proration: null,
      chargeKrw: krw(0),
      effectiveAt: kind === 'downgrade' ? sub.currentPeriodEnd : now,
      periodEnd: sub.currentPeriodEnd,
      nextChargeKrw,
      paysWith: null,
      provider: sub.provider,
    };
  }
  const proration = priceUpgrade(ctx.plans, book, sub, target, now);
  // The same choice changePlan makes.
  const useKey = upgradeChargesKey(sub, input.method);
  return {
    ...stamp,
    kind,
    plan: target,
    fromPlan,
    proration,
    chargeKrw: proration.chargeKrw,
    effectiveAt: now,
    periodEnd: sub.currentPeriodEnd,
    nextChargeKrw,
    paysWith: proration.chargeKrw === 0 ? null : useKey ? 'billing_key' : 'checkout',
    provider: useKey ? sub.provider : (input.method ?? sub.provider),
  };
}
