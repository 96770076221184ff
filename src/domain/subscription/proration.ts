import { krw, type Krw } from '../money.ts';

export interface ProrationInput {
  /** Per-period prices, VAT included. */
  oldPriceKrw: Krw;
  newPriceKrw: Krw;
  /** End of what is paid for. */
  periodEnd: Date;
  /** Length of one billing period (the catalog's), ms. */
  periodMs: number;
  /** When the change takes effect. */
  at: Date;
}

/** The lines of an upgrade charge, all VAT included, in whole won. */
export interface Proration {
  remainingMs: number;
  periodMs: number;
  /** Value of the unused rest of the old plan: floor(old price × remaining / period). */
  creditKrw: Krw;
  /** Price of the new plan for the rest of the period: floor(new price × remaining / period). */
  newPlanKrw: Krw;
  /** What is charged now: max(0, newPlanKrw − creditKrw). */
  chargeKrw: Krw;
}

/**
 * Proration of an immediate plan change, in whole won.
 *
 * Rounding rule: each line is computed exactly in integers (price × remaining ms ÷ period ms)
 * and rounded DOWN to whole won on its own — the credit line and the new-plan line each drop
 * their fraction (less than 1 won each). The charge is the difference of the two rounded
 * lines, never below 0 (a change to a cheaper plan is not refunded here; downgrades wait for
 * the next renewal). `remaining` = periodEnd − at, at least 0; it may exceed one period when
 * several periods were paid ahead, and each line then covers all of it.
 *
 * Example: 29,000 → 59,000 won with 20 of 30 days left: new line floor(59,000 × 2/3) = 39,333,
 * credit floor(29,000 × 2/3) = 19,333, charge 20,000 won.
 */
export function prorate(input: ProrationInput): Proration {
  const periodMs = input.periodMs;
  if (!(periodMs > 0) || !Number.isSafeInteger(periodMs)) throw new RangeError('period must have a positive length');
  const remainingMs = Math.max(0, input.periodEnd.getTime() - input.at.getTime());
  const part = (price: Krw) => krw(Number((BigInt(price) * BigInt(remainingMs)) / BigInt(periodMs)));
  const creditKrw = part(input.oldPriceKrw);
  const newPlanKrw = part(input.newPriceKrw);
  return { remainingMs, periodMs, creditKrw, newPlanKrw, chargeKrw: krw(Math.max(0, newPlanKrw - creditKrw)) };
}
