import { describe, expect, it } from 'vitest';
import { nextPaidPeriod } from './subscription-periods.ts';

const DAY = 86_400_000;
const now = new Date('2026-01-10T00:00:00Z');

describe('nextPaidPeriod', () => {
  it('starts a first period now', () => {
    const p = nextPaidPeriod(null, 'standard', now, 30 * DAY);
    expect(p.periodStart).toEqual(now);
    expect(p.periodEnd).toEqual(new Date('2026-02-09T00:00:00Z'));
  });
  it('extends a running period of the same plan from its end, not from today', () => {
    const end = new Date('2026-01-25T00:00:00Z');
    const p = nextPaidPeriod(
      { planId: 'standard', status: 'active', currentPeriodStart: new Date('2025-12-26T00:00:00Z'), currentPeriodEnd: end },
      'standard', now, 30 * DAY,
    );
    expect(p.periodStart).toEqual(end);
    expect(p.periodEnd).toEqual(new Date('2026-02-24T00:00:00Z'));
    expect(p.subscriptionPeriodStart).toEqual(new Date('2025-12-26T00:00:00Z'));
  });
  it('starts over when the old period has ended', () => {
    const p = nextPaidPeriod(
      { planId: 'standard', status: 'active', currentPeriodStart: new Date('2025-11-01T00:00:00Z'), currentPeriodEnd: new Date('2025-12-01T00:00:00Z') },
      'standard', now, 30 * DAY,
    );
    expect(p.periodStart).toEqual(now);
  });
  it('starts over for an expired subscription', () => {
    const p = nextPaidPeriod(
      { planId: 'standard', status: 'expired', currentPeriodStart: now, currentPeriodEnd: new Date(now.getTime() + DAY) },
      'standard', now, 30 * DAY,
    );
    expect(p.periodStart).toEqual(now);
  });
});
