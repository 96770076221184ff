import { AppError } from '../domain/errors.ts';
import type { RateLimitHit } from '../domain/repositories.ts';
import { rateLimited } from './rate-limited.ts';
import { newPaymentRecord } from '../domain/payment/new-payment.ts';
import type { UseCaseContext } from './context.ts';
import { openCheckoutAttempt, type CheckoutAttempt } from './open-checkout-attempt.ts';
import { requireCurrentConsents } from './consent-check.ts';
import { subscriptionWithPriceBook } from './price-book.ts';

export interface StartCheckoutInput {
  userId: string;
  method: string;
  planId: string;
  /** An amount the browser sent, if any. Only compared, never used. */
  clientAmountKrw?: number;
  /** Ask for a billing key so renewals charge without the user (default true). */
  autoRenew: boolean;
  /**
   * Version id of the 주문 내용 확인 및 결제 동의 text (`order`) the user agreed to on the checkout
   * page; required, stored with the payment attempt.
   */
  orderConsentVersion?: string;
  /**
   * The checkout-start rate limit (docs/web-security.md), counted by this use case's first
   * statement: `max` hits of `hit.key` per window; one more is RATE_LIMITED.
   */
  rateLimit?: { hit: RateLimitHit; max: number };
}

export type StartCheckoutResult = CheckoutAttempt;

/**
 * Creates a payment attempt for a plan at its configured price, commits it,
 * then asks the provider to prepare the checkout (never holding a transaction
 * across the HTTP call). It replaces the user's earlier checkouts not yet sent for
 * approval, and is refused while one is being approved (`insertUserCheckout`).
 * The period it pays for is decided when it is approved (`nextPaidPeriod`).
 *
 * The user's 주문 내용 확인 및 결제 동의 (terms version and time) is stored in the same transaction
 * as the attempt (`consents`, with its payment id); without it nothing is written.
 *
 * @throws AppError RATE_LIMITED, UNKNOWN_PLAN, PLAN_NOT_PURCHASABLE, AMOUNT_MISMATCH, UNKNOWN_PAYMENT_METHOD,
 *   SUBSCRIPTION_STATE_CONFLICT, CONSENT_REQUIRED, CONSENT_OUTDATED, PAYMENT_IN_PROGRESS, provider errors
 */
export async function startCheckout(ctx: UseCaseContext, input: StartCheckoutInput): Promise<StartCheckoutResult> {
  // The user's subscription and the prices (docs/pricing.md: versioned prices), read with the rate-limit count.
  const { subscription: current, book, count } = await subscriptionWithPriceBook(ctx, input.userId, input.rateLimit?.hit);
  if (input.rateLimit && count && count.hits > input.rateLimit.max) {
    throw rateLimited(count.windowEndsAt.getTime() - input.rateLimit.hit.now.getTime());
  }
  const plan = ctx.plans.find(input.planId);
  if (!plan) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${input.planId}`, { plan: input.planId });
  if (plan.priceKrw === 0) throw new AppError('PLAN_NOT_PURCHASABLE', '무료 플랜은 결제할 수 없습니다.', { plan: plan.id });
  // The price on sale now.
  const priceKrw = book.priceAt(plan.id, ctx.clock.now()) ?? plan.priceKrw;
  if (input.clientAmountKrw !== undefined && input.clientAmountKrw !== priceKrw) {
    throw new AppError('AMOUNT_MISMATCH', '요청한 금액이 플랜 가격과 다릅니다.', {
      plan: plan.id,
      expected_krw: priceKrw,
      received_krw: input.clientAmountKrw,
    });
  }
  const gateway = ctx.gateways.get(input.method);
  if (!gateway) {
    throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${input.method}`, {
      method: input.method,
      supported: ctx.gateways.list().map((g) => g.id),
    });
  }
  const now = ctx.clock.now();
  const running =
    current &&
    (current.status === 'active' || current.status === 'past_due') &&
    current.currentPeriodEnd !== null &&
    current.currentPeriodEnd > now;
  if (running && current.planId !== plan.id) {
    throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이미 다른 플랜을 이용 중입니다. 플랜 변경을 이용해 주세요.', {
      current_plan: current.planId,
    });
  }

  const paymentId = ctx.ids.next('pay');
  const consents = requireCurrentConsents({ order: input.orderConsentVersion }, ['order'], {
    userId: input.userId,
    agreedAt: now,
    paymentId,
    ids: ctx.ids,
  });

  const record = newPaymentRecord({
    id: paymentId,
    userId: input.userId,
    subscriptionId: current?.id ?? null,
    provider: gateway.id,
    kind: 'checkout',
    planId: plan.id,
    amountKrw: priceKrw,
    status: 'ready',
    recurring: input.autoRenew && gateway.capabilities.billingKey,
    createdAt: now,
  });
  return openCheckoutAttempt(ctx, gateway, record, {
    itemName: `ShowMeTheStock ${plan.name} (${ctx.plans.periodDays}일)`,
    consents,
  });
}
