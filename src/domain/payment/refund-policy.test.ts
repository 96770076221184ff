import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { krw, vatIncluded } from '../money.ts';
import { reachableStates } from '../state-machine.ts';
import { IllegalTransitionError } from '../errors.ts';
import { cancelRefund, proratedRefund, refundVat, withdrawalDeadline, withdrawalRefusal } from './refund-policy.ts';
import { REFUND_STATUSES, REFUND_TRANSITIONS, assertRefundTransition } from './refund-states.ts';

const DAY = 86_400_000;

describe('refund states', () => {
  it('every state is reachable from requested', () => {
    expect([...reachableStates(REFUND_TRANSITIONS, 'requested')].sort()).toEqual([...REFUND_STATUSES].sort());
  });
  it('a settled refund stays settled', () => {
    expect(() => assertRefundTransition('ref_1', 'succeeded', 'failed')).toThrow(IllegalTransitionError);
    expect(() => assertRefundTransition('ref_1', 'failed', 'requested')).toThrow(/failed → requested/);
  });
});

describe('refundVat', () => {
  it("the adapter author's example: 10,000 (909) → 3,000 (273) then 7,000 (636)", () => {
    const first = refundVat({ amountKrw: krw(3000), refundableBeforeKrw: krw(10000), paymentVatKrw: krw(909), vatRefundedKrw: krw(0) });
    expect(first).toBe(273);
    const last = refundVat({ amountKrw: krw(7000), refundableBeforeKrw: krw(7000), paymentVatKrw: krw(909), vatRefundedKrw: first });
    expect(last).toBe(636);
  });
  it('a full refund takes the whole VAT', () => {
    expect(refundVat({ amountKrw: krw(29000), refundableBeforeKrw: krw(29000), paymentVatKrw: krw(2636), vatRefundedKrw: krw(0) })).toBe(2636);
  });
  it('tiny refunds that round to 0 VAT still leave the last refund enough amount for the VAT left', () => {
    // 100 (VAT 9): 95 one-won refunds carry no VAT until the VAT left would exceed the amount left.
    let vatRefunded = 0;
    for (let left = 100; left > 1; left--) {
      vatRefunded += refundVat({ amountKrw: krw(1), refundableBeforeKrw: krw(left), paymentVatKrw: krw(9), vatRefundedKrw: krw(vatRefunded) });
      expect(9 - vatRefunded).toBeLessThanOrEqual(left - 1);
    }
    expect(vatRefunded + refundVat({ amountKrw: krw(1), refundableBeforeKrw: krw(1), paymentVatKrw: krw(9), vatRefundedKrw: krw(vatRefunded) })).toBe(9);
  });
  it('refunds in any split add up to the payment VAT exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }), (total, weights) => {
        const amount = krw(total);
        const vat = vatIncluded(amount);
        const sum = weights.reduce((a, b) => a + b, 0);
        let left = total;
        let vatRefunded = 0;
        for (let i = 0; i < weights.length && left > 0; i++) {
          const part = i === weights.length - 1 ? left : Math.min(left, Math.max(1, Math.floor((total * weights[i]) / sum)));
          const v = refundVat({ amountKrw: krw(part), refundableBeforeKrw: krw(left), paymentVatKrw: vat, vatRefundedKrw: krw(vatRefunded) });
          expect(v).toBeLessThanOrEqual(part);
          expect(vatRefunded + v).toBeLessThanOrEqual(vat);
          vatRefunded += v;
          left -= part;
        }
        if (left === 0) expect(vatRefunded).toBe(vat);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('proratedRefund', () => {
  const start = new Date('2026-03-01T00:00:00Z');
  const end = new Date(start.getTime() + 30 * DAY);
  it('refunds whole unused days, rounding down, and names the remainder', () => {
    // 10 days and 1 hour used: 19 whole days left (the day in progress is not refunded).
    const r = proratedRefund({ amountKrw: krw(29000), periodStart: start, periodEnd: end, now: new Date(start.getTime() + 10 * DAY + 3_600_000) });
    expect(r).toEqual({ remainingDays: 19, periodDays: 30, refundKrw: 18366, retainedKrw: 10634 }); // 29000 × 19 / 30 = 18366.67
  });
  it('a period not started yet is refunded in full; an ended one not at all', () => {
    expect(proratedRefund({ amountKrw: krw(59000), periodStart: start, periodEnd: end, now: new Date(start.getTime() - 5 * DAY) }).refundKrw).toBe(59000);
    expect(proratedRefund({ amountKrw: krw(59000), periodStart: start, periodEnd: end, now: end }).refundKrw).toBe(0);
  });
  it('policy none refunds nothing', () => {
    expect(cancelRefund('none', { amountKrw: krw(99000), periodStart: start, periodEnd: end, now: start })).toEqual({ remainingDays: 0, periodDays: 30, refundKrw: 0, retainedKrw: 99000 });
  });
  it('an upgrade payment is prorated over its own period (upgrade instant → period end), not over 30 days', () => {
    // Upgraded with 20 days left for 20,000 won; canceled 1 day and 1 hour later: 18 of 20 days unused.
    const upStart = new Date(start.getTime() + 10 * DAY);
    const r = proratedRefund({ amountKrw: krw(20000), periodStart: upStart, periodEnd: end, now: new Date(upStart.getTime() + DAY + 3_600_000) });
    expect(r).toEqual({ remainingDays: 18, periodDays: 20, refundKrw: 18000, retainedKrw: 2000 });
    // An upgrade over two prepaid periods (45 days): 44 whole days of 45 left.
    const long = proratedRefund({ amountKrw: krw(45000), periodStart: upStart, periodEnd: new Date(upStart.getTime() + 45 * DAY), now: new Date(upStart.getTime() + 3_600_000) });
    expect(long).toMatchObject({ remainingDays: 44, periodDays: 45, refundKrw: 44000 });
  });
  it('never refunds more than was paid, over any period length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.integer({ min: 1, max: 400 * DAY }),
        fc.integer({ min: -40 * DAY, max: 440 * DAY }),
        (amount, span, offset) => {
          const periodEnd = new Date(start.getTime() + span);
          const r = proratedRefund({ amountKrw: krw(amount), periodStart: start, periodEnd, now: new Date(start.getTime() + offset) });
          expect(r.refundKrw + r.retainedKrw).toBe(amount);
          expect(r.refundKrw).toBeLessThanOrEqual(amount);
          expect(r.remainingDays).toBeGreaterThanOrEqual(0);
          expect(r.remainingDays * DAY).toBeLessThanOrEqual(span);
          if (span === 30 * DAY) expect(r.refundKrw).toBe(Math.floor((amount * r.remainingDays) / 30));
        },
      ),
    );
  });
});

describe('withdrawal (청약철회)', () => {
  const approvedAt = new Date('2026-03-01T00:00:00Z');
  const base = { approvedAt, withdrawalDays: 7, usedSinceApproval: false, refundableKrw: krw(29000) };
  it('is allowed for 7 × 24 hours after approval when nothing was used', () => {
    expect(withdrawalDeadline(approvedAt, 7)).toEqual(new Date('2026-03-08T00:00:00Z'));
    expect(withdrawalRefusal({ ...base, now: new Date('2026-03-07T23:59:59Z') })).toBeNull();
    expect(withdrawalRefusal({ ...base, now: new Date('2026-03-08T00:00:00Z') })).toBe('withdrawal_period_over');
  });
  it('is refused after paid features were used, or when nothing is left', () => {
    expect(withdrawalRefusal({ ...base, now: approvedAt, usedSinceApproval: true })).toBe('features_used');
    expect(withdrawalRefusal({ ...base, now: approvedAt, refundableKrw: krw(0) })).toBe('nothing_left');
    expect(withdrawalRefusal({ ...base, now: approvedAt, approvedAt: null })).toBe('not_paid');
  });
});
