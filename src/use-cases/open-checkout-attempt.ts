import { ProviderError } from '../domain/errors.ts';
import type { PaymentGateway, PreparedCheckout } from '../domain/ports.ts';
import type { Payment } from '../domain/records.ts';
import type { Consent } from '../domain/legal/legal-documents.ts';
import type { BillingRepository, NewPaymentRecord } from '../domain/repositories.ts';
import type { UseCaseContext } from './context.ts';
import { insertUserCheckout } from './checkout-scope.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';

export interface CheckoutAttempt {
  payment: Payment;
  checkout: PreparedCheckout;
}

export interface OpenCheckoutOptions {
  /** What the provider's page shows. */
  itemName: string;
  /** Runs in the inserting transaction before the insert (checks that lock and throw to refuse). */
  before?: (repo: BillingRepository) => Promise<void>;
  /** Consents given for the attempt, inserted with it (`insertUserCheckout`). */
  consents?: readonly Consent[];
}

/**
 * Opens a checkout attempt: inserts the `ready` payment and its consents under "one open
 * checkout per user" (`insertUserCheckout`: one statement; in one transaction with `before`
 * when there is one), commits, then asks the provider to prepare the checkout
 * (`prepareCheckoutAttempt`). Used by start-checkout and key registration (resume,
 * payment-method change).
 *
 * @throws AppError PAYMENT_IN_PROGRESS, whatever `before` throws, provider errors (`toAppError`)
 */
export async function openCheckoutAttempt(
  ctx: UseCaseContext,
  gateway: PaymentGateway,
  record: NewPaymentRecord,
  opts: OpenCheckoutOptions,
): Promise<CheckoutAttempt> {
  const before = opts.before;
  const payment = before
    ? await ctx.repo.transaction(async (repo) => {
        await before(repo);
        return insertUserCheckout(repo, record, opts.consents);
      })
    : await insertUserCheckout(ctx.repo, record, opts.consents);
  return prepareCheckoutAttempt(ctx, gateway, payment, opts.itemName);
}

/**
 * The provider half of opening a checkout, for a `ready` payment already committed (change-plan
 * inserts its upgrade payment in the transaction that priced it): `prepareCheckout` with the
 * return URLs from `ctx.checkoutUrls` (never holding a transaction across the HTTP call), then
 * records the provider's checkout reference and expiry. A provider error marks the payment
 * `declined`: preparing a checkout moves no money, so the attempt simply did not start.
 *
 * @throws AppError provider errors (`toAppError`)
 */
export async function prepareCheckoutAttempt(
  ctx: UseCaseContext,
  gateway: PaymentGateway,
  payment: Payment,
  itemName: string,
): Promise<CheckoutAttempt> {
  let checkout: PreparedCheckout;
  try {
    checkout = await gateway.prepareCheckout({
      paymentId: payment.id,
      userRef: payment.userId,
      itemName,
      amountKrw: payment.amountKrw,
      vatKrw: payment.vatKrw,
      ...ctx.checkoutUrls(gateway.id, payment.id),
      recurring: payment.recurring,
      idempotencyKey: `checkout-${payment.id}`,
    });
  } catch (err) {
    if (err instanceof ProviderError) {
      await ctx.repo.transitionPayment(payment.id, 'ready', 'declined', ctx.clock.now(), {
        failureCode: failureCodeOf(err),
        failureMessage: err.message,
      });
    }
    throw toAppError(err);
  }
  const patch = { checkoutRef: checkout.providerRef, expiresAt: checkout.expiresAt };
  // A checkout the browser opens with our own id (NaverPay's SDK flow) has neither: nothing to write.
  if (patch.checkoutRef !== payment.checkoutRef || patch.expiresAt?.getTime() !== payment.expiresAt?.getTime()) {
    await ctx.repo.updatePayment(payment.id, ctx.clock.now(), patch);
  }
  return { payment: { ...payment, ...patch }, checkout };
}
