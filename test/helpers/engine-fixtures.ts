import type { Subscription } from '../../src/domain/records.ts';
import type { TestStack } from './test-stack.ts';

const DAY = 86_400_000;

/** A user with a subscription written through the billing repository (the path every use case takes). */
export async function subscribedUser(s: TestStack, planId = 'standard', periodDays = 40): Promise<{ userId: string; sub: Subscription }> {
  const { userId } = await s.signup();
  const now = s.services.ctx.clock.now();
  const sub = await s.services.ctx.repo.transaction((repo) =>
    repo.insertSubscription({
      id: s.services.ctx.ids.next('sub'),
      userId,
      planId,
      status: 'active',
      provider: 'kakaopay',
      billingKey: null,
      autoRenew: false,
      currentPeriodStart: now,
      currentPeriodEnd: new Date(now.getTime() + periodDays * DAY),
      pendingPlanId: null,
      canceledAt: null,
      endedAt: null,
      createdAt: now,
    }),
  );
  return { userId, sub };
}
