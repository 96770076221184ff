import { AppError } from '../domain/errors.ts';
import { krw, type Krw } from '../domain/money.ts';
import { REFUNDABLE_STATUSES } from '../domain/payment/payment-states.ts';
import { refundVat } from '../domain/payment/refund-policy.ts';
import type { Refund, RefundKind } from '../domain/payment/refund-states.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { refundableKrw, sumKrw, sumVat, pendingOf } from './refund-amounts.ts';
import { gatewayOf, type RefundDeps } from './refund-deps.ts';

export interface RefundPaymentInput {
  paymentId: string;
  /** Omitted: everything still refundable (a full refund). */
  amountKrw?: number;
  reason: string;
  kind: RefundKind;
  /** User id of whoever asks (operator or subscriber). */
  requestedBy: string;
  /** When set, only this user's payment is found (others get PAYMENT_NOT_FOUND). */
  ownerId?: string;
  /** Runs in the reservation's transaction (an operator's refund writes its audit row here). */
  onReserved?: (tx: BillingRepository, payment: Payment, refund: Refund) => Promise<void>;
}

/** The payment is not there, or not this user's. */
export function notFound(): AppError {
  return new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
}

/** Step 1: reserve the amount and insert the refund row, in one transaction. */
export async function reserveRefund(ctx: UseCaseContext, deps: RefundDeps, input: RefundPaymentInput): Promise<Refund> {
  const reason = input.reason.trim();
  if (!reason) throw new AppError('VALIDATION_FAILED', '환불 사유를 입력해 주세요.', { field: 'reason' });
  if (input.amountKrw !== undefined && (!Number.isSafeInteger(input.amountKrw) || input.amountKrw <= 0)) {
    throw new AppError('VALIDATION_FAILED', '환불 금액은 1원 이상의 정수여야 합니다.', { field: 'amount_krw' });
  }
  return ctx.repo.transaction(async (tx) => {
    const payment = await tx.findPaymentForUpdate(input.paymentId);
    if (!payment || (input.ownerId !== undefined && payment.userId !== input.ownerId)) throw notFound();
    const amountKrw = await checkRefundable(ctx, tx, payment, input.amountKrw);
    const refund = await insertReservedRefund(ctx, tx, payment, { ...input, reason, amountKrw });
    await input.onReserved?.(tx, payment, refund);
    return refund;
  });
}

/**
 * Checks that `requested` (or everything left) may be refunded now, with the payment row
 * locked by the caller; returns the amount to reserve.
 */
export async function checkRefundable(ctx: UseCaseContext, tx: BillingRepository, payment: Payment, requested: number | undefined): Promise<Krw> {
  if (!REFUNDABLE_STATUSES.includes(payment.status) || !payment.providerRef) {
    throw new AppError('NOT_REFUNDABLE', payment.status === 'refunded' ? '이미 전액 환불된 결제입니다.' : '환불할 수 없는 결제입니다.', {
      payment_id: payment.id,
      status: payment.status,
    });
  }
  const gateway = gatewayOf(ctx, payment);
  const refunds = await tx.refunds().listRefundsByPayment(payment.id);
  if (refunds.some((r) => r.status === 'unknown')) {
    throw new AppError('PAYMENT_IN_PROGRESS', '이전 환불의 결과를 결제사에 확인하고 있습니다. 잠시 후 다시 시도해 주세요.', {
      payment_id: payment.id,
    });
  }
  const left = refundableKrw(payment, refunds);
  const amount = requested ?? left;
  if (amount <= 0 || amount > left) {
    throw new AppError('REFUND_EXCEEDS_REMAINING', `환불 가능 금액(${left.toLocaleString('ko-KR')}원)을 초과했습니다.`, {
      payment_id: payment.id,
      requested_krw: requested ?? null,
      refundable_krw: left,
      refunded_krw: payment.refundedKrw,
      pending_krw: sumKrw(pendingOf(refunds)),
    });
  }
  if (amount < payment.amountKrw - payment.refundedKrw && !gateway.capabilities.partialRefund) {
    throw new AppError('NOT_REFUNDABLE', '이 결제 수단은 부분 환불을 지원하지 않습니다.', { payment_id: payment.id, provider: payment.provider });
  }
  return krw(amount);
}

/** Inserts a `requested` refund with its provisional VAT (computed again before the call). */
export async function insertReservedRefund(
  ctx: UseCaseContext,
  tx: BillingRepository,
  payment: Payment,
  r: { amountKrw: Krw; reason: string; kind: RefundKind; requestedBy: string },
): Promise<Refund> {
  const refunds = await tx.refunds().listRefundsByPayment(payment.id);
  const held = refunds.filter((x) => x.status !== 'failed');
  const vatKrw = refundVat({
    amountKrw: r.amountKrw,
    refundableBeforeKrw: krw(payment.amountKrw - sumKrw(held)),
    paymentVatKrw: payment.vatKrw,
    vatRefundedKrw: sumVat(held),
  });
  const now = ctx.clock.now();
  const refund = await tx.refunds().insertRefund({
    id: ctx.ids.next('ref'),
    paymentId: payment.id,
    kind: r.kind,
    amountKrw: r.amountKrw,
    vatKrw,
    reason: r.reason.slice(0, 500),
    requestedBy: r.requestedBy,
    createdAt: now,
  });
  await tx.addPaymentEvent(payment.id, {
    type: 'refund_requested',
    from: payment.status,
    to: payment.status,
    data: { refund_id: refund.id, amount_krw: refund.amountKrw, kind: refund.kind, requested_by: refund.requestedBy },
    at: now,
  });
  return refund;
}
