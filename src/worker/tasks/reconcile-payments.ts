import type { UseCaseContext } from '../../use-cases/context.ts';
import { syncPayment } from '../../use-cases/sync-payment.ts';
import { nextLookup } from '../../domain/payment/payment-lookup.ts';
import type { RefundDeps } from '../../use-cases/refund-deps.ts';
import { syncStaleRefunds } from '../../use-cases/sync-refund.ts';

export interface ReconcileResult {
  payments: number;
  refunds: number;
}

/**
 * Task: asks the providers about payments whose approval lookup is due and settles them, then
 * about refunds left unknown. A payment is on the lookup schedule from the moment its approval
 * is claimed (it may reach the provider) until the provider's answer is final: `unknown`, an
 * `approving` claim whose request is gone (after `APPROVING_CLAIM_MS`), and a `ready` checkout
 * whose approval was sent but not (yet) confirmed; see domain/payment/payment-lookup.ts. Never
 * guesses: what the provider cannot answer is asked again later, with backoff.
 */
export async function reconcilePayments(ctx: UseCaseContext, refunds: RefundDeps | null, now: Date, limit = 50): Promise<ReconcileResult> {
  const due = await ctx.repo.listPaymentsDueForLookup(now, limit);
  let payments = 0;
  for (const p of due) {
    try {
      const r = await syncPayment(ctx, p.id);
      if (r.reconciled) payments += 1;
    } catch (err) {
      ctx.logger.warn({ payment_id: p.id, err }, 'payment reconciliation failed');
      // Ask again later, not at every tick (best effort: the database may be what failed).
      const next = nextLookup(now, p.lookupAttempts);
      await ctx.repo.reschedulePaymentLookup(p.id, p.status, now, next.nextLookupAt, next.lookupAttempts).catch(() => undefined);
    }
  }
  const settledRefunds = refunds ? await syncStaleRefunds(ctx, refunds, limit) : 0;
  return { payments, refunds: settledRefunds };
}
