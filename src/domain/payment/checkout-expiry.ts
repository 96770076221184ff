import type { Payment } from '../records.ts';

/**
 * Expiry of checkouts the user never finished (issue 11 item 5, docs/checkout-rules.md rule 5).
 *
 * A checkout the user abandoned at the provider stays `ready` on our side: the provider never
 * tells us. Each provider stops accepting an approval after its own lifetime (KakaoPay: the tid,
 * about 15 minutes after ready; NaverPay: the reserve / hosted-page session, undocumented, 30
 * minutes by default), configured per provider. Past that lifetime (plus `CHECKOUT_EXPIRY_SLACK_MS`
 * for clock skew) the checkout can no longer be paid and is closed as `abandoned` with failure
 * code `checkout_expired`, which frees the user's one open-checkout slot.
 */

/** Clock skew allowed between us and the provider before a checkout counts as expired. */
export const CHECKOUT_EXPIRY_SLACK_MS = 60_000;

/** Failure code of a checkout closed because its provider lifetime passed. */
export const CHECKOUT_EXPIRED = 'checkout_expired';

/** Checkouts created before this instant are past a provider lifetime of `lifetimeMs` at `now`. */
export function checkoutExpiryCutoff(now: Date, lifetimeMs: number): Date {
  return new Date(now.getTime() - lifetimeMs - CHECKOUT_EXPIRY_SLACK_MS);
}

/**
 * What a payment attempt means to the subscriber, for 결제 내역: whether money was taken, is
 * still open, or never moved (and why).
 * - paid / partially_refunded / refunded: money was taken (then possibly given back).
 * - pending: the checkout is open at the provider; nothing is owed until the user pays.
 * - processing: an approval was sent; the provider's answer is being confirmed.
 * - declined: the provider refused it (nothing charged, or charged and cancelled in full).
 * - canceled: the user cancelled, or we refused it before approval (nothing charged).
 * - superseded: replaced by a newer checkout before it was paid.
 * - expired: the provider's time to pay ran out (nothing charged).
 */
export const PAYMENT_OUTCOMES = [
  'paid',
  'partially_refunded',
  'refunded',
  'pending',
  'processing',
  'declined',
  'canceled',
  'superseded',
  'expired',
] as const;
export type PaymentOutcome = (typeof PAYMENT_OUTCOMES)[number];

/** Outcomes in which no money was taken and none is owed. */
export const UNPAID_OUTCOMES: readonly PaymentOutcome[] = ['declined', 'canceled', 'superseded', 'expired'];

/** Failure codes that mean "the provider's time to pay ran out". */
function isExpiry(code: string): boolean {
  // Ours (expiry job, lookup horizon) and the providers' own (KakaoPay -723, NaverPay TimeExpired).
  return code === CHECKOUT_EXPIRED || code === 'lookup_expired' || code.endsWith(':-723') || code.endsWith(':TimeExpired') || code === 'PAYMENT_EXPIRED';
}

export function paymentOutcome(p: Pick<Payment, 'status' | 'failureCode' | 'nextLookupAt'>): PaymentOutcome {
  switch (p.status) {
    case 'approved':
      return 'paid';
    case 'partially_refunded':
      return 'partially_refunded';
    case 'refunded':
      return 'refunded';
    case 'ready':
      // On the lookup schedule: an approval was sent and its answer is not final yet.
      return p.nextLookupAt ? 'processing' : 'pending';
    case 'approving':
    case 'unknown':
      return 'processing';
    case 'declined':
      return p.failureCode && isExpiry(p.failureCode) ? 'expired' : 'declined';
    case 'abandoned':
      if (p.failureCode === 'superseded') return 'superseded';
      return p.failureCode && isExpiry(p.failureCode) ? 'expired' : 'canceled';
  }
}
