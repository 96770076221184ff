import { describe, expect, it } from 'vitest';
import { compareLedgers, type OurPayment, type ProviderEntry } from '../../chaos/audit.ts';

// The chaos run's audit (chaos/audit.ts): every figure it can report, from hand-made ledgers.

const pay = (id: string, status: string, extra: Partial<OurPayment> = {}): OurPayment => ({
  id,
  kind: 'checkout',
  status,
  provider: 'kakaopay',
  amount: 29000,
  refunded: 0,
  billing_cycle_id: null,
  next_lookup_at: null,
  ...extra,
});
const charge = (orderKey: string, extra: Partial<ProviderEntry> = {}): ProviderEntry => ({
  provider: 'kakaopay',
  ref: `T-${orderKey}`,
  orderKey,
  approvedKrw: 29000,
  canceledKrw: 0,
  ...extra,
});

describe('compareLedgers', () => {
  it('a matching ledger: paid, refunded and compensated payments count nothing', () => {
    const r = compareLedgers(
      [charge('pay_1'), charge('pay_2', { canceledKrw: 29000 }), charge('pay_3', { canceledKrw: 29000 }), charge('pay_r', { provider: 'naverpay' })],
      [
        pay('pay_1', 'approved'),
        pay('pay_2', 'refunded', { refunded: 29000 }),
        // Approved at the provider after we refused it, and cancelled there at once.
        pay('pay_3', 'declined'),
        pay('pay_r', 'approved', { kind: 'renewal', provider: 'naverpay', billing_cycle_id: 'cyc_1' }),
        pay('pay_open', 'ready', { next_lookup_at: new Date() }),
      ],
      [{ payment_id: 'pay_2', status: 'succeeded', amount: 29000 }],
      [],
    );
    expect(r).toMatchObject({ checkouts: 2, renewals: 1, refunds: 1, lost: 0, doubled: 0, stuck: 0, refundMismatches: 0, phantom: 0, openCheckouts: 1 });
    expect(r.details).toEqual([]);
  });

  it('lost: charged at the provider, not paid with us (or no payment row at all)', () => {
    const r = compareLedgers([charge('pay_1'), charge('pay_gone')], [pay('pay_1', 'ready')], [], []);
    expect(r.lost).toBe(2);
  });

  it('doubled: two charges for one order key, or two paid payments for one billing cycle', () => {
    const r = compareLedgers(
      [charge('pay_1'), charge('pay_1', { ref: 'T-second' }), charge('pay_a'), charge('pay_b')],
      [pay('pay_1', 'approved'), pay('pay_a', 'approved', { kind: 'renewal', billing_cycle_id: 'cyc_1' }), pay('pay_b', 'approved', { kind: 'renewal', billing_cycle_id: 'cyc_1' })],
      [],
      [],
    );
    expect(r.doubled).toBe(2);
  });

  it('stuck: payments and refunds without an outcome, and due renewals not charged', () => {
    const r = compareLedgers(
      [charge('pay_2')],
      [pay('pay_1', 'approving'), pay('pay_2', 'unknown', { kind: 'renewal' })],
      [{ payment_id: 'pay_9', status: 'unknown', amount: 100 }],
      [{ id: 'cyc_1', status: 'retrying', sub_status: 'past_due' }],
    );
    // pay_2 is charged at the provider and not paid with us: stuck and lost.
    expect(r).toMatchObject({ stuck: 4, lost: 1 });
  });

  it('refund mismatches and phantom payments', () => {
    const r = compareLedgers(
      [charge('pay_1', { canceledKrw: 5000 }), charge('pay_2', { approvedKrw: 19000 })],
      [pay('pay_1', 'partially_refunded', { refunded: 4000 }), pay('pay_2', 'approved'), pay('pay_3', 'approved')],
      [{ payment_id: 'pay_1', status: 'succeeded', amount: 4000 }],
      [],
    );
    expect(r).toMatchObject({ refundMismatches: 1, phantom: 2 });
  });
});
