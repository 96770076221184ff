import { describe, expect, it } from 'vitest';
import { krw } from '../money.ts';
import { newPaymentRecord } from './new-payment.ts';

describe('newPaymentRecord', () => {
  const base = {
    id: 'pay_1',
    userId: 'usr_1',
    subscriptionId: null,
    provider: 'kakaopay',
    kind: 'checkout' as const,
    planId: 'standard',
    amountKrw: krw(29000),
    status: 'ready' as const,
    recurring: true,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  };

  it('derives the VAT and starts with no reference, period or outcome', () => {
    expect(newPaymentRecord(base)).toEqual({
      ...base,
      vatKrw: 2636,
      checkoutRef: null,
      providerRef: null,
      methodKind: null,
      methodLabel: null,
      billingCycleId: null,
      periodStart: null,
      periodEnd: null,
      failureCode: null,
      failureMessage: null,
      expiresAt: null,
      approvedAt: null,
    });
  });

  it('a 0-won registration has 0 VAT; priced fields appear only for upgrades', () => {
    expect(newPaymentRecord({ ...base, kind: 'registration', amountKrw: krw(0) }).vatKrw).toBe(0);
    expect(newPaymentRecord(base)).not.toHaveProperty('pricedFromPlanId');
    const start = new Date('2026-01-01T00:00:00Z');
    const end = new Date('2026-01-31T00:00:00Z');
    expect(newPaymentRecord({ ...base, kind: 'upgrade', priced: { periodStart: start, periodEnd: end, fromPlanId: 'basic' } })).toMatchObject({
      pricedPeriodStart: start,
      pricedPeriodEnd: end,
      pricedFromPlanId: 'basic',
    });
  });
});
