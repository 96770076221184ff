import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { krw, vatIncluded, supplyPrice, supplyOf, formatKrw } from './money.ts';

describe('krw', () => {
  it('accepts whole non-negative integers', () => {
    expect(krw(29000)).toBe(29000);
    expect(krw(0)).toBe(0);
  });
  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects %s', (n) => {
    expect(() => krw(n)).toThrow(RangeError);
  });
});

describe('vatIncluded', () => {
  it('matches the plan prices', () => {
    expect(vatIncluded(krw(29000))).toBe(2636);
    expect(vatIncluded(krw(59000))).toBe(5364);
    expect(vatIncluded(krw(99000))).toBe(9000);
    expect(vatIncluded(krw(2200))).toBe(200);
    expect(vatIncluded(krw(1000))).toBe(91);
  });
  it('equals Math.round(total/11) and splits the price exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (n) => {
        const total = krw(n);
        expect(vatIncluded(total)).toBe(Math.round(n / 11));
        expect(supplyPrice(total) + vatIncluded(total)).toBe(n);
      }),
    );
  });
});

it('formats won', () => {
  expect(formatKrw(krw(29000))).toBe('29,000원');
});

describe('supplyOf', () => {
  it('is the amount less the VAT recorded with it (not recomputed)', () => {
    expect(supplyOf(29_000, 2_636)).toBe(26_364);
    // A refund's VAT is allocated from its payment's, so it may differ from round(amount / 11).
    expect(supplyOf(10_000, 910)).toBe(9_090);
  });
});
