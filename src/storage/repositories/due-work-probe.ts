import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { checkoutExpiryCutoff } from '../../domain/payment/checkout-expiry.ts';

/** The kinds of background work the probe answers for: the job tasks' names (worker/jobs.ts) and the renewal tick's own parts. */
export const PROBED_KINDS = ['renewals', 'reconcile', 'webhooks', 'notices', 'price-announcements', 'revocations', 'checkout_expiry'] as const;
type ProbedKind = (typeof PROBED_KINDS)[number];

/**
 * "Is anything due?" for the worker's idle tick (issue 15): one statement answers for every kind
 * of background work at once, so a tick with nothing due costs one round trip instead of one or
 * more per kind. Kinds it does not know are always reported due (never skipped).
 *
 * Each column is true whenever that kind's claim query could find an item at `now` (the same
 * condition or a wider one), so a kind probed false had nothing due. Each reads the partial index
 * its claim query uses, through `min()` (an index endpoint) or `EXISTS` without parameters, with
 * the states written as literals: the plan stays an index probe even as a generic plan of a
 * prepared statement, and reads a few pages however many subscriptions and payments there are.
 */
export class DueWorkProbe {
  /** The shortest checkout lifetime gives the latest cutoff: every provider's expired checkouts are before it. */
  private readonly shortestCheckoutLifetimeMs: number | null;

  constructor(
    private readonly db: Kysely<Database>,
    opts: { checkoutLifetimesMs?: Readonly<Record<string, number>> } = {},
  ) {
    const lifetimes = Object.values(opts.checkoutLifetimesMs ?? {}).filter((ms) => ms > 0);
    this.shortestCheckoutLifetimeMs = lifetimes.length ? Math.min(...lifetimes) : null;
  }

  /** Which of `kinds` may have work due at `now` (unknown kinds included). */
  async due(now: Date, kinds: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>(PROBED_KINDS);
    const due = new Set(kinds.filter((k) => !known.has(k)));
    if (due.size === kinds.length) return due;
    // No checkout lifetime configured: the expiry task is not registered and nothing expires.
    const checkoutCutoff = this.shortestCheckoutLifetimeMs === null ? new Date(0) : checkoutExpiryCutoff(now, this.shortestCheckoutLifetimeMs);
    const { rows } = await sql<Record<ProbedKind, boolean | null>>`SELECT
        -- renew-subscription.ts claimDueRenewals → KyselyRenewalRepository.claimDueSubscriptions
        (SELECT min(next_renewal_at) FROM subscriptions) <= ${now} AS renewals,
        -- worker/tasks/reconcile-payments.ts: listPaymentsDueForLookup, then syncStaleRefunds (any age: its cutoff reads the clock)
        ((SELECT min(next_lookup_at) FROM payments) <= ${now}
          OR EXISTS (SELECT 1 FROM refunds WHERE status IN ('requested', 'unknown'))) AS reconcile,
        -- KyselyWebhookRepository.fanOut, then claimDue
        (EXISTS (SELECT 1 FROM engine_event_fanout)
          OR (SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending') <= ${now}) AS webhooks,
        -- KyselyRenewalRepository.claimPendingNotices
        (SELECT min(next_attempt_at) FROM notices WHERE status = 'pending') <= ${now} AS notices,
        -- KyselyPriceRepository.claimAnnouncements
        EXISTS (SELECT 1 FROM plan_prices WHERE announced_at IS NULL) AS "price-announcements",
        -- KyselyRenewalRepository.claimDueRevocations
        (SELECT min(next_attempt_at) FROM billing_key_revocations WHERE status = 'pending') <= ${now} AS revocations,
        -- use-cases/expire-checkouts.ts → KyselyBillingRepository.listExpiredCheckouts, per provider
        (SELECT min(created_at) FROM payments
          WHERE kind IN ('checkout', 'upgrade', 'registration') AND status = 'ready' AND next_lookup_at IS NULL) < ${checkoutCutoff} AS checkout_expiry`.execute(
      this.db,
    );
    const row = rows[0];
    for (const k of kinds) if (known.has(k) && row?.[k as ProbedKind] === true) due.add(k);
    return due;
  }
}
