import { z } from 'zod';
import { AppError } from '../domain/errors.ts';
import type { UsageStore } from '../domain/payment/refund-store.ts';
import type { UseCaseContext } from './context.ts';
import { entitlementOf } from '../domain/engine/entitlements.ts';

/** A paid feature's name as the host application reports it, e.g. `auto_trading`. */
export const FeatureSchema = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/);

/**
 * Records that a user used a paid feature now. The host application calls this (with the
 * user's token, or an admin/host token naming the user); a usage after a payment's
 * approval rules out 청약철회 of that payment. Free users are refused (FORBIDDEN). Amounts are
 * not taken here: auto-trading amounts go through the reservations API, which counts them
 * against the monthly cap (docs/trading-engine.md).
 */
export async function recordUsage(
  ctx: UseCaseContext,
  usage: UsageStore,
  input: { userId: string; feature: string; recordedBy: string },
): Promise<{ userId: string; feature: string; occurredAt: Date }> {
  const user = await ctx.repo.findUserById(input.userId);
  if (!user) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  const occurredAt = ctx.clock.now();
  // Only a paid plan's use counts: a free user (or one whose plan lapsed) has no paid feature to use.
  const sub = await ctx.repo.findSubscriptionByUser(user.id);
  if (entitlementOf(user.id, sub, ctx.plans, occurredAt).plan === ctx.plans.freePlan.id) {
    throw new AppError('FORBIDDEN', '유료 플랜을 이용 중인 사용자만 사용 기록을 남길 수 있습니다.', { reason: 'no_paid_plan' });
  }
  await usage.recordUsage({ userId: user.id, feature: input.feature, occurredAt, recordedBy: input.recordedBy });
  return { userId: user.id, feature: input.feature, occurredAt };
}
