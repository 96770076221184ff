import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../errors.ts';
import { reachableStates } from '../state-machine.ts';
import { assertBillingCycleTransition, BILLING_CYCLE_STATUSES, BILLING_CYCLE_TRANSITIONS } from './billing-cycle-states.ts';

describe('billing cycle states', () => {
  it('every state is reachable from scheduled', () => {
    expect([...reachableStates(BILLING_CYCLE_TRANSITIONS, 'scheduled')].sort()).toEqual([...BILLING_CYCLE_STATUSES].sort());
  });
  it('a closed cycle stays closed', () => {
    for (const s of ['paid', 'failed', 'canceled'] as const) {
      expect(() => assertBillingCycleTransition('cyc_1', s, 'retrying')).toThrow(IllegalTransitionError);
    }
    for (const s of ['paid', 'failed'] as const) {
      expect(() => assertBillingCycleTransition('cyc_1', s, 'scheduled')).toThrow(IllegalTransitionError);
    }
  });
  it('a canceled (never charged) cycle can be scheduled again (the period end moved back onto it)', () => {
    expect(() => assertBillingCycleTransition('cyc_1', 'canceled', 'scheduled')).not.toThrow();
  });
});
