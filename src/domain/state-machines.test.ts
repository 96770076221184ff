import { describe, expect, it } from 'vitest';
import { PAYMENT_STATUSES, PAYMENT_TRANSITIONS, assertPaymentTransition } from './payment/payment-states.ts';
import { SUBSCRIPTION_STATUSES, SUBSCRIPTION_TRANSITIONS } from './subscription/subscription-states.ts';
import { reachableStates } from './state-machine.ts';
import { IllegalTransitionError } from './errors.ts';

describe('payment states', () => {
  it('every state is reachable from ready', () => {
    expect([...reachableStates(PAYMENT_TRANSITIONS, 'ready')].sort()).toEqual([...PAYMENT_STATUSES].sort());
  });
  it('refuses to leave a final state', () => {
    expect(() => assertPaymentTransition('pay_1', 'refunded', 'approved')).toThrow(IllegalTransitionError);
    expect(() => assertPaymentTransition('pay_1', 'declined', 'approved')).toThrow(/declined → approved/);
  });
  it('an unknown outcome never becomes a refund state without being approved first', () => {
    expect(PAYMENT_TRANSITIONS.unknown).not.toContain('refunded');
    expect(PAYMENT_TRANSITIONS.unknown).not.toContain('partially_refunded');
  });
});

describe('subscription states', () => {
  it('every state is reachable from pending', () => {
    expect([...reachableStates(SUBSCRIPTION_TRANSITIONS, 'pending')].sort()).toEqual([...SUBSCRIPTION_STATUSES].sort());
  });
});
