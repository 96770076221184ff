import { describe, expect, it } from 'vitest';
import { capPeriodOf, engineEventTypeOf, reservationIdOf, reservationOwnerOf } from './entitlements.ts';

describe('capPeriodOf (calendar month in Asia/Seoul)', () => {
  it('2026-12-31T15:00Z is January 1st in Seoul', () => {
    expect(capPeriodOf(new Date('2026-12-31T14:59:59.999Z'))).toEqual({
      start: new Date('2026-11-30T15:00:00Z'),
      end: new Date('2026-12-31T15:00:00Z'),
    });
    expect(capPeriodOf(new Date('2026-12-31T15:00:00Z'))).toEqual({
      start: new Date('2026-12-31T15:00:00Z'),
      end: new Date('2027-01-31T15:00:00Z'),
    });
  });
  it('handles February in a leap year', () => {
    expect(capPeriodOf(new Date('2028-02-15T00:00:00Z')).end).toEqual(new Date('2028-02-29T15:00:00Z'));
  });
});

describe('reservation ids name their owner', () => {
  const december = capPeriodOf(new Date('2026-12-10T00:00:00Z')).start;
  it('round-trips the user and the cap month, also across the KST month edge', () => {
    const id = reservationIdOf('rsv_0123456789abcdef01234567', 'usr_하나/둘_three', december);
    expect(id).toMatch(/^rsv_0123456789abcdef01234567_202612_[A-Za-z0-9_-]+$/);
    expect(reservationOwnerOf(id)).toEqual({ userId: 'usr_하나/둘_three', periodStart: december });
    const january = capPeriodOf(new Date('2026-12-31T15:00:00Z')).start;
    expect(reservationOwnerOf(reservationIdOf('rsv_0123456789abcdef01234567', 'u', january))).toEqual({ userId: 'u', periodStart: january });
  });
  it('names no owner for older ids, a bad month or another spelling of the user', () => {
    expect(reservationOwnerOf('rsv_0123456789abcdef01234567')).toBeUndefined();
    expect(reservationOwnerOf('rsv_0123456789abcdef01234567_202613_dQ')).toBeUndefined();
    // 'dR' decodes to the same byte as 'dQ' ('u'): not the canonical spelling.
    expect(reservationOwnerOf('rsv_0123456789abcdef01234567_202612_dR')).toBeUndefined();
    expect(reservationOwnerOf('rsv_0123456789abcdef01234567_202612_dQ')).toEqual({ userId: 'u', periodStart: december });
  });
});

describe('engineEventTypeOf', () => {
  const s = (status: any, planId = 'standard', end = '2027-01-01T00:00:00Z') => ({ status, planId, currentPeriodEnd: new Date(end) });
  it('maps each change to one event, and bookkeeping to none', () => {
    expect(engineEventTypeOf(undefined, s('active'), 'created')).toBe('subscription.activated');
    expect(engineEventTypeOf(undefined, s('pending'), 'created')).toBeNull();
    expect(engineEventTypeOf(s('expired'), s('active'), 'period_paid')).toBe('subscription.activated');
    expect(engineEventTypeOf(s('active'), s('active', 'premium'), 'plan_upgraded')).toBe('subscription.plan_changed');
    expect(engineEventTypeOf(s('active'), s('active', 'standard', '2027-02-01T00:00:00Z'), 'renewed')).toBe('subscription.renewed');
    expect(engineEventTypeOf(s('past_due'), s('active', 'standard', '2027-02-01T00:00:00Z'), 'renewed')).toBe('subscription.renewed');
    expect(engineEventTypeOf(s('active'), s('past_due'), 'renewal_failed')).toBe('subscription.past_due');
    expect(engineEventTypeOf(s('past_due'), s('past_due'), 'renewal_failed')).toBeNull();
    expect(engineEventTypeOf(s('past_due'), s('expired'), 'expired')).toBe('subscription.expired');
    expect(engineEventTypeOf(s('active'), s('canceled'), 'ended')).toBe('subscription.canceled');
    expect(engineEventTypeOf(s('active'), s('canceled'), 'ended_by_refund')).toBe('payment.refunded');
    expect(engineEventTypeOf(s('active'), s('active'), 'auto_renew_off')).toBeNull();
  });
});
