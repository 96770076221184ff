import { ProviderError } from '../domain/errors.ts';
import type { BillingKeyRevocation } from '../domain/subscription/renewal-records.ts';
import type { UseCaseContext } from './context.ts';

const MAX_ATTEMPTS = 12;

export interface RevokeBillingKeysResult {
  done: number;
  failed: number;
}

/**
 * Revokes queued billing keys at their provider (KakaoPay SID inactivate, NaverPay recurrent
 * expire). Claims due rows `FOR UPDATE SKIP LOCKED` and pushes them back by a lease in one
 * transaction, then calls the provider outside it. Revoking is idempotent at both providers
 * (an already inactive key counts as done). Failures back off exponentially (1 min · 2ⁿ, at
 * most a day); after 12 attempts the row is marked failed and logged for an operator.
 * With `onlyId`, just that revocation (the cancel endpoint revokes at once).
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
    if (attempts >= MAX_ATTEMPTS) {
      ctx.logger.error({ revocation_id: row.id, provider: row.provider, err: message }, 'billing key revocation failed for good');
      await r.markRevocation(row.id, now, { status: 'failed', nextAttemptAt: null, lastError: message });
    } else {
      const backoff = Math.min(60_000 * 2 ** (attempts - 1), 24 * 60 * 60 * 1000);
      ctx.logger.warn({ revocation_id: row.id, provider: row.provider, err: message }, 'billing key revocation failed; will retry');
      await r.markRevocation(row.id, now, { nextAttemptAt: new Date(now.getTime() + backoff), lastError: message });
    }
    return false;
  }
}
