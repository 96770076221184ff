/**
 * Quotes (issue 11 item 6): the amount an operation will charge or refund, computed by the
 * server with the same rule as the operation and shown to the user before they confirm.
 *
 * Money computed from time changes while the user reads (an upgrade's prorated charge drops by a
 * won every minute or so; a refund by a day's worth at a day boundary). So the operation, when
 * given the quote it was confirmed with (`quoted_at` and the amount shown), computes at the
 * quote's instant instead of now, as long as the quote is at most `QUOTE_TTL_MS` old, and refuses
 * with QUOTE_CHANGED (nothing charged) if its result differs from the amount shown (the
 * subscription changed meanwhile). An old quote is refused with QUOTE_EXPIRED. Without a quote
 * the operation computes at now (API clients that never asked for one).
 */

/** How long a quote holds. */
export const QUOTE_TTL_MS = 10 * 60_000;
/** A quote stamped this much after our `now` is accepted (several server processes, one test clock). */
export const QUOTE_CLOCK_SKEW_MS = 5_000;

export interface QuoteStamp {
  quotedAt: Date;
  validUntil: Date;
}

export function quoteStamp(now: Date): QuoteStamp {
  return { quotedAt: now, validUntil: new Date(now.getTime() + QUOTE_TTL_MS) };
}

/**
 * The instant an operation computes at: the quote's when it is still valid at `now`, else
 * `'expired'`; `now` when there is no quote.
 */
export function pricingInstant(quotedAt: Date | null | undefined, now: Date): Date | 'expired' {
  if (!quotedAt) return now;
  const age = now.getTime() - quotedAt.getTime();
  if (age > QUOTE_TTL_MS || age < -QUOTE_CLOCK_SKEW_MS) return 'expired';
  return age < 0 ? now : quotedAt;
}
