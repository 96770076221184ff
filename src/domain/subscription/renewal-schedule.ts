/**
 * The renewal calendar as pure functions. All times are instants; all durations are
 * milliseconds.
 *
 * - Attempt 1 is made at the period end (= the new period's start). A declined attempt k is
 *   retried at `periodStart + retryOffsetsMs[k - 1]` (default +1, +3, +5 days); after the last
 *   offset there is no further automatic attempt.
 * - From the first failure the subscription is `past_due` and keeps its entitlements until
 *   `periodStart + graceMs` (default 7 days). A retry at or after the grace end is not made.
 *   When the grace period ends unpaid, the subscription expires.
 * - The pre-renewal notice goes out `noticeLeadMs` (default 7 days) before the period end.
 */
export interface RenewalSettings {
  retryOffsetsMs: readonly number[];
  graceMs: number;
  noticeLeadMs: number;
  /** How long a claimed charge belongs to the worker that claimed it before another one may look it up. */
  leaseMs: number;
  /** Wait after a charge with an unknown outcome before asking the provider. */
  syncDelayMs: number;
  /**
   * After a billing-key charge with an unknown outcome was sent to a provider whose charge has
   * no idempotency key (KakaoPay), how long a lookup that finds nothing keeps the payment
   * `unknown`: that attempt may still commit later. Only after this long since the last send
   * does "not found" prove that nothing was charged (and allow a new charge).
   */
  unknownChargeHoldMs: number;
  /** Wait before repeating a charge the provider did not process (outage, maintenance). */
  transientRetryMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_RENEWAL_SETTINGS: RenewalSettings = Object.freeze({
  retryOffsetsMs: Object.freeze([1 * DAY_MS, 3 * DAY_MS, 5 * DAY_MS]),
  graceMs: 7 * DAY_MS,
  noticeLeadMs: 7 * DAY_MS,
  leaseMs: 10 * 60 * 1000,
  syncDelayMs: 60 * 1000,
  unknownChargeHoldMs: 60 * 1000,
  transientRetryMs: 30 * 60 * 1000,
});

/** When the subscription's grace period ends for a renewal period starting at `periodStart`. */
export function graceEndsAt(periodStart: Date, s: RenewalSettings): Date {
  return new Date(periodStart.getTime() + s.graceMs);
}

/** When the notice before the renewal at `periodEnd` is due. */
export function noticeDueAt(periodEnd: Date, s: RenewalSettings): Date {
  return new Date(periodEnd.getTime() - s.noticeLeadMs);
}

/**
 * When the attempt after `attemptsMade` failed attempts is due, or null when none is left
 * (offsets exhausted, or the next one would fall at or after the grace end).
 */
export function nextAttemptAt(periodStart: Date, attemptsMade: number, s: RenewalSettings): Date | null {
  if (attemptsMade === 0) return periodStart;
  const offset = s.retryOffsetsMs[attemptsMade - 1];
  if (offset === undefined) return null;
  const at = new Date(periodStart.getTime() + offset);
  return at < graceEndsAt(periodStart, s) ? at : null;
}

/** The earlier of two optional instants. */
export function earliest(...dates: (Date | null | undefined)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (best === null || d < best)) best = d;
  return best;
}

/** Parses "1,3,5" (days) into ascending offsets in ms; throws on anything else. */
export function parseRetryDays(value: string): number[] {
  const days = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (days.some((d) => !Number.isFinite(d) || d <= 0)) throw new RangeError(`retry days must be positive numbers: ${value}`);
  for (let i = 1; i < days.length; i++) {
    if (days[i] <= days[i - 1]) throw new RangeError(`retry days must be ascending: ${value}`);
  }
  return days.map((d) => Math.round(d * DAY_MS));
}
