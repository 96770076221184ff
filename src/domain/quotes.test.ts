import { describe, expect, it } from 'vitest';
import { pricingInstant, QUOTE_TTL_MS } from './quotes.ts';

describe('pricingInstant', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it('uses now without a quote and the quote instant while it holds', () => {
    expect(pricingInstant(null, now)).toBe(now);
    const q = new Date(now.getTime() - 90_000);
    expect(pricingInstant(q, now)).toBe(q);
    expect(pricingInstant(new Date(now.getTime() - QUOTE_TTL_MS), now)).toEqual(new Date(now.getTime() - QUOTE_TTL_MS));
  });
  it('refuses an old quote and one from the future', () => {
    expect(pricingInstant(new Date(now.getTime() - QUOTE_TTL_MS - 1), now)).toBe('expired');
    expect(pricingInstant(new Date(now.getTime() + 60_000), now)).toBe('expired');
    expect(pricingInstant(new Date(now.getTime() + 1_000), now)).toBe(now);
  });
});
