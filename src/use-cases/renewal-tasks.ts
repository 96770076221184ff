/**
 * What a claimed subscription needs after the claim transaction committed: a charge with the
 * billing key, or a lookup of a charge whose outcome is unknown. Each runs on its own; the
 * task functions re-read the payment before acting.
 */
export type RenewalTask =
  | { kind: 'charge'; paymentId: string; billingKey: string }
  | { kind: 'sync'; paymentId: string };

export type RenewalOutcome = 'approved' | 'declined' | 'unknown' | 'deferred' | 'not_charged' | 'skipped';

/** What one claim transaction did: how many subscriptions it stepped, and the provider calls to make now. */
export interface ClaimResult {
  claimed: number;
  tasks: RenewalTask[];
}
