import type { Krw } from '../money.ts';
import type { PriceBook, PriceVersion } from '../plan-prices.ts';
import type { Subscription } from '../records.ts';

/** Whether the next renewal's price needs the subscriber's consent (docs/pricing.md). */
export type PriceConsent = 'not_needed' | 'given' | 'required';

/**
 * The plan and price the next renewal charges: the one source of truth read by the renewal
 * worker (notice, cycle, charge), the status API and, through it, every dialog of the web app.
 */
export interface RenewalTerms {
  /** The plan of the next period: the scheduled downgrade, else the current plan. */
  planId: string;
  /** The instant whose price applies: the start of the next period (the current period's end). */
  chargeAt: Date;
  /** The price version in force at `chargeAt`. */
  version: PriceVersion;
  /** The price the subscriber agreed to for that plan (null: none recorded, the list price applies). */
  agreedKrw: Krw | null;
  /**
   * What the next renewal charges: the version's price when it is not above the agreed price
   * (a decrease applies at once) or the subscriber consented to it; null when a higher price
   * lacks consent — then nothing is charged and the subscription ends with its period.
   */
  chargeKrw: Krw | null;
  consent: PriceConsent;
  /**
   * An announced higher price for that plan taking effect after `chargeAt` (it applies at a
   * later renewal), and whether the subscriber consented to it already.
   */
  upcoming: { version: PriceVersion; consented: boolean } | null;
}

type TermsFields = Pick<Subscription, 'planId' | 'pendingPlanId' | 'agreedPriceKrw' | 'pendingPriceKrw' | 'consentedPriceId' | 'currentPeriodEnd'>;

/**
 * The terms of the next renewal of `sub` (null: no period to renew, or the plan is not sold).
 * Pure: the same subscription and price book give the same answer wherever it is asked.
 */
export function nextRenewalTerms(sub: TermsFields, book: PriceBook): RenewalTerms | null {
  if (!sub.currentPeriodEnd) return null;
  const planId = sub.pendingPlanId ?? sub.planId;
  const chargeAt = sub.currentPeriodEnd;
  const version = book.versionAt(planId, chargeAt);
  if (!version) return null;
  // The price agreed for the plan that renews: a scheduled downgrade's own price, else the current plan's.
  const agreedKrw = sub.pendingPlanId ? sub.pendingPriceKrw : sub.agreedPriceKrw;
  let consent: PriceConsent = 'not_needed';
  if (agreedKrw !== null && version.priceKrw > agreedKrw) consent = sub.consentedPriceId === version.id ? 'given' : 'required';
  const chargeKrw = consent === 'required' ? null : version.priceKrw;
  const basis = chargeKrw ?? agreedKrw ?? version.priceKrw;
  const next = book.versions(planId).find((v) => v.effectiveAt.getTime() > chargeAt.getTime() && v.priceKrw > basis);
  return {
    planId,
    chargeAt,
    version,
    agreedKrw,
    chargeKrw,
    consent,
    upcoming: next ? { version: next, consented: sub.consentedPriceId === next.id } : null,
  };
}

/** The price version a consent given now applies to: the one required for the next renewal, else an announced one. */
export function versionToConsent(terms: RenewalTerms): PriceVersion | null {
  if (terms.consent === 'required') return terms.version;
  if (terms.upcoming && !terms.upcoming.consented) return terms.upcoming.version;
  return null;
}

/** The first renewal at or after `effectiveAt`, counting whole periods from the next one (`chargeAt`). */
export function firstRenewalFrom(chargeAt: Date, effectiveAt: Date, periodMs: number): Date {
  const gap = effectiveAt.getTime() - chargeAt.getTime();
  return gap <= 0 ? chargeAt : new Date(chargeAt.getTime() + Math.ceil(gap / periodMs) * periodMs);
}
