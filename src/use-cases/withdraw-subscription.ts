import { AppError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import { PAID_STATUSES } from '../domain/payment/payment-states.ts';
import { withdrawalDeadline, withdrawalRefusal, type WithdrawalRefusal } from '../domain/payment/refund-policy.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { refundPayment } from './refund-payment.ts';
import type { RefundDeps } from './refund-deps.ts';
import type { RefundPaymentResult } from './refund-outcomes.ts';

export interface WithdrawalCheck {
  allowed: boolean;
  /** Null when allowed. */
  reason: WithdrawalRefusal | null;
  /** End of the 청약철회 window (approval + N days), or null for an unpaid payment. */
  deadline: Date | null;
  /** The usage that made it impossible, if any. */
  usedAt: Date | null;
  usedFeature: string | null;
}

const MESSAGES: Record<WithdrawalRefusal, string> = {
  withdrawal_period_over: '결제 후 7일이 지나 청약철회를 할 수 없습니다. 중도 해지(미사용 기간 환불)를 이용해 주세요.',
  features_used: '결제 후 유료 기능을 이용하여 청약철회를 할 수 없습니다. 중도 해지(미사용 기간 환불)를 이용해 주세요.',
  not_paid: '결제가 완료되지 않아 청약철회를 할 수 없습니다.',
  nothing_left: '이미 전액 환불된 결제입니다.',
};

/** Whether the payment may be withdrawn now (used by the receipt and the withdrawal). */
export async function checkWithdrawal(ctx: UseCaseContext, deps: RefundDeps, payment: Payment): Promise<WithdrawalCheck> {
  const paid = PAID_STATUSES.includes(payment.status);
  const approvedAt = paid ? payment.approvedAt : null;
  const usage = approvedAt ? await deps.usage.lastUsageSince(payment.userId, approvedAt) : undefined;
  const reason = withdrawalRefusal({
    approvedAt,
    now: ctx.clock.now(),
    withdrawalDays: deps.settings.withdrawalDays,
    usedSinceApproval: usage !== undefined,
    refundableKrw: krw(Math.max(0, payment.amountKrw - payment.refundedKrw)),
  });
  return {
    allowed: reason === null,
    reason,
    deadline: approvedAt ? withdrawalDeadline(approvedAt, deps.settings.withdrawalDays) : null,
    usedAt: usage?.occurredAt ?? null,
    usedFeature: usage?.feature ?? null,
  };
}

/**
 * 청약철회: the subscriber takes a payment back in full, allowed within `withdrawalDays`
 * (7) days of approval when no paid-feature usage was recorded since the approval
 * (`POST /api/usage`). Refunds what is left on the payment; the full refund ends the
 * period it paid for (see `refundPayment`). Other users' payments are PAYMENT_NOT_FOUND;
 * refusals are NOT_REFUNDABLE with `details.reason`.
 */
export async function withdrawPayment(
  ctx: UseCaseContext,
  deps: RefundDeps,
  input: { userId: string; paymentId: string },
): Promise<RefundPaymentResult> {
  const payment = await ctx.repo.findPayment(input.paymentId);
  if (!payment || payment.userId !== input.userId) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  const check = await checkWithdrawal(ctx, deps, payment);
  if (!check.allowed) {
    throw new AppError('NOT_REFUNDABLE', MESSAGES[check.reason!], {
      payment_id: payment.id,
      reason: check.reason,
      deadline: check.deadline?.toISOString() ?? null,
      used_at: check.usedAt?.toISOString() ?? null,
      used_feature: check.usedFeature,
      alternative: check.reason === 'withdrawal_period_over' || check.reason === 'features_used' ? 'POST /api/subscription/cancel-now' : null,
    });
  }
  return refundPayment(ctx, deps, {
    paymentId: payment.id,
    reason: `청약철회 (결제 후 ${deps.settings.withdrawalDays}일 이내, 미사용)`,
    kind: 'withdrawal',
    requestedBy: input.userId,
    ownerId: input.userId,
  });
}
