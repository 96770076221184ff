import { AppError } from '../domain/errors.ts';
import type { PaymentStatus } from '../domain/payment/payment-states.ts';
import type { PaymentResult } from '../domain/ports.ts';
import type { Payment } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';

/** Why an approved payment may not settle (docs/checkout-rules.md); also its `failure_code`. */
export type RefusalCode = 'PLAN_CHANGE_STALE' | 'SUBSCRIPTION_STATE_CONFLICT';

const MESSAGES: Record<RefusalCode, string> = {
  PLAN_CHANGE_STALE: '결제 금액을 계산한 뒤 구독 기간이나 플랜이 바뀌어 결제를 취소했습니다. 다시 시도해 주세요.',
  SUBSCRIPTION_STATE_CONFLICT: '이미 다른 플랜을 이용 중이어서 결제를 취소했습니다. 플랜 변경을 이용해 주세요.',
};

/**
 * Thrown inside a settle transaction (rolling it back) when the payment no longer fits the
 * subscription; the caller then refuses it with `refuseApproval`, outside the transaction.
 */
export class ApprovalRefused extends Error {
  constructor(readonly code: RefusalCode, readonly details: Record<string, unknown>) {
    super(code);
    this.name = 'ApprovalRefused';
  }
}

/** The error for a payment refused before or at settlement, or null if it was not refused that way. */
export function refusalError(p: Payment): AppError | null {
  const code = p.failureCode as RefusalCode | null;
  if (p.status !== 'declined' && p.status !== 'abandoned') return null;
  if (code !== 'PLAN_CHANGE_STALE' && code !== 'SUBSCRIPTION_STATE_CONFLICT') return null;
  return new AppError(code, MESSAGES[code], { payment_id: p.id });
}

/**
 * Refuses a checkout before it is sent for approval: `ready` → `abandoned` with the reason, so
 * the provider never approves it. Returns the error to throw.
 */
export async function refuseBeforeApproval(
  ctx: UseCaseContext,
  payment: Payment,
  code: RefusalCode,
  details: Record<string, unknown>,
): Promise<AppError> {
  await ctx.repo.transitionPayment(payment.id, 'ready', 'abandoned', ctx.clock.now(), { failureCode: code, failureMessage: MESSAGES[code] }, {
    type: 'refused',
    data: { code, ...details },
  });
  return new AppError(code, MESSAGES[code], { payment_id: payment.id, ...details });
}

/**
 * The provider approved a payment that no longer fits the subscription (`ApprovalRefused`):
 * it is cancelled in full at the provider and declined with the reason as its failure code.
 * If the cancel fails, the payment is left `unknown` with the reason, so that the next sync
 * asks again (the cancel reuses one idempotency key) and an operator sees it.
 */
export async function refuseApproval(
  ctx: UseCaseContext,
  payment: Payment,
  from: PaymentStatus,
  result: PaymentResult,
  refusal: ApprovalRefused,
): Promise<Payment> {
  const gateway = ctx.gateways.get(payment.provider)!;
  const data = { code: refusal.code, ...refusal.details, provider: result.raw };
  ctx.logger.warn({ payment_id: payment.id, code: refusal.code, ...refusal.details }, 'approved payment no longer fits the subscription; cancelling');
  try {
    await gateway.refund({
      paymentId: payment.id,
      providerRef: result.providerRef,
      amountKrw: result.amountKrw,
      vatKrw: payment.amountKrw === result.amountKrw ? payment.vatKrw : (Math.round(result.amountKrw / 11) as typeof result.amountKrw),
      refundableBeforeKrw: result.refundableKrw,
      reason: refusal.code,
      idempotencyKey: `refused-${payment.id}`,
    });
  } catch (err) {
    ctx.logger.error({ err, payment_id: payment.id }, 'cancelling a refused payment failed; left unknown');
    const patch = { providerRef: result.providerRef, failureCode: refusal.code, failureMessage: `cancel failed: ${String(err)}` };
    const moved = from === 'unknown' ? undefined : await ctx.repo.transitionPayment(payment.id, from, 'unknown', ctx.clock.now(), patch, { type: 'refused', data });
    return moved ?? (await ctx.repo.findPayment(payment.id))!;
  }
  const moved = await ctx.repo.transitionPayment(
    payment.id,
    from,
    'declined',
    ctx.clock.now(),
    { providerRef: result.providerRef, failureCode: refusal.code, failureMessage: MESSAGES[refusal.code] },
    { type: 'refused', data },
  );
  return moved ?? (await ctx.repo.findPayment(payment.id))!;
}
