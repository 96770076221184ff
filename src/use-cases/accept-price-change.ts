import { AppError } from '../domain/errors.ts';
import type { Subscription } from '../domain/records.ts';
import { firstRenewalFrom, versionToConsent } from '../domain/subscription/renewal-terms.ts';
import type { UseCaseContext } from './context.ts';
import { planName, scopeOf, termsOf, writeNotice } from './renewal-transitions.ts';

/**
 * The subscriber consents to a higher price of the plan that renews next (their plan, or the
 * scheduled downgrade): the version the next renewal needs consent for, else an announced one
 * taking effect at a later renewal (docs/pricing.md). `priceKrw` must be that version's price,
 * so nobody consents to a price they were not shown. The consent applies from the version's
 * effective date; until then the agreed price is charged. A past_due subscription waiting for
 * this consent is charged at the worker's next step. Idempotent: consenting again, or to the
 * price the next renewal charges anyway, changes nothing.
 */
export async function acceptPriceChange(ctx: UseCaseContext, input: { userId: string; priceKrw: number }): Promise<{ subscription: Subscription; changed: boolean }> {
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await repo.findSubscriptionByUserForUpdate(input.userId);
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
    if (sub.status !== 'active' && sub.status !== 'past_due') {
      throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 중인 구독이 없습니다.', { status: sub.status });
    }
    const sc = scopeOf(ctx, repo, now);
    const terms = await termsOf(sc, sub);
    if (!terms) throw new AppError('UNKNOWN_PLAN', '플랜을 찾을 수 없습니다.');
    const target = versionToConsent(terms);
    if (!target) {
      const consented = sub.consentedPriceId ? sc.book!.find(sub.consentedPriceId) : undefined;
      if (input.priceKrw === terms.chargeKrw || input.priceKrw === consented?.priceKrw) return { subscription: sub, changed: false };
      throw new AppError('AMOUNT_MISMATCH', '동의하려는 금액이 현재 플랜 가격과 다릅니다.', { expected_krw: terms.chargeKrw, received_krw: input.priceKrw });
    }
    if (input.priceKrw !== target.priceKrw) {
      throw new AppError('AMOUNT_MISMATCH', '동의하려는 금액이 변경된 플랜 가격과 다릅니다.', { expected_krw: target.priceKrw, received_krw: input.priceKrw });
    }
    if (sub.status === 'past_due') {
      for (const c of await sc.r.findOpenCycles([sub.id])) {
        if (c.failureCode === 'price_consent_required') await sc.r.updateCycle(c.id, now, { nextAttemptAt: now });
      }
    }
    const moved = await repo.transitionSubscription(sub.id, sub.status, sub.status, now, { consentedPriceId: target.id, nextRenewalAt: now }, {
      type: 'price_consented',
      data: {
        plan: terms.planId,
        price_id: target.id,
        from_krw: terms.agreedKrw,
        to_krw: target.priceKrw,
        effective_at: target.effectiveAt.toISOString(),
      },
    });
    // The first charge at the consented price: now for a past_due renewal waiting for it, else the
    // next renewal, or the first one at or after a later version's effective date.
    const firstChargeAt = sub.status === 'past_due' ? now : firstRenewalFrom(terms.chargeAt, target.effectiveAt, ctx.plans.periodMs);
    await writeNotice(
      sc,
      sub,
      'price_consent_given',
      { planName: planName(ctx, terms.planId), priceKrw: target.priceKrw, nextChargeAt: firstChargeAt },
      `price_consent_given:${sub.id}:${target.id}`,
    );
    return { subscription: moved!, changed: true };
  });
}
