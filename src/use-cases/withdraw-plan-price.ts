import { AppError } from '../domain/errors.ts';
import { priceChangeNoticePrefix, type PriceVersion } from '../domain/plan-prices.ts';
import type { AdminActor } from './admin-actions.ts';
import { auditEntry } from './admin-actions.ts';
import type { UseCaseContext } from './context.ts';
import { loadPriceBook } from './price-book.ts';
import { buildNotice } from './enqueue-notice.ts';
import { planName, scopeOf, termsOf, type CalendarScope } from './renewal-transitions.ts';
import type { Subscription } from '../domain/records.ts';

/**
 * The admin action that withdraws a price version not in effect yet (docs/pricing.md): the
 * version is deleted, so the plan keeps the price before it, and the staff action is written
 * to admin_audit_log in the same transaction. Subscribers' consents to it no longer match any
 * version and are ignored (renewal-terms compares version ids). Its `price_change` notices still
 * pending are skipped, and every subscriber they may have reached is sent `price_change_withdrawn`
 * in the same transaction.
 *
 * Returns the version and how many subscribers are sent the withdrawal notice.
 *
 * @throws AppError NOT_FOUND (no such stored version), PRICE_ALREADY_EFFECTIVE
 */
export async function withdrawPlanPrice(ctx: UseCaseContext, actor: AdminActor, priceId: string): Promise<{ version: PriceVersion; withdrawalNotices: number }> {
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
    // Notices of the increase not sent yet are taken back (announce-price-changes' keys); those
    // that may have reached the subscriber are answered by a notice of the withdrawal.
    const prefix = priceChangeNoticePrefix(version.id);
    const told = await repo.renewals().subscriptionsToldBy(prefix);
    const skipped = await repo.renewals().skipPendingNotices(prefix, now, 'price withdrawn');
    await tellWithdrawal(scopeOf(ctx, repo, now), version, told);
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'price.withdraw', { type: 'plan_price', id: version.id }, versionSnapshot(version), {
        notices_skipped: skipped,
        withdrawal_notices: told.length,
      }),
    );
    return { version, withdrawalNotices: told.length };
  });
  const v = withdrawn.version;
  ctx.logger.info({ staff_id: actor.actorUserId, plan: v.planId, price_id: v.id, price_krw: v.priceKrw, withdrawal_notices: withdrawn.withdrawalNotices }, 'plan price withdrawn');
  return withdrawn;
}

/**
 * One `price_change_withdrawn` notice per subscription told of the version (written with the
 * withdrawal, once per version and subscription), with what its next renewal charges now that
 * the version is gone (the scope's price book is read after the deletion).
 */
async function tellWithdrawal(sc: CalendarScope, version: PriceVersion, told: readonly Subscription[]): Promise<void> {
  const notices = [];
  for (const sub of told) {
    const renews = sub.autoRenew && (sub.status === 'active' || sub.status === 'past_due');
    const terms = renews ? await termsOf(sc, sub) : null;
    notices.push(
      buildNotice(
        sc.ctx,
        {
          kind: 'price_change_withdrawn',
          userId: sub.userId,
          subscriptionId: sub.id,
          data: {
            planName: planName(sc.ctx, version.planId),
            withdrawnPriceKrw: version.priceKrw,
            effectiveAt: version.effectiveAt,
            renewalPriceKrw: terms?.chargeKrw ?? null,
          },
          dedupeKey: `price_change_withdrawn:${version.id}:${sub.id}`,
        },
        sc.now,
      ),
    );
  }
  // A statement carries at most 65,535 parameters (16 a notice): a popular plan's subscribers go in parts.
  for (let i = 0; i < notices.length; i += NOTICES_PER_STATEMENT) await sc.r.insertNotices(notices.slice(i, i + NOTICES_PER_STATEMENT));
}

const NOTICES_PER_STATEMENT = 1_000;

function notFound(priceId: string): AppError {
  return new AppError('NOT_FOUND', '철회할 예정 가격이 없습니다.', { price_id: priceId });
}

function versionSnapshot(v: PriceVersion) {
  return { plan_id: v.planId, price_krw: v.priceKrw, effective_at: v.effectiveAt.toISOString(), created_by: v.createdBy, announced: v.announcedAt !== null };
}
