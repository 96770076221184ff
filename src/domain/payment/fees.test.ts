import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { krw } from '../money.ts';
import { divRoundHalfUp, paymentFee, providerFee } from './fees.ts';

describe('providerFee', () => {
  it.each([
    // amount, bps, fee, fee VAT
    [29000, 290, 841, 84],
    [59000, 290, 1711, 171],
    [99000, 290, 2871, 287],
    [29000, 250, 725, 73], // 72.5 → 73 (half up)
    [59000, 250, 1475, 148], // 147.5 → 148
    [99000, 250, 2475, 248],
    [1000, 250, 25, 3], // 2.5 → 3
    [10, 250, 0, 0], // 0.25 → 0
    [20, 250, 1, 0], // 0.5 → 1
  ])('%i원 at %i bps → fee %i, VAT %i', (amount, bps, fee, vat) => {
    expect(providerFee(krw(amount), bps)).toEqual({ feeKrw: fee, feeVatKrw: vat });
  });
  it('matches Math.round on exact decimal arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: 1000 }), (amount, bps) => {
        const { feeKrw, feeVatKrw } = providerFee(krw(amount), bps);
        // amount × bps is an exact integer; half-up on it equals round(x / 10000) with x exact.
        const x = amount * bps;
        expect(feeKrw).toBe((x - (x % 10000)) / 10000 + (x % 10000 >= 5000 ? 1 : 0));
        expect(feeVatKrw).toBe((feeKrw - (feeKrw % 10)) / 10 + (feeKrw % 10 >= 5 ? 1 : 0));
      }),
    );
  });
  it('rejects bad input', () => {
    expect(() => providerFee(krw(1), -1)).toThrow(RangeError);
    expect(() => divRoundHalfUp(1, 0)).toThrow(RangeError);
  });
});

describe('paymentFee', () => {
  const bps = { kakaopay: 290, naverpay: 250 };
  it.each(['approved', 'partially_refunded', 'refunded'] as const)('a %s payment pays the fee on its whole amount', (status) => {
    expect(paymentFee({ status, provider: 'kakaopay', amountKrw: krw(29000) }, bps)).toEqual({ feeKrw: 841, feeVatKrw: 84 });
  });
  it.each(['ready', 'approving', 'declined', 'abandoned', 'unknown'] as const)('a %s payment pays none', (status) => {
    expect(paymentFee({ status, provider: 'naverpay', amountKrw: krw(29000) }, bps)).toEqual({ feeKrw: 0, feeVatKrw: 0 });
  });
  it('a provider without a configured rate pays none', () => {
    expect(paymentFee({ status: 'approved', provider: 'other', amountKrw: krw(29000) }, bps)).toEqual({ feeKrw: 0, feeVatKrw: 0 });
  });
});
