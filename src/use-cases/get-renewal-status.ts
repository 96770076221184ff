import type { Krw } from '../domain/money.ts';
import type { PriceVersion } from '../domain/plan-prices.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingCycle, BillingKeyRevocation } from '../domain/subscription/renewal-records.ts';
import { firstRenewalFrom, versionToConsent, type RenewalTerms } from '../domain/subscription/renewal-terms.ts';
import type { UseCaseContext } from './context.ts';
import { renewalTermsOf } from './price-book.ts';

/** A higher price the subscriber is asked to consent to (or consented to), for the next or a later renewal. */
export interface PriceChange {
  planId: string;
  version: PriceVersion;
  fromKrw: Krw | null;
  /** The first renewal charging it (the next one, or the first at or after its effective date). */
  firstChargeAt: Date;
  consented: boolean;
}

export interface RenewalStatus {
  subscription: Subscription | null;
  /** The open renewal period, if one was scheduled already. */
  cycle: BillingCycle | null;
  /**
   * The plan and price of the next renewal (domain/subscription/renewal-terms.ts), also while
   * auto-renewal is off: what turning it back on would charge. Null without a running period.
   */
  terms: RenewalTerms | null;
  /** When and what the next automatic charge is, if auto-renewal is on (null amount: no consent, no charge). */
  nextChargeAt: Date | null;
  nextChargeKrw: Krw | null;
  nextPlanId: string | null;
  /** The next renewal's price is above what the subscriber agreed to and they have not consented: no charge. */
  priceConsentRequired: boolean;
  priceChange: PriceChange | null;
  /** Where the subscription's billing key stands (see `billingKeyStateOf`). */
  billingKey: { state: BillingKeyState; revokedAt: Date | null };
}

/**
 * `registered`: the subscription holds a key (also while 해지 예약: it is revoked at the period
 * end); `revoking`: the key given up last is queued for revocation and the provider has not
 * confirmed yet; `revoked`: the provider confirmed; `revoke_failed`: given up, an operator
 * follows up; `none`: never had one.
 */
export type BillingKeyState = 'registered' | 'revoking' | 'revoked' | 'revoke_failed' | 'none';

export function billingKeyStateOf(sub: Subscription | null, latest: BillingKeyRevocation | undefined): BillingKeyState {
  if (sub?.billingKey) return 'registered';
  if (!latest) return 'none';
  return latest.status === 'done' ? 'revoked' : latest.status === 'failed' ? 'revoke_failed' : 'revoking';
}

/** The renewal side of a subscription, for the subscription management screen. */
export async function getRenewalStatus(ctx: UseCaseContext, userId: string): Promise<RenewalStatus> {
  const sub = (await ctx.repo.findSubscriptionByUser(userId)) ?? null;
  if (!sub) {
    return {
      subscription: null,
      cycle: null,
      terms: null,
      nextChargeAt: null,
      nextChargeKrw: null,
      nextPlanId: null,
      priceConsentRequired: false,
      priceChange: null,
      billingKey: { state: 'none', revokedAt: null },
    };
  }
  const [cycle] = await ctx.repo.renewals().findOpenCycles([sub.id]);
  const latest = sub.billingKey ? undefined : await ctx.repo.renewals().findLatestRevocation(sub.id);
  const running = sub.status === 'active' || sub.status === 'past_due';
  const renewing = running && sub.autoRenew && !!sub.billingKey;
  const terms = running ? (await renewalTermsOf(ctx, sub)).terms : null;
  return {
    subscription: sub,
    cycle: cycle ?? null,
    terms,
    nextChargeAt: renewing ? (cycle?.nextAttemptAt ?? (sub.status === 'active' ? sub.currentPeriodEnd : null)) : null,
    nextChargeKrw: renewing ? (terms?.chargeKrw ?? null) : null,
    nextPlanId: renewing ? (terms?.planId ?? null) : null,
    priceConsentRequired: renewing && terms?.consent === 'required',
    priceChange: terms ? priceChangeOf(terms, ctx.plans.periodMs) : null,
    billingKey: { state: billingKeyStateOf(sub, latest), revokedAt: latest?.doneAt ?? null },
  };
}

function priceChangeOf(terms: RenewalTerms, periodMs: number): PriceChange | null {
  const now = terms.consent !== 'not_needed';
  const version = versionToConsent(terms) ?? (now ? terms.version : (terms.upcoming?.version ?? null));
  if (!version) return null;
  const first = version.id === terms.version.id ? terms.chargeAt : firstRenewalFrom(terms.chargeAt, version.effectiveAt, periodMs);
  const consented = version.id === terms.version.id ? terms.consent === 'given' : (terms.upcoming?.consented ?? false);
  return { planId: terms.planId, version, fromKrw: terms.agreedKrw, firstChargeAt: first, consented };
}
