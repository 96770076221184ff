import { describe, expect, it } from 'vitest';
import { graceUsedMs, nextPaidPeriod, planChangeMismatch } from './subscription-periods.ts';

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
  it('during grace, continues from where the paid period ended (the grace days are paid for)', () => {
    const end = new Date(now.getTime() - 6 * DAY);
    const p = nextPaidPeriod(
      { planId: 'standard', status: 'past_due', currentPeriodStart: new Date(end.getTime() - 30 * DAY), currentPeriodEnd: end, graceUntil: new Date(end.getTime() + 7 * DAY) },
      'standard', now, 30 * DAY,
    );
    expect(p.periodStart).toEqual(end);
    expect(p.periodEnd).toEqual(new Date(end.getTime() + 30 * DAY));
    expect(p.subscriptionPeriodStart).toEqual(end);
  });
  it('soon after an expiry, owes the grace days used; long after, starts now', () => {
    const end = new Date(now.getTime() - 10 * DAY);
    const expired = { planId: 'standard', status: 'expired' as const, currentPeriodStart: null, currentPeriodEnd: end, endedAt: new Date(end.getTime() + 7 * DAY) };
    expect(graceUsedMs(expired, now, 30 * DAY)).toBe(7 * DAY);
    expect(nextPaidPeriod(expired, 'premium', now, 30 * DAY).periodStart).toEqual(new Date(now.getTime() - 7 * DAY));
    const later = new Date(end.getTime() + 37 * DAY);
    expect(graceUsedMs(expired, later, 30 * DAY)).toBe(0);
    expect(nextPaidPeriod(expired, 'standard', later, 30 * DAY).periodStart).toEqual(later);
  });
  it('owes nothing after a cancel (no grace was given)', () => {
    const end = new Date(now.getTime() - DAY);
    expect(graceUsedMs({ planId: 'standard', status: 'canceled', currentPeriodStart: null, currentPeriodEnd: end, endedAt: end }, now, 30 * DAY)).toBe(0);
  });
});

describe('planChangeMismatch', () => {
  const start = new Date(now.getTime() - 10 * DAY);
  const end = new Date(now.getTime() + 20 * DAY);
  const sub = { planId: 'standard', status: 'active' as const, currentPeriodStart: start, currentPeriodEnd: end };
  const priced = { pricedPeriodStart: start, pricedPeriodEnd: end, pricedFromPlanId: 'standard', periodEnd: end };
  it('applies in the period and plan it priced', () => {
    expect(planChangeMismatch(priced, sub, now)).toBeNull();
  });
  it('refuses another period, another plan, a past_due or ended subscription', () => {
    expect(planChangeMismatch(priced, { ...sub, currentPeriodEnd: new Date(end.getTime() + 30 * DAY) }, now)).toBe('period_end');
    expect(planChangeMismatch(priced, { ...sub, currentPeriodStart: now }, now)).toBe('period_start');
    expect(planChangeMismatch(priced, { ...sub, planId: 'premium' }, now)).toBe('plan');
    expect(planChangeMismatch(priced, { ...sub, status: 'past_due' }, now)).toBe('status');
    expect(planChangeMismatch(priced, sub, new Date(end.getTime() + 1))).toBe('period_ended');
  });
  it('checks the period end alone for payments priced before it was recorded', () => {
    const legacy = { pricedPeriodStart: null, pricedPeriodEnd: null, pricedFromPlanId: null, periodEnd: end };
    expect(planChangeMismatch(legacy, { ...sub, planId: 'premium' }, now)).toBeNull();
    expect(planChangeMismatch(legacy, { ...sub, currentPeriodEnd: new Date(end.getTime() + DAY) }, now)).toBe('period_end');
  });
});
