import { krw, type Krw } from '../domain/money.ts';
import { REFUNDABLE_STATUSES } from '../domain/payment/payment-states.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { Payment } from '../domain/records.ts';

export const sumKrw = (rs: readonly Refund[]) => krw(rs.reduce((a, r) => a + r.amountKrw, 0));
export const sumVat = (rs: readonly Refund[]) => krw(rs.reduce((a, r) => a + r.vatKrw, 0));
export const pendingOf = (rs: readonly Refund[]) => rs.filter((r) => r.status === 'requested' || r.status === 'unknown');

/** What is left to refund on a payment, counting refunds still in flight as spent. */
export function refundableKrw(payment: Payment, refunds: readonly Refund[]): Krw {
  if (!REFUNDABLE_STATUSES.includes(payment.status)) return krw(0);
  return krw(Math.max(0, payment.amountKrw - payment.refundedKrw - sumKrw(pendingOf(refunds))));
}
