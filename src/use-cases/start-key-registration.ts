import { AppError, ProviderError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import type { PreparedCheckout } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { UseCaseContext } from './context.ts';
import { insertUserCheckout } from './checkout-scope.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';

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
): Promise<{ payment: Payment; checkout: PreparedCheckout }> {
  const now = ctx.clock.now();
  const gateway = ctx.gateways.get(input.method);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${input.method}`, { method: input.method });
  if (!gateway.capabilities.billingKey) {
    throw new AppError('UNKNOWN_PAYMENT_METHOD', '이 결제 수단은 자동 결제를 지원하지 않습니다.', { method: input.method });
  }
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
  const payment = await ctx.repo.transaction(async (repo) => {
    await input.guard?.(repo);
    return insertUserCheckout(repo, record, now);
  });
  const returnBase = `${ctx.settings.publicUrl}/api/payment/${gateway.id}/return?payment_id=${encodeURIComponent(payment.id)}`;
  let checkout: PreparedCheckout;
  try {
    checkout = await gateway.prepareCheckout({
      paymentId: payment.id,
      userRef: sub.userId,
      itemName: input.itemName,
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
  return { payment: { ...payment, ...patch }, checkout };
}
