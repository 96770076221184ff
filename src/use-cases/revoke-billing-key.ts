import { ProviderError } from '../domain/errors.ts';
import type { BillingKeyRevocation } from '../domain/subscription/renewal-records.ts';
import type { UseCaseContext } from './context.ts';

/** After this many failed attempts an operator is told (every further failure logs an error). */
export const REVOCATION_ALERT_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

export interface RevokeBillingKeysResult {
  done: number;
  failed: number;
}

/** Pause before the next attempt after `attempts` failed ones: 1 min · 2ⁿ⁻¹, at most a day. */
export function revocationBackoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/**
 * Revokes queued billing keys at their provider (KakaoPay SID inactivate, NaverPay recurrent
 * expire): the `revocations` task of the job runner (worker/jobs.ts). The rows are written in
 * the transaction that stopped using the key (cancel-now, 청약철회, the period end after 해지 예약,
 * expiry, a replaced key), so a key is never forgotten. Claims due rows `FOR UPDATE SKIP
 * LOCKED` and pushes them back by a lease in one transaction, then calls the provider outside
 * it. A row becomes `done` only once the provider confirmed (revoking is idempotent at both
 * providers: an already inactive key counts as done).
 *
 * Failures back off exponentially (`revocationBackoffMs`). A retryable failure (provider
 * unavailable, timeout, network) is retried until the provider confirms; from
 * `REVOCATION_ALERT_ATTEMPTS` on, each failure is logged as an error for an operator. A failure
 * retrying cannot fix (our request or configuration refused) is marked `failed` after that
 * many attempts.
 * With `onlyId`, just that revocation.
 */
export async function revokeBillingKeys(ctx: UseCaseContext, now: Date, limit: number, onlyId?: string): Promise<RevokeBillingKeysResult> {
  const claimed = await ctx.repo.transaction(async (repo) => {
    const r = repo.renewals();
    const rows = await r.claimDueRevocations(now, limit, onlyId);
    for (const row of rows) {
      await r.markRevocation(row.id, now, {
        attempts: row.attempts + 1,
        nextAttemptAt: new Date(now.getTime() + ctx.settings.renewal.leaseMs),
      });
    }
    return rows;
  });
  const result = { done: 0, failed: 0 };
  await Promise.all(claimed.map(async (row) => ((await revokeOne(ctx, row, now)) ? result.done++ : result.failed++)));
  return result;
}

async function revokeOne(ctx: UseCaseContext, row: BillingKeyRevocation, now: Date): Promise<boolean> {
  const r = ctx.repo.renewals();
  const gateway = ctx.gateways.get(row.provider);
  try {
    if (!gateway) throw new Error(`no gateway for ${row.provider}`);
    await gateway.revokeBillingKey(row.billingKey);
    await r.markRevocation(row.id, now, { status: 'done', nextAttemptAt: null, lastError: null });
    return true;
  } catch (err) {
    const attempts = row.attempts + 1;
    const message = err instanceof ProviderError ? `${err.providerCode}: ${err.message}` : String(err);
    // Without a gateway nothing will change until the configuration does; other plain errors are the network's.
    const retryable = err instanceof ProviderError ? err.retryable : !!gateway;
    const log = { revocation_id: row.id, provider: row.provider, attempts, err: message };
    if (!retryable && attempts >= REVOCATION_ALERT_ATTEMPTS) {
      ctx.logger.error(log, 'billing key revocation failed for good');
      await r.markRevocation(row.id, now, { status: 'failed', nextAttemptAt: null, lastError: message });
    } else {
      if (attempts >= REVOCATION_ALERT_ATTEMPTS) ctx.logger.error(log, 'billing key still not revoked; retrying');
      else ctx.logger.warn(log, 'billing key revocation failed; will retry');
      await r.markRevocation(row.id, now, { nextAttemptAt: new Date(now.getTime() + revocationBackoffMs(attempts)), lastError: message });
    }
    return false;
  }
}
