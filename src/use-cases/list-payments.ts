import { AppError } from '../domain/errors.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';

export async function listPayments(
  ctx: UseCaseContext,
  input: { userId: string; limit: number; before?: Date },
): Promise<Payment[]> {
  return ctx.repo.listPaymentsByUser(input.userId, input.limit, input.before);
}

/** A payment of the given user; others' payments are reported as not found. */
export async function getOwnPayment(ctx: UseCaseContext, input: { userId: string; paymentId: string; isAdmin?: boolean }) {
  const p = await ctx.repo.findPayment(input.paymentId);
  if (!p || (p.userId !== input.userId && !input.isAdmin)) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  return p;
}
