import { AppError, ProviderError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import type { PreparedCheckout } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';
import { startUserCheckout } from './checkout-scope.ts';

export interface ResumeSubscriptionInput {
  userId: string;
  /** Provider for the new billing key (default: the subscription's). */
  method?: string;
}

export type ResumeSubscriptionResult =
  /** Auto-renewal is on (again, or already was). */
  | { resumed: true; subscription: Subscription }
  /** The old billing key was revoked: the user registers a new one through this 0-won checkout. */
  | { resumed: false; subscription: Subscription; payment: Payment; checkout: PreparedCheckout };

/**
 * Turns auto-renewal back on before the period ends. A revoked billing key cannot be used
 * again, so unless the subscription still holds one, this starts a registration checkout of 0
 * won (KakaoPay: subscription CID ready with total 0 → ISSUED_SID; NaverPay: recurrent
 * registration without a first charge). The existing approve endpoint completes it; its
 * settlement stores the new key and sets auto-renewal on. Idempotent when already on.
 */
export async function resumeSubscription(ctx: UseCaseContext, input: ResumeSubscriptionInput): Promise<ResumeSubscriptionResult> {
  const now = ctx.clock.now();
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
  if (sub.status !== 'active' || !sub.currentPeriodEnd || sub.currentPeriodEnd <= now) {
    throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 기간이 끝난 구독은 다시 결제해 주세요.', { status: sub.status });
  }
  if (sub.autoRenew && sub.billingKey) return { resumed: true, subscription: sub };
  if (sub.billingKey) {
    const moved = await ctx.repo.transitionSubscription(sub.id, 'active', 'active', now, { autoRenew: true, canceledAt: null, nextRenewalAt: now }, {
      type: 'auto_renew_on',
    });
    return { resumed: true, subscription: moved ?? (await ctx.repo.findSubscriptionByUser(input.userId))! };
  }

  const method = input.method ?? sub.provider ?? '';
  const gateway = ctx.gateways.get(method);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${method}`, { method });
  if (!gateway.capabilities.billingKey) {
    throw new AppError('UNKNOWN_PAYMENT_METHOD', '이 결제 수단은 자동 결제를 지원하지 않습니다.', { method });
  }
  const plan = ctx.plans.find(sub.planId);
  const record = {
    id: ctx.ids.next('pay'),
    userId: sub.userId,
    subscriptionId: sub.id,
    provider: gateway.id,
    kind: 'registration',
    planId: sub.planId,
    amountKrw: krw(0),
    vatKrw: krw(0),
    status: 'ready',
    recurring: true,
    checkoutRef: null,
    providerRef: null,
    methodKind: null,
    methodLabel: null,
    billingCycleId: null,
    periodStart: null,
    periodEnd: null,
    failureCode: null,
    failureMessage: null,
    expiresAt: null,
    approvedAt: null,
    createdAt: now,
  } as const;
  // One open checkout per user (docs/checkout-rules.md, rule 2).
  const payment = await startUserCheckout(ctx.repo, record, now);
  const returnBase = `${ctx.settings.publicUrl}/api/payment/${gateway.id}/return?payment_id=${encodeURIComponent(payment.id)}`;
  let checkout: PreparedCheckout;
  try {
    checkout = await gateway.prepareCheckout({
      paymentId: payment.id,
      userRef: sub.userId,
      itemName: `ShowMeTheStock ${plan?.name ?? sub.planId} 자동결제 등록`,
      amountKrw: krw(0),
      vatKrw: krw(0),
      returnUrl: returnBase,
      cancelUrl: `${returnBase}&outcome=cancel`,
      failUrl: `${returnBase}&outcome=fail`,
      recurring: true,
      idempotencyKey: `checkout-${payment.id}`,
    });
  } catch (err) {
    if (err instanceof ProviderError) {
      await ctx.repo.transitionPayment(payment.id, 'ready', 'declined', ctx.clock.now(), { failureCode: failureCodeOf(err), failureMessage: err.message });
    }
    throw toAppError(err);
  }
  const patch = { checkoutRef: checkout.providerRef, expiresAt: checkout.expiresAt };
  await ctx.repo.updatePayment(payment.id, ctx.clock.now(), patch);
  return { resumed: false, subscription: sub, payment: { ...payment, ...patch }, checkout };
}
