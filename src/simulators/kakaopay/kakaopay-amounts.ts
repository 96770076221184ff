/** KakaoPay amount object (spec §5.1); the sandbox always emits all six fields. Integers, KRW. */
export interface Amount {
  total: number;
  tax_free: number;
  vat: number;
  point: number;
  discount: number;
  green_deposit: number;
}

export function zeroAmount(): Amount {
  return { total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 };
}

/** `round_half_up(base / 11)` for a non-negative base (spec §5.3). */
export function defaultVat(base: number): number {
  return Math.floor((Math.max(base, 0) * 2 + 11) / 22);
}

export function addAmounts(a: Amount, b: Amount): Amount {
  return {
    total: a.total + b.total,
    tax_free: a.tax_free + b.tax_free,
    vat: a.vat + b.vat,
    point: a.point + b.point,
    discount: a.discount + b.discount,
    green_deposit: a.green_deposit + b.green_deposit,
  };
}

export function subtractAmounts(a: Amount, b: Amount): Amount {
  return {
    total: a.total - b.total,
    tax_free: a.tax_free - b.tax_free,
    vat: a.vat - b.vat,
    point: a.point - b.point,
    discount: a.discount - b.discount,
    green_deposit: a.green_deposit - b.green_deposit,
  };
}

/** Formats a KRW amount for the hosted page: 29000 → `29,000원`. */
export function formatWon(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '원';
}
