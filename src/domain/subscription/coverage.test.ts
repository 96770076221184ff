import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coverageAfterRefund, planAt, relayAfterRefund, type CoveragePayment, type CoveragePlan } from './coverage.ts';
import { proratedRefund } from '../payment/refund-policy.ts';
import { krw } from '../money.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (days: number) => new Date(T0 + days * DAY);
const PLANS: CoveragePlan[] = [
  { id: 'free', rank: 0, priceKrw: 0 },
  { id: 'standard', rank: 1, priceKrw: 29000 },
  { id: 'premium', rank: 2, priceKrw: 59000 },
  { id: 'pro', rank: 3, priceKrw: 99000 },
];
const price = (id: string) => PLANS.find((p) => p.id === id)!.priceKrw;
const rank = (id: string) => PLANS.find((p) => p.id === id)!.rank;

const period = (id: string, planId: string, fromDay: number): CoveragePayment => ({
  id,
  kind: 'period',
  planId,
  fromPlanId: null,
  start: at(fromDay),
  end: at(fromDay + 30),
  refunded: false,
});
const upgrade = (id: string, fromPlanId: string, planId: string, fromDay: number, toDay: number): CoveragePayment => ({
  id,
  kind: 'upgrade',
  planId,
  fromPlanId,
  start: at(fromDay),
  end: at(toDay),
  refunded: false,
});

describe('covered periods after a refund (rule 3)', () => {
  it('the first of two prepaid periods refunded: the second moves onto the running period', () => {
    const r = coverageAfterRefund({ payments: [period('p1', 'pro', 0), period('p2', 'pro', 30)], refundedId: 'p1', periodEnd: at(60), now: at(1), plans: PLANS });
    expect(r.moves).toEqual([{ id: 'p2', start: at(0), end: at(30) }]);
    expect(r).toMatchObject({ periodEnd: at(30), ended: false, planId: 'pro' });
    // The moved payment has started: cancel-now prorates it (29 of 30 days), never refunds it whole.
    expect(proratedRefund({ amountKrw: krw(99000), periodStart: at(0), periodEnd: at(30), now: at(1) }).refundKrw).toBe(95700);
  });

  it('a prepaid period not started yet: the end moves back, nothing else moves', () => {
    const r = coverageAfterRefund({ payments: [period('p1', 'standard', 0), period('p2', 'standard', 30)], refundedId: 'p2', periodEnd: at(60), now: at(3), plans: PLANS });
    expect(r).toMatchObject({ moves: [], periodEnd: at(30), ended: false, planId: 'standard' });
  });

  it('the only running period refunded: the subscription ends now', () => {
    const r = coverageAfterRefund({ payments: [period('p1', 'standard', 0)], refundedId: 'p1', periodEnd: at(30), now: at(2), plans: PLANS });
    expect(r).toMatchObject({ moves: [], ended: true, planId: null });
  });

  it('a payment of an earlier run of the subscription (before a gap) moves nothing and keeps the end', () => {
    const r = coverageAfterRefund({ payments: [period('old', 'standard', 0), period('new', 'standard', 50)], refundedId: 'old', periodEnd: at(80), now: at(55), plans: PLANS });
    expect(r).toMatchObject({ moves: [], periodEnd: at(80), ended: false, planId: 'standard' });
  });

  it('an upgrade refund moves nothing; in the grace period (end passed) it does not end the subscription', () => {
    const ps = [period('p1', 'standard', 0), upgrade('u1', 'standard', 'premium', 10, 30)];
    expect(relayAfterRefund(ps, 'u1')).toBeNull();
    const r = coverageAfterRefund({ payments: ps, refundedId: 'u1', periodEnd: at(30), now: at(32), plans: PLANS });
    expect(r).toMatchObject({ moves: [], periodEnd: at(30), ended: false, planId: 'standard' });
  });

  it('any period payments refunded in any order: the rest stay end to end from the chain start, in order, with their lengths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 0, max: 29 * DAY }), (n, picks, nowOffset) => {
        let payments: CoveragePayment[] = Array.from({ length: n }, (_, i) => period(`p${i}`, 'standard', 30 * i));
        let end = at(30 * n);
        const now = new Date(T0 + nowOffset);
        for (const pick of picks) {
          const live = payments.filter((p) => !p.refunded);
          if (live.length === 0) break;
          const victim = live[pick % live.length];
          const r = coverageAfterRefund({ payments, refundedId: victim.id, periodEnd: end, now, plans: PLANS });
          payments = r.payments;
          end = r.periodEnd;
          const left = payments.filter((p) => !p.refunded).sort((a, b) => a.start.getTime() - b.start.getTime());
          // No hole, no overlap; the order of purchase kept; each keeps 30 days.
          left.forEach((p, i) => {
            expect(p.start.getTime()).toBe(T0 + 30 * DAY * i);
            expect(p.end.getTime() - p.start.getTime()).toBe(30 * DAY);
          });
          expect(left.map((p) => Number(p.id.slice(1)))).toEqual([...left.map((p) => Number(p.id.slice(1)))].sort((a, b) => a - b));
          expect(end.getTime()).toBe(T0 + 30 * DAY * left.length);
          // Every instant before the end is covered by a non-refunded period payment; the plan is paid.
          expect(r.ended).toBe(left.length === 0 || end.getTime() <= now.getTime());
          if (!r.ended) expect(r.planId).toBe('standard');
          if (r.ended) break;
        }
      }),
    );
  });
});

