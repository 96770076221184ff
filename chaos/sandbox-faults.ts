/**
 * The faults the chaos run scripts into the sandboxes, per money call, through their
 * `/__sandbox/script` control routes (see each sandbox README). Provider timeouts of the
 * service are `PROVIDER_TIMEOUT_MS`; "late" delays are well beyond them.
 */
export const PROVIDER_TIMEOUT_MS = 1500;
const LATE_MS = 2 * PROVIDER_TIMEOUT_MS + 500;
const SLOW_MS = Math.floor(PROVIDER_TIMEOUT_MS / 3);

export const FAULTS = [
  'none',
  /** The provider commits, then answers after our timeout (a lost reply). */
  'timeout_after_commit',
  /** The provider waits beyond our timeout, then commits (a late approval). */
  'late_commit',
  /** 503 without processing. */
  'http_5xx',
  /** Slow but within our timeout. */
  'slow',
  /** The operation succeeds; the lookups made about it fail (5xx) a few times. */
  'failed_lookups',
] as const;
export type Fault = (typeof FAULTS)[number];

export type Provider = 'kakaopay' | 'naverpay';

/** The money operation a fault applies to, in each sandbox's script vocabulary. */
type Operation = 'approve' | 'cancel' | 'charge';

interface Target {
  provider: Provider;
  operation: Operation;
  /** kakaopay: tid (approve/cancel) or sid (charge); naverpay: paymentId (approve/cancel) or recurrentId (charge). */
  key: string;
}

/** The script bodies that make `fault` happen on the target's next call. */
export function scriptsFor(fault: Fault, t: Target): object[] {
  if (fault === 'none') return [];
  if (t.provider === 'kakaopay') {
    const operation = t.operation === 'charge' ? 'subscription' : t.operation;
    const match = t.operation === 'charge' ? { sid: t.key } : { tid: t.key };
    const lookup = t.operation === 'charge' ? { operation: 'status', match: { sid: t.key } } : { operation: 'order', match: { tid: t.key } };
    switch (fault) {
      case 'timeout_after_commit':
        return [{ operation, match, delay: 'after', delay_ms: LATE_MS }];
      case 'late_commit':
        return [{ operation, match, delay: 'before', delay_ms: LATE_MS }];
      case 'http_5xx':
        return [{ operation, match, error_code: -9798 }];
      case 'slow':
        return [{ operation, match, delay: 'before', delay_ms: SLOW_MS }];
      case 'failed_lookups':
        return [
          { operation, match, delay: 'after', delay_ms: LATE_MS },
          { ...lookup, error_code: -9798, count: 2 },
        ];
    }
  }
  const operation = t.operation === 'charge' ? 'recurrent_pay_approve' : t.operation;
  const match = t.operation === 'charge' ? { recurrentId: t.key } : { paymentId: t.key };
  switch (fault) {
    case 'timeout_after_commit':
      return [{ operation, match, delay: 'after', delay_ms: LATE_MS }];
    case 'late_commit':
      return [{ operation, match, delay: 'before', delay_ms: LATE_MS }];
    case 'http_5xx':
      // Half of them commit and still answer 500: the worst kind of 5xx.
      return [{ operation, match, http_status: 503 }];
    case 'slow':
      return [{ operation, match, delay: 'before', delay_ms: SLOW_MS }];
    case 'failed_lookups':
      return [
        { operation, match, delay: 'after', delay_ms: LATE_MS },
        // History lookups cannot be matched by our order key: the next two, whoever asks.
        { operation: 'history', http_status: 503, count: 2 },
      ];
  }
}

/** A 5xx after the provider committed (NaverPay scripts can do it; KakaoPay's cannot). */
export function committedServerError(t: Target): object[] {
  if (t.provider !== 'naverpay') return scriptsFor('timeout_after_commit', t);
  const operation = t.operation === 'charge' ? 'recurrent_pay_approve' : t.operation;
  const match = t.operation === 'charge' ? { recurrentId: t.key } : { paymentId: t.key };
  return [{ operation, match, delay: 'after', delay_ms: 50, http_status: 500 }];
}
