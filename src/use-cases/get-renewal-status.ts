import type { Krw } from '../domain/money.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingCycle, BillingKeyRevocation } from '../domain/subscription/renewal-records.ts';
import type { UseCaseContext } from './context.ts';

export interface RenewalStatus {
  subscription: Subscription | null;
  /** The open renewal period, if one was scheduled already. */
  cycle: BillingCycle | null;
  /** When and what the next automatic charge is, if auto-renewal is on. */
  nextChargeAt: Date | null;
  nextChargeKrw: Krw | null;
  nextPlanId: string | null;
  /** The configured price is above what the subscriber agreed to: no charge until they consent. */
  priceConsentRequired: boolean;
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
      nextChargeAt: null,
      nextChargeKrw: null,
      nextPlanId: null,
      priceConsentRequired: false,
      billingKey: { state: 'none', revokedAt: null },
    };
  }
  const [cycle] = await ctx.repo.renewals().findOpenCycles([sub.id]);
  const latest = sub.billingKey ? undefined : await ctx.repo.renewals().findLatestRevocation(sub.id);
  const renewing = (sub.status === 'active' || sub.status === 'past_due') && sub.autoRenew && !!sub.billingKey;
  const nextPlan = ctx.plans.find(cycle?.planId ?? sub.pendingPlanId ?? sub.planId) ?? null;
  const consent = nextPlan !== null && sub.agreedPriceKrw !== null && nextPlan.priceKrw > sub.agreedPriceKrw;
  return {
    subscription: sub,
    cycle: cycle ?? null,
    nextChargeAt: renewing ? (cycle?.nextAttemptAt ?? (sub.status === 'active' ? sub.currentPeriodEnd : null)) : null,
    nextChargeKrw: renewing && nextPlan ? nextPlan.priceKrw : null,
    nextPlanId: renewing ? (nextPlan?.id ?? null) : null,
    priceConsentRequired: renewing && consent,
    billingKey: { state: billingKeyStateOf(sub, latest), revokedAt: latest?.doneAt ?? null },
  };
}
