/**
 * Korean won as a branded integer. There are no minor units in KRW, so a
 * `Krw` is always a whole, non-negative, safe integer.
 */
export type Krw = number & { readonly __brand: 'Krw' };

/** Creates a `Krw`; throws `RangeError` for negative, fractional or unsafe values. */
export function krw(n: number): Krw {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`invalid KRW amount: ${n}`);
  }
  return n as Krw;
}

/**
 * VAT contained in a VAT-inclusive price: round(total / 11), half up.
 * This is the rule both KakaoPay (default vat_amount) and the Korean tax
 * invoice practice use for 10% VAT included in the price.
 */
export function vatIncluded(total: Krw): Krw {
  return krw(Math.floor((total * 10 + 55) / 110));
}

/** Supply price (공급가액) = total - VAT. */
export function supplyPrice(total: Krw): Krw {
  return krw(total - vatIncluded(total));
}

/** 공급가액 of a recorded amount whose VAT was fixed when it was made (payments, refunds, report sums). */
export function supplyOf(amountKrw: number, vatKrw: number): Krw {
  return krw(amountKrw - vatKrw);
}

export function formatKrw(amount: Krw | number): string {
  return `${amount.toLocaleString('ko-KR')}원`;
}
