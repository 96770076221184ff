import { z } from 'zod';
import { AppError } from '../domain/errors.ts';
import type { UsageStore } from '../domain/payment/refund-store.ts';
import type { UseCaseContext } from './context.ts';

/** A paid feature's name as the host application reports it, e.g. `auto_trading`. */
export const FeatureSchema = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/);

/**
 * Records that a user used a paid feature now. The host application calls this (with the
 * user's token, or an admin/host token naming the user); a usage after a payment's
 * approval rules out 청약철회 of that payment.
 */
export async function recordUsage(
  ctx: UseCaseContext,
  usage: UsageStore,
  input: { userId: string; feature: string; recordedBy: string },
): Promise<{ userId: string; feature: string; occurredAt: Date }> {
  const user = await ctx.repo.findUserById(input.userId);
  if (!user) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  const occurredAt = ctx.clock.now();
  await usage.recordUsage({ userId: user.id, feature: input.feature, occurredAt, recordedBy: input.recordedBy });
  return { userId: user.id, feature: input.feature, occurredAt };
}
