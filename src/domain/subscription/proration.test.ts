import { describe, expect, it } from 'vitest';
import { krw } from '../money.ts';
import { prorate } from './proration.ts';
import { nextAttemptAt, parseRetryDays, DEFAULT_RENEWAL_SETTINGS, graceEndsAt } from './renewal-schedule.ts';

const DAY = 86_400_000;
const start = new Date('2026-01-01T00:00:00Z');
const end = new Date(start.getTime() + 30 * DAY);

describe('prorate', () => {
  it('charges the new plan for the rest of the period minus the unused old plan, each line floored', () => {
    const p = prorate({ oldPriceKrw: krw(29000), newPriceKrw: krw(59000), periodEnd: end, periodMs: 30 * DAY, at: new Date(start.getTime() + 10 * DAY) });
    expect(p).toMatchObject({ creditKrw: 19333, newPlanKrw: 39333, chargeKrw: 20000, remainingMs: 20 * DAY, periodMs: 30 * DAY });
  });
  it('drops each fraction separately (the documented rule), so the charge may differ from one rounding by a won', () => {
    // 7 of 30 days left: credit 29,000 × 7/30 = 6,766.67 → 6,766; new 99,000 × 7/30 = 23,100 → 23,100.
    const p = prorate({ oldPriceKrw: krw(29000), newPriceKrw: krw(99000), periodEnd: end, periodMs: 30 * DAY, at: new Date(end.getTime() - 7 * DAY) });
    expect([p.creditKrw, p.newPlanKrw, p.chargeKrw]).toEqual([6766, 23100, 16334]);
  });
  it('uses milliseconds, not days', () => {
    const at = new Date(start.getTime() + 12_345_678);
    const p = prorate({ oldPriceKrw: krw(59000), newPriceKrw: krw(99000), periodEnd: end, periodMs: 30 * DAY, at });
    const rem = BigInt(30 * DAY - 12_345_678);
    expect(p.creditKrw).toBe(Number((59000n * rem) / BigInt(30 * DAY)));
    expect(p.newPlanKrw).toBe(Number((99000n * rem) / BigInt(30 * DAY)));
    expect(p.chargeKrw).toBe(p.newPlanKrw - p.creditKrw);
  });
  it('covers periods paid ahead', () => {
    const p = prorate({ oldPriceKrw: krw(29000), newPriceKrw: krw(59000), periodEnd: new Date(end.getTime() + 30 * DAY), periodMs: 30 * DAY, at: start });
    expect(p.chargeKrw).toBe(60000);
  });
  it('is 0 at the period end and the full difference at the start, never negative', () => {
    expect(prorate({ oldPriceKrw: krw(29000), newPriceKrw: krw(59000), periodEnd: end, periodMs: 30 * DAY, at: end }).chargeKrw).toBe(0);
    expect(prorate({ oldPriceKrw: krw(29000), newPriceKrw: krw(59000), periodEnd: end, periodMs: 30 * DAY, at: start }).chargeKrw).toBe(30000);
    expect(prorate({ oldPriceKrw: krw(59000), newPriceKrw: krw(29000), periodEnd: end, periodMs: 30 * DAY, at: start }).chargeKrw).toBe(0);
  });
});

describe('renewal schedule', () => {
  it('attempts at the period start, then +1, +3, +5 days, then none', () => {
    const s = DEFAULT_RENEWAL_SETTINGS;
    const at = [0, 1, 2, 3, 4].map((n) => nextAttemptAt(start, n, s));
    expect(at.map((d) => (d ? (d.getTime() - start.getTime()) / DAY : null))).toEqual([0, 1, 3, 5, null]);
    expect(graceEndsAt(start, s).getTime() - start.getTime()).toBe(7 * DAY);
  });
  it('skips retries that would fall after the grace end', () => {
    const s = { ...DEFAULT_RENEWAL_SETTINGS, graceMs: 4 * DAY };
    expect(nextAttemptAt(start, 3, s)).toBeNull();
  });
  it('parses retry days', () => {
    expect(parseRetryDays('1, 3,5')).toEqual([DAY, 3 * DAY, 5 * DAY]);
    expect(() => parseRetryDays('3,1')).toThrow();
    expect(() => parseRetryDays('0')).toThrow();
  });
});
