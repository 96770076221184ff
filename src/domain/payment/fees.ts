import { krw, type Krw } from '../money.ts';
import { PAID_STATUSES, type PaymentStatus } from './payment-states.ts';

/** Integer division rounded half up, for non-negative integers. */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`divRoundHalfUp(${numerator}, ${denominator})`);
  }
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

export interface ProviderFee {
  /** round_half_up(amount × bps / 10,000). */
  feeKrw: Krw;
  /** 10% VAT on the fee: round_half_up(fee / 10). */
  feeVatKrw: Krw;
}

/**
 * The provider's fee on one approved payment, in whole won. Written rule, applied per
 * payment (never on a monthly sum): fee = round_half_up(amount × bps / 10,000), fee VAT =
 * round_half_up(fee / 10). KakaoPay 290 bps (2.9%), NaverPay 250 bps (2.5%) by default
 * (`FEE_KAKAOPAY_BPS`, `FEE_NAVERPAY_BPS`). Example: 29,000원 at 290 bps → fee 841, VAT 84.
 * Refunds do not give the fee back (a conservative assumption; providers' contracts differ).
 */
export function providerFee(amountKrw: Krw, bps: number): ProviderFee {
  if (!Number.isSafeInteger(bps) || bps < 0) throw new RangeError(`invalid fee bps: ${bps}`);
  const fee = divRoundHalfUp(amountKrw * bps, 10_000);
  return { feeKrw: krw(fee), feeVatKrw: krw(divRoundHalfUp(fee, 10)) };
}

/**
 * The provider's fee on one payment row, as operators see it (admin payment view, CSV): a paid
 * payment (PAID_STATUSES, refunded or not) pays `providerFee` at its provider's rate (0 bps when
 * the provider has none configured); any other payment took no money and pays none.
 */
export function paymentFee(p: { status: PaymentStatus; provider: string; amountKrw: Krw }, feesBps: Readonly<Record<string, number>>): ProviderFee {
  return PAID_STATUSES.includes(p.status) ? providerFee(p.amountKrw, feesBps[p.provider] ?? 0) : { feeKrw: krw(0), feeVatKrw: krw(0) };
}
