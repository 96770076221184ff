import { AppError } from '../domain/errors.ts';
import type { Payment } from '../domain/records.ts';
import type { BillingRepository, NewPaymentRecord } from '../domain/repositories.ts';
import type { Consent } from '../domain/legal/legal-documents.ts';
import { isUniqueViolation } from './sign-up.ts';

/**
 * Inserts a payment the user starts (checkout, upgrade, registration), with its `consents`, under
 * the rule "one open checkout per user" (docs/checkout-rules.md, rule 2), in one statement
 * (`BillingRepository.insertUserCheckout`), alone or inside the caller's transaction:
 *
 * - the user's earlier checkouts still `ready` (never sent for approval) are abandoned
 *   (compare-and-set, reason `superseded`): approving one of them later answers
 *   PAYMENT_NOT_APPROVABLE and never reaches the provider;
 * - while one is `approving` or `unknown` (money may be moving), the new one is refused with
 *   PAYMENT_IN_PROGRESS (409);
 * - the partial unique index `payments_open_checkout_per_user_key` enforces the same in the
 *   database, so two concurrent starts cannot both insert (the loser gets PAYMENT_IN_PROGRESS).
 *
 * @throws AppError PAYMENT_IN_PROGRESS
 */
export async function insertUserCheckout(repo: BillingRepository, record: NewPaymentRecord, consents: readonly Consent[] = []): Promise<Payment> {
  let r: Awaited<ReturnType<BillingRepository['insertUserCheckout']>>;
  try {
    r = await repo.insertUserCheckout(record, consents, {
      failureMessage: '새 결제를 시작해 이전 결제를 취소했습니다.',
      data: { by_payment_id: record.id },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw inProgress(null);
    throw err;
  }
  // One is approving or unknown (money may be moving), or was claimed for approval meanwhile.
  if ('inProgressId' in r) throw inProgress(r.inProgressId);
  return r.payment;
}

function inProgress(paymentId: string | null): AppError {
  return new AppError('PAYMENT_IN_PROGRESS', '승인 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.', paymentId ? { payment_id: paymentId } : undefined);
}
