import type { UseCaseContext } from './context.ts';
import { chargeRenewal } from './charge-renewal.ts';
import { claimSubscription } from './renew-subscription.ts';
import type { RenewalOutcome } from './renewal-tasks.ts';
import { syncSubscriptionPayment } from './sync-subscription-payment.ts';

/**
 * Steps one subscription at once (an operator's "retry now"): the same claim as the worker's
 * (it must be due: `next_renewal_at <= now`), then the provider call it asks for, if any.
 * Returns what happened to the charge, or `skipped` when the step needed no provider call.
 */
export async function stepSubscriptionNow(ctx: UseCaseContext, subscriptionId: string, now: Date): Promise<RenewalOutcome> {
  const { tasks } = await claimSubscription(ctx, subscriptionId, now);
  const task = tasks[0];
  if (!task) return 'skipped';
  return task.kind === 'charge' ? chargeRenewal(ctx, task, now) : syncSubscriptionPayment(ctx, task.paymentId, now);
}
