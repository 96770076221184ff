import { AppError } from '../domain/errors.ts';
import type { Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { scopeOf, writeNotice } from './renewal-transitions.ts';

/**
 * The subscriber consents to the configured price of the plan that renews next (their plan,
 * or the scheduled downgrade). `priceKrw` must be that price, so nobody consents to a price
 * they were not shown. A past_due subscription waiting for this consent is charged at the
 * worker's next step. Idempotent: consenting again (or to a price not above the agreed one)
 * changes nothing.
 */
export async function acceptPriceChange(ctx: UseCaseContext, input: { userId: string; priceKrw: number }): Promise<{ subscription: Subscription; changed: boolean }> {
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await repo.findSubscriptionByUserForUpdate(input.userId);
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
    if (sub.status !== 'active' && sub.status !== 'past_due') {
      throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 중인 구독이 없습니다.', { status: sub.status });
    }
    const plan = ctx.plans.find(sub.pendingPlanId ?? sub.planId);
    if (!plan) throw new AppError('UNKNOWN_PLAN', '플랜을 찾을 수 없습니다.');
    if (input.priceKrw !== plan.priceKrw) {
      throw new AppError('AMOUNT_MISMATCH', '동의하려는 금액이 현재 플랜 가격과 다릅니다.', { expected_krw: plan.priceKrw, received_krw: input.priceKrw });
    }
    if (sub.agreedPriceKrw !== null && sub.agreedPriceKrw >= plan.priceKrw) return { subscription: sub, changed: false };
    const sc = scopeOf(ctx, repo, now);
    if (sub.status === 'past_due') {
      for (const c of await sc.r.findOpenCycles([sub.id])) {
        if (c.failureCode === 'price_consent_required') await sc.r.updateCycle(c.id, now, { nextAttemptAt: now });
      }
    }
    const moved = await repo.transitionSubscription(sub.id, sub.status, sub.status, now, { agreedPriceKrw: plan.priceKrw, nextRenewalAt: now }, {
      type: 'price_consented',
      data: { plan: plan.id, from_krw: sub.agreedPriceKrw, to_krw: plan.priceKrw },
    });
    await writeNotice(sc, sub, 'price_consent_given', { planName: plan.name, priceKrw: plan.priceKrw, nextChargeAt: sub.status === 'past_due' ? now : sub.currentPeriodEnd }, `price_consent_given:${sub.id}:${plan.id}:${plan.priceKrw}`);
    return { subscription: moved!, changed: true };
  });
}
