import { AppError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import { newPaymentRecord } from '../domain/payment/new-payment.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { UseCaseContext } from './context.ts';
import { openCheckoutAttempt, type CheckoutAttempt } from './open-checkout-attempt.ts';

export interface KeyRegistrationInput {
  /** Provider that issues the new billing key. */
  method: string;
  /** What the provider's page shows. */
  itemName: string;
  /**
   * Runs in the transaction that inserts the payment, before it: re-checks the subscription
   * (lock it) and throws to refuse.
   */
  guard?: (repo: BillingRepository) => Promise<void>;
}

/**
 * Starts a 0-won registration checkout for a new billing key of `sub` (KakaoPay: subscription
 * CID ready with total 0 → ISSUED_SID; NaverPay: recurrent registration without a first
 * charge). The payment (kind `registration`) is inserted under "one open checkout per user";
 * the existing approve endpoint completes it and `settleSubscriptionPayment` attaches the key.
 * Used by resume (the key was revoked) and by a payment-method change.
 *
 * @throws AppError UNKNOWN_PAYMENT_METHOD, PAYMENT_IN_PROGRESS, provider errors (`toAppError`)
 */
export async function startKeyRegistration(
  ctx: UseCaseContext,
  sub: Subscription,
  input: KeyRegistrationInput,
): Promise<CheckoutAttempt> {
  const now = ctx.clock.now();
  const gateway = ctx.gateways.get(input.method);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${input.method}`, { method: input.method });
  if (!gateway.capabilities.billingKey) {
    throw new AppError('UNKNOWN_PAYMENT_METHOD', '이 결제 수단은 자동 결제를 지원하지 않습니다.', { method: input.method });
  }
  const record = newPaymentRecord({
    id: ctx.ids.next('pay'),
    userId: sub.userId,
    subscriptionId: sub.id,
    provider: gateway.id,
    kind: 'registration',
    planId: sub.planId,
    amountKrw: krw(0),
    status: 'ready',
    recurring: true,
    createdAt: now,
  });
  // One open checkout per user (docs/checkout-rules.md, rule 2).
  return openCheckoutAttempt(ctx, gateway, record, { itemName: input.itemName, before: input.guard });
}
