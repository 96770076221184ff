/**
 * Reconciliation schedule of a checkout approval (issue 9 item 14, docs/faults.md).
 *
 * Once we send an approval to the provider, its answer may be lost (timeout) or the provider may
 * commit it after we gave up. Such a payment keeps `next_lookup_at` until the provider's answer
 * is final: approved, declined, or abandoned (cancelled / expired). The worker's reconcile task
 * asks the provider when it is due; a lookup without a final answer schedules the next one with
 * exponential backoff.
 */

/**
 * An approving claim is a lease: it belongs to the request that made it for this long, and that
 * request renews it every third of it while it calls the provider (`approve-checkout.ts`). A
 * claim past its lease belongs to nobody (the request died): the user's next approve, or the
 * worker, asks the provider at once (issue 12: it used to block the user for 5 minutes).
 */
export const APPROVING_CLAIM_MS = 30_000;
/** First lookup delay after a lookup without a final answer; doubles per attempt. */
export const LOOKUP_BASE_DELAY_MS = 60_000;
/** Longest pause between two lookups. */
export const LOOKUP_MAX_DELAY_MS = 60 * 60_000;
/**
 * After this long since the checkout was created, "not approved (yet)" is final: both providers
 * stop accepting an approval long before (KakaoPay: tid valid 15 min; NaverPay: 10 min after the
 * user's approval on its page), so the checkout is abandoned.
 */
export const LOOKUP_HORIZON_MS = 24 * 60 * 60_000;

/** When a claim made or renewed at `now` (ready → approving) lapses, if its request does not settle it. */
export function lookupAfterClaim(now: Date): Date {
  return new Date(now.getTime() + APPROVING_CLAIM_MS);
}

/** Delay before lookup number `attempts + 1`, `attempts` lookups having been made. */
export function lookupDelayMs(attempts: number): number {
  return Math.min(LOOKUP_MAX_DELAY_MS, LOOKUP_BASE_DELAY_MS * 2 ** Math.min(Math.max(0, attempts - 1), 20));
}

/** The next lookup after one more lookup without a final answer. */
export function nextLookup(now: Date, previousAttempts: number): { nextLookupAt: Date; lookupAttempts: number } {
  const lookupAttempts = previousAttempts + 1;
  return { nextLookupAt: new Date(now.getTime() + lookupDelayMs(lookupAttempts)), lookupAttempts };
}

/** True when a checkout created at `createdAt` can no longer be approved by its provider. */
export function pastLookupHorizon(createdAt: Date, now: Date): boolean {
  return now.getTime() - createdAt.getTime() > LOOKUP_HORIZON_MS;
}

/** True when an `approving` claim's lease ran out: the request that made it is gone. */
export function claimLapsed(nextLookupAt: Date | null, now: Date): boolean {
  return nextLookupAt !== null && nextLookupAt.getTime() <= now.getTime();
}
