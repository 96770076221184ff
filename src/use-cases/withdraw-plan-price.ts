import { AppError } from '../domain/errors.ts';
import { priceChangeNoticePrefix, type PriceVersion } from '../domain/plan-prices.ts';
import type { AdminActor } from './admin-actions.ts';
import { auditEntry } from './admin-actions.ts';
import type { UseCaseContext } from './context.ts';
import { loadPriceBook } from './price-book.ts';

/**
 * The admin action that withdraws a price version not in effect yet (docs/pricing.md): the
 * version is deleted, so the plan keeps the price before it, and the staff action is written
 * to admin_audit_log in the same transaction. Subscribers' consents to it no longer match any
 * version and are ignored (renewal-terms compares version ids). Its `price_change` notices still
 * pending are skipped; no notice of the withdrawal is sent to those already told (the notice
 * catalog has no kind for it).
 *
 * @throws AppError NOT_FOUND (no such stored version), PRICE_ALREADY_EFFECTIVE
 */
export async function withdrawPlanPrice(ctx: UseCaseContext, actor: AdminActor, priceId: string): Promise<PriceVersion> {
  const now = ctx.clock.now();
  const withdrawn = await ctx.repo.transaction(async (repo) => {
    const prices = repo.prices();
    const known = (await loadPriceBook(ctx, repo)).find(priceId);
    if (!known || known.id.startsWith('initial:')) throw notFound(priceId);
    // Serializes with setPlanPrice on the plan, then reads again under the lock.
    await prices.lockPlan(known.planId);
    const version = (await loadPriceBook(ctx, repo)).find(priceId);
    if (!version) throw notFound(priceId);
    if (version.effectiveAt <= now) {
      throw new AppError('PRICE_ALREADY_EFFECTIVE', '이미 적용된 가격은 철회할 수 없습니다.', {
        price_id: version.id,
        effective_at: version.effectiveAt.toISOString(),
      });
    }
    if (!(await prices.deleteVersion(version.id))) throw notFound(priceId);
    // Notices of the increase not sent yet are taken back (announce-price-changes' keys).
    const skipped = await repo.renewals().skipPendingNotices(priceChangeNoticePrefix(version.id), now, 'price withdrawn');
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'price.withdraw', { type: 'plan_price', id: version.id }, versionSnapshot(version), { notices_skipped: skipped }),
    );
    return version;
  });
  ctx.logger.info({ staff_id: actor.actorUserId, plan: withdrawn.planId, price_id: withdrawn.id, price_krw: withdrawn.priceKrw }, 'plan price withdrawn');
  return withdrawn;
}

function notFound(priceId: string): AppError {
  return new AppError('NOT_FOUND', '철회할 예정 가격이 없습니다.', { price_id: priceId });
}

function versionSnapshot(v: PriceVersion) {
  return { plan_id: v.planId, price_krw: v.priceKrw, effective_at: v.effectiveAt.toISOString(), created_by: v.createdBy, announced: v.announcedAt !== null };
}
