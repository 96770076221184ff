import { describe, expect, it } from 'vitest';
import { CHECKOUT_EXPIRY_SLACK_MS, checkoutExpiryCutoff, paymentOutcome } from './checkout-expiry.ts';

describe('checkout expiry', () => {
  it('cuts off at lifetime plus the clock slack', () => {
    const now = new Date('2026-01-01T00:30:00Z');
    expect(checkoutExpiryCutoff(now, 15 * 60_000).getTime()).toBe(now.getTime() - 15 * 60_000 - CHECKOUT_EXPIRY_SLACK_MS);
  });

  it('tells what an attempt means to the subscriber', () => {
    const o = (status: any, failureCode: string | null = null, nextLookupAt: Date | null = null) => paymentOutcome({ status, failureCode, nextLookupAt });
    expect(o('approved')).toBe('paid');
    expect(o('ready')).toBe('pending');
    expect(o('ready', null, new Date())).toBe('processing');
    expect(o('unknown')).toBe('processing');
    expect(o('abandoned', 'checkout_expired')).toBe('expired');
    expect(o('abandoned', 'lookup_expired')).toBe('expired');
    expect(o('abandoned', 'kakaopay:-723')).toBe('expired');
    expect(o('abandoned', 'naverpay:TimeExpired')).toBe('expired');
    expect(o('abandoned', 'superseded')).toBe('superseded');
    expect(o('abandoned', 'user_cancel')).toBe('canceled');
    expect(o('abandoned', 'PLAN_CHANGE_STALE')).toBe('canceled');
    expect(o('declined', 'kakaopay:-782')).toBe('declined');
    expect(o('refunded')).toBe('refunded');
  });
});
