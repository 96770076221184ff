import { describe, expect, it } from 'vitest';
import { krw } from '../money.ts';
import { checkNewPrice, PriceBook, type PriceVersion } from '../plan-prices.ts';
import { PlanCatalog } from '../plans.ts';
import { nextRenewalTerms, versionToConsent } from './renewal-terms.ts';

const DAY = 86_400_000;
const ent = { autoTrading: false, autoTradingMonthlyLimitKrw: 0, realtimeAlerts: false, customStrategies: false, prioritySupport: false };
const catalog = new PlanCatalog({
  periodDays: 30,
  plans: [
    { id: 'free', name: '기본', priceKrw: 0, rank: 0, features: [], entitlements: ent },
    { id: 'standard', name: '스탠다드', priceKrw: 29000, rank: 1, features: [], entitlements: ent },
    { id: 'premium', name: '프리미엄', priceKrw: 59000, rank: 2, features: [], entitlements: ent },
  ],
});
const t0 = new Date('2026-03-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const version = (id: string, planId: string, price: number, days: number): PriceVersion => ({
  id,
  planId,
  priceKrw: krw(price),
  effectiveAt: at(days),
  createdAt: t0,
  createdBy: 'usr_admin',
  announcedAt: null,
});
const sub = (o: Partial<Parameters<typeof nextRenewalTerms>[0]> = {}) => ({
  planId: 'premium',
  pendingPlanId: null,
  agreedPriceKrw: krw(59000),
  pendingPriceKrw: null,
  consentedPriceId: null,
  currentPeriodEnd: at(30),
  ...o,
});

describe('nextRenewalTerms', () => {
  const book = new PriceBook(catalog, []);

  it('renews the current plan at its agreed price once a scheduled downgrade is dropped (issue 11.1)', () => {
    // Upgraded to premium (59,000 agreed), downgrade to standard scheduled at 29,000, then dropped.
    const withDowngrade = sub({ pendingPlanId: 'standard', pendingPriceKrw: krw(29000) });
    expect(nextRenewalTerms(withDowngrade, book)).toMatchObject({ planId: 'standard', chargeKrw: 29000, consent: 'not_needed' });
    expect(nextRenewalTerms(sub(), book)).toMatchObject({ planId: 'premium', chargeKrw: 59000, agreedKrw: 59000, consent: 'not_needed' });
  });

  it('keeps the agreed price until a higher version takes effect and is consented to; a decrease applies at once', () => {
    const raised = new PriceBook(catalog, [version('prc_up', 'premium', 69000, 40)]);
    // The renewal at day 30 is before the new price: the agreed one applies, the change is upcoming.
    const before = nextRenewalTerms(sub(), raised)!;
    expect(before).toMatchObject({ chargeKrw: 59000, consent: 'not_needed', upcoming: { version: { id: 'prc_up' }, consented: false } });
    expect(versionToConsent(before)?.id).toBe('prc_up');
    // The renewal at day 60: no consent → nothing charged; consent → the new price.
    expect(nextRenewalTerms(sub({ currentPeriodEnd: at(60) }), raised)).toMatchObject({ chargeKrw: null, consent: 'required' });
    expect(nextRenewalTerms(sub({ currentPeriodEnd: at(60), consentedPriceId: 'prc_up' }), raised)).toMatchObject({ chargeKrw: 69000, consent: 'given' });
    const lowered = new PriceBook(catalog, [version('prc_down', 'premium', 49000, 10)]);
    expect(nextRenewalTerms(sub(), lowered)).toMatchObject({ chargeKrw: 49000, consent: 'not_needed' });
  });
});

describe('checkNewPrice', () => {
  const book = new PriceBook(catalog, []);
  it('refuses an increase less than 30 days ahead, allows a decrease at once', () => {
    expect(checkNewPrice(book, 'standard', krw(35000), at(29), t0)).toMatchObject({ code: 'PRICE_NOTICE_TOO_SHORT', previousKrw: 29000 });
    expect(checkNewPrice(book, 'standard', krw(35000), at(30), t0)).toBeNull();
    expect(checkNewPrice(book, 'standard', krw(25000), t0, t0)).toBeNull();
    expect(checkNewPrice(book, 'standard', krw(25000), at(-1), t0)).toEqual({ code: 'PRICE_EFFECTIVE_IN_PAST' });
    expect(checkNewPrice(book, 'standard', krw(29000), at(40), t0)).toEqual({ code: 'PRICE_UNCHANGED' });
  });
});
