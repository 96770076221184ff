import { AppError } from '../domain/errors.ts';
import type { PreparedCheckout } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { startKeyRegistration } from './start-key-registration.ts';
import { scopeOf } from './renewal-transitions.ts';
import { writeAutoRenewResumed } from './settle-subscription-payment.ts';

export interface ResumeSubscriptionInput {
  userId: string;
  /** Provider for the new billing key (default: the subscription's). */
  method?: string;
}

export type ResumeSubscriptionResult =
  /** Auto-renewal is on (again, or already was). */
  | { resumed: true; subscription: Subscription }
  /** The old billing key was revoked: the user registers a new one through this 0-won checkout. */
  | { resumed: false; subscription: Subscription; payment: Payment; checkout: PreparedCheckout };

/**
 * Turns auto-renewal back on before the period ends (자동 결제 다시 켜기). After 해지 예약 the
 * subscription keeps its billing key to the period end, so this is a plain update with no
 * provider call. Only without a key (a one-off purchase, or a key revoked) it starts a
 * registration checkout of 0 won (`startKeyRegistration`); the existing approve endpoint
 * completes it and its settlement stores the new key and sets auto-renewal on. Idempotent
 * when already on.
 */
export async function resumeSubscription(ctx: UseCaseContext, input: ResumeSubscriptionInput): Promise<ResumeSubscriptionResult> {
  const now = ctx.clock.now();
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
  if (sub.status !== 'active' || !sub.currentPeriodEnd || sub.currentPeriodEnd <= now) {
    throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 기간이 끝난 구독은 다시 결제해 주세요.', { status: sub.status });
  }
  if (sub.autoRenew && sub.billingKey) return { resumed: true, subscription: sub };
  if (sub.billingKey) {
    const moved = await ctx.repo.transaction(async (repo) => {
      const m = await repo.transitionSubscription(sub.id, 'active', 'active', now, { autoRenew: true, canceledAt: null, nextRenewalAt: now }, {
        type: 'auto_renew_on',
      });
      if (m) await writeAutoRenewResumed(scopeOf(ctx, repo, now), m);
      return m;
    });
    return { resumed: true, subscription: moved ?? (await ctx.repo.findSubscriptionByUser(input.userId))! };
  }

  const plan = ctx.plans.find(sub.planId);
  const { payment, checkout } = await startKeyRegistration(ctx, sub, {
    method: input.method ?? sub.provider ?? '',
    itemName: `ShowMeTheStock ${plan?.name ?? sub.planId} 자동결제 등록`,
  });
  return { resumed: false, subscription: sub, payment, checkout };
}
