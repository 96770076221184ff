/** What the 내 구독 components derive from the loaded data (display state only, no money rules). */
import type { PlanView } from '../../api.ts';
import { PROVIDER_NAMES } from '../../format.ts';
import type { Data } from './data.ts';

export interface SubscriptionModel extends Data {
  planOf(id: string | null | undefined): PlanView | undefined;
  plan: PlanView | undefined;
  /** The plan of the next renewal, as the API states it. */
  nextPlan: PlanView | undefined;
  /** A scheduled downgrade. */
  pending: PlanView | undefined;
  provider: string | null;
  providerName: string | null;
  pastDue: boolean;
  /** Active or past due: there is something to manage. */
  running: boolean;
  periodEnd: string | null;
  next: Data['renewal']['next_renewal'];
  /** The next renewal's price as the API states it (never recomputed here). */
  nextPrice: number | null;
}

export function subscriptionModel(data: Data): SubscriptionModel {
  const { sub, renewal, plans } = data;
  const planOf = (id: string | null | undefined) => (id ? plans.find((p) => p.id === id) : undefined);
  const provider = sub.provider ?? renewal.provider;
  const pastDue = sub.status === 'past_due';
  const next = renewal.next_renewal;
  return {
    ...data,
    planOf,
    plan: planOf(sub.plan),
    nextPlan: planOf(renewal.next_renewal?.plan ?? renewal.next_plan ?? sub.pending_plan ?? sub.plan),
    pending: planOf(sub.pending_plan),
    provider,
    providerName: provider ? (PROVIDER_NAMES[provider] ?? provider) : null,
    pastDue,
    running: sub.is_active && (sub.status === 'active' || pastDue),
    periodEnd: sub.current_period?.end ?? sub.expire_date,
    next,
    nextPrice: next ? (next.charge_krw ?? next.price_krw) : null,
  };
}
