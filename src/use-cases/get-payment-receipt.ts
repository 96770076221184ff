import { AppError } from '../domain/errors.ts';
import type { Krw } from '../domain/money.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment } from '../domain/records.ts';
import type { BusinessInfo } from '../domain/business-info.ts';
import type { UseCaseContext } from './context.ts';
import { refundableKrw } from './refund-amounts.ts';
import type { RefundDeps } from './refund-deps.ts';
import { checkWithdrawal, type WithdrawalCheck } from './withdraw-subscription.ts';

export interface PaymentReceipt {
  payment: Payment;
  refunds: Refund[];
  /** What may still be refunded (in-flight refunds counted as spent). */
  refundableKrw: Krw;
  withdrawal: WithdrawalCheck;
  /** Who issued it: the merchant's business details (BUSINESS_*). */
  business: BusinessInfo;
}

/**
 * A payment with its refunds, 청약철회 status and the merchant's business details; the user's
 * own only (others: PAYMENT_NOT_FOUND). The page, and the PDF, show the card approval number
 * (`payment.approvalNo`), the VAT split of the payment and of each refund.
 */
export async function getPaymentReceipt(
  ctx: UseCaseContext,
  deps: RefundDeps,
  input: { userId: string; paymentId: string; isAdmin?: boolean },
): Promise<PaymentReceipt> {
  const payment = await ctx.repo.findPayment(input.paymentId);
  if (!payment || (payment.userId !== input.userId && !input.isAdmin)) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  const refunds = await deps.refunds.listRefundsByPayment(payment.id);
  return {
    payment,
    refunds,
    refundableKrw: refundableKrw(payment, refunds),
    withdrawal: await checkWithdrawal(ctx, deps, payment),
    business: ctx.settings.business,
  };
}