describe('plan after refunds (rule 4)', () => {
  it('refunding the older of two stacked upgrades keeps the plan the remaining money pays for (69,000: premium)', () => {
    const ps = [period('s', 'standard', 0), upgrade('u1', 'standard', 'premium', 2, 30), upgrade('u2', 'premium', 'pro', 3, 30)];
    expect(planAt(ps, at(4), PLANS)).toBe('pro');
    const r = coverageAfterRefund({ payments: ps, refundedId: 'u1', periodEnd: at(30), now: at(4), plans: PLANS });
    expect(r.planId).toBe('premium');
    expect(coverageAfterRefund({ payments: r.payments, refundedId: 'u2', periodEnd: at(30), now: at(4), plans: PLANS }).planId).toBe('standard');
    expect(coverageAfterRefund({ payments: ps, refundedId: 'u2', periodEnd: at(30), now: at(4), plans: PLANS }).planId).toBe('premium');
  });

  it('for any purchases (periods, upgrades) and refunds of any of them in any order: no hole, no unpaid instant, the plan never rises', () => {
    const planIds = ['standard', 'premium', 'pro'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 29 }), up: fc.integer({ min: 1, max: 2 }) }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 29 * DAY }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        (n, ups, nowOffset, picks) => {
          // n prepaid periods of standard; upgrades during the first one, each to the period end.
          let payments: CoveragePayment[] = Array.from({ length: n }, (_, i) => period(`p${i}`, 'standard', 30 * i));
          let end = at(30 * n);
          let plan = 'standard';
          [...ups]
            .sort((a, b) => a.day - b.day)
            .forEach((u, i) => {
              const target = planIds[Math.min(planIds.indexOf(plan) + u.up, 2)];
              if (target !== plan) payments.push(upgrade(`u${i}`, plan, target, u.day, 30 * n));
              plan = target;
            });
          const now = new Date(T0 + nowOffset);
          let before = planAt(payments, now, PLANS)!;
          for (const pick of picks) {
            const live = payments.filter((p) => !p.refunded);
            if (live.length === 0) break;
            const r = coverageAfterRefund({ payments, refundedId: live[pick % live.length].id, periodEnd: end, now, plans: PLANS });
            payments = r.payments;
            end = r.periodEnd;
            const periods = payments.filter((p) => p.kind === 'period' && !p.refunded).sort((a, b) => a.start.getTime() - b.start.getTime());
            periods.forEach((p, i) => expect(p.start.getTime()).toBe(T0 + 30 * DAY * i));
            expect(end.getTime()).toBe(T0 + 30 * DAY * periods.length);
            const covered = periods.some((p) => p.start <= now && now < p.end);
            expect(r.ended).toBe(!covered);
            if (r.ended) break;
            const covering = payments.filter((p) => !p.refunded && p.start <= now && now < p.end);
            const rate = covering.reduce((a, p) => a + (p.kind === 'period' ? price(p.planId) : price(p.planId) - price(p.fromPlanId!)), 0);
            expect(price(r.planId!)).toBeLessThanOrEqual(rate);
            expect(rank(r.planId!)).toBeLessThanOrEqual(rank(before));
            before = r.planId!;
          }
        },
      ),
    );
  });

  it('no period payment, no plan; upgrades alone pay for nothing', () => {
    expect(planAt([upgrade('u', 'standard', 'pro', 0, 30)], at(1), PLANS)).toBeNull();
  });

  it('for any stack of upgrades and any refunds in any order, the plan in force is paid for and never rises', () => {
    const planIds = ['standard', 'premium', 'pro'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.record({ day: fc.integer({ min: 1, max: 28 }), up: fc.integer({ min: 1, max: 2 }) }), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (baseIdx, ups, picks) => {
          let payments: CoveragePayment[] = [period('s', planIds[baseIdx], 0)];
          // Upgrades in time order, each from the plan in force to a higher one, to the period end.
          let current = planIds[baseIdx];
          const sorted = [...ups].sort((a, b) => a.day - b.day);
          sorted.forEach((u, i) => {
            const target = planIds[Math.min(planIds.indexOf(current) + u.up, planIds.length - 1)];
            if (target === current) return;
            payments.push(upgrade(`u${i}`, current, target, u.day, 30));
            current = target;
          });
          const now = at(29);
          expect(planAt(payments, now, PLANS)).toBe(current);
          let before = current;
          for (const pick of picks) {
            const live = payments.filter((p) => !p.refunded && p.kind === 'upgrade');
            if (live.length === 0) break;
            const r = coverageAfterRefund({ payments, refundedId: live[pick % live.length].id, periodEnd: at(30), now, plans: PLANS });
            payments = r.payments;
            const plan = r.planId!;
            const covering = payments.filter((p) => !p.refunded && p.start <= now && now < p.end);
            const rate = covering.reduce((a, p) => a + (p.kind === 'period' ? price(p.planId) : price(p.planId) - price(p.fromPlanId!)), 0);
            expect(price(plan)).toBeLessThanOrEqual(rate);
            expect(rank(plan)).toBeLessThanOrEqual(rank(before));
            expect(rank(plan)).toBeGreaterThanOrEqual(baseIdx + 1);
            before = plan;
          }
          if (payments.every((p) => p.kind === 'period' || p.refunded)) expect(planAt(payments, now, PLANS)).toBe(planIds[baseIdx]);
        },
      ),
    );
  });
});
