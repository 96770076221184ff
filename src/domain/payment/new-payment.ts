import { vatIncluded, type Krw } from '../money.ts';
import type { NewPaymentRecord } from '../repositories.ts';

/** What decides a new payment; everything else starts empty (no provider reference, no outcome). */
export interface NewPaymentFields
  extends Pick<NewPaymentRecord, 'id' | 'userId' | 'subscriptionId' | 'provider' | 'kind' | 'planId' | 'recurring' | 'createdAt'> {
  /** Total charged, VAT included; the VAT is derived (`vatIncluded`). */
  amountKrw: Krw;
  /** `ready`: a checkout the user completes at the provider; `approving`: a billing-key charge about to be sent. */
  status: 'ready' | 'approving';
  /** The renewal cycle a renewal pays for. */
  billingCycleId?: string | null;
  /** The period it pays for, when known before approval (renewals, upgrades). */
  periodStart?: Date | null;
  periodEnd?: Date | null;
  /** What an upgrade was priced for: approval refuses it if the subscription moved on (docs/checkout-rules.md). */
  priced?: { periodStart: Date | null; periodEnd: Date | null; fromPlanId: string };
}

/** The one way to build a payment row before it is inserted. */
export function newPaymentRecord(f: NewPaymentFields): NewPaymentRecord {
  return {
    id: f.id,
    userId: f.userId,
    subscriptionId: f.subscriptionId,
    provider: f.provider,
    kind: f.kind,
    planId: f.planId,
    amountKrw: f.amountKrw,
    vatKrw: vatIncluded(f.amountKrw),
    status: f.status,
    recurring: f.recurring,
    checkoutRef: null,
    providerRef: null,
    methodKind: null,
    methodLabel: null,
    billingCycleId: f.billingCycleId ?? null,
    periodStart: f.periodStart ?? null,
    periodEnd: f.periodEnd ?? null,
    failureCode: null,
    failureMessage: null,
    expiresAt: null,
    approvedAt: null,
    createdAt: f.createdAt,
    ...(f.priced
      ? { pricedPeriodStart: f.priced.periodStart, pricedPeriodEnd: f.priced.periodEnd, pricedFromPlanId: f.priced.fromPlanId }
      : {}),
  };
}
