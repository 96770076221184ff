import type { UseCaseContext } from '../../use-cases/context.ts';
import { syncPayment } from '../../use-cases/sync-payment.ts';
import { syncStaleRefunds, type RefundDeps } from '../../use-cases/refund-payment.ts';

/**
 * Checkout approvals are held `approving` only while a request calls the provider (NaverPay
 * allows 60 s per attempt, with retries); older than this, that request is gone.
 */
const STALE_AFTER_MS = 5 * 60_000;

export interface ReconcileResult {
  payments: number;
  refunds: number;
}

/**
 * Task: asks the providers about checkout payments whose outcome we do not know (`unknown`,
 * or `approving` left behind by a crash) and about refunds left unknown, and settles them.
 * Renewal payments are the renewal task's own. Never guesses: what the provider cannot
 * answer stays as it is for the next tick.
 */
export async function reconcilePayments(ctx: UseCaseContext, refunds: RefundDeps | null, now: Date, limit = 50): Promise<ReconcileResult> {
  const stale = await ctx.repo.listUnsettledPayments(new Date(now.getTime() - STALE_AFTER_MS), limit);
  let payments = 0;
  for (const p of stale) {
    if (p.kind !== 'checkout') continue;
    try {
      const r = await syncPayment(ctx, p.id);
      if (r.reconciled) payments += 1;
    } catch (err) {
      ctx.logger.warn({ payment_id: p.id, err }, 'payment reconciliation failed');
    }
  }
  const settledRefunds = refunds ? await syncStaleRefunds(ctx, refunds, limit) : 0;
  return { payments, refunds: settledRefunds };
}
