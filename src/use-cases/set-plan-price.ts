import { AppError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import { checkNewPrice, PRICE_INCREASE_NOTICE_DAYS, type PriceVersion } from '../domain/plan-prices.ts';
import type { UseCaseContext } from './context.ts';
import { announcePriceChanges } from './announce-price-changes.ts';
import { loadPriceBook } from './price-book.ts';

export interface SetPlanPriceInput {
  /** The staff user making the change (recorded on the version). */
  staffId: string;
  planId: string;
  priceKrw: number;
  /** Default: now (allowed for a decrease only). */
  effectiveAt?: Date;
}

export interface SetPlanPriceResult {
  version: PriceVersion;
  previousKrw: number;
  increase: boolean;
  /** Subscribers sent the notice of the increase right away (the worker sends the rest). */
  notified: number;
}

/**
 * The admin action that changes a plan's price (docs/pricing.md): adds a price version from
 * `effectiveAt`. New subscribers pay it from then; existing subscribers keep the price they
 * agreed to until then, and a higher price needs their consent. An increase must take effect
 * at least 30 days from now (전자상거래법 제13조제4항, in force 2025-02-14: notice and consent
 * 30 days before the first higher charge); a decrease may apply at once. The increase's notice
 * goes to every affected subscriber (the `price-announcements` job; its first batch at once).
 *
 * @throws AppError UNKNOWN_PLAN, PLAN_NOT_PURCHASABLE (the free plan), PRICE_NOTICE_TOO_SHORT,
 *   PRICE_EFFECTIVE_IN_PAST, PRICE_UNCHANGED
 */
export async function setPlanPrice(ctx: UseCaseContext, input: SetPlanPriceInput): Promise<SetPlanPriceResult> {
  const plan = ctx.plans.find(input.planId);
  if (!plan) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${input.planId}`, { plan: input.planId });
  if (plan.priceKrw === 0) throw new AppError('PLAN_NOT_PURCHASABLE', '무료 플랜의 가격은 바꿀 수 없습니다.', { plan: plan.id });
  const priceKrw = krw(input.priceKrw);
  if (priceKrw === 0) throw new AppError('VALIDATION_FAILED', '유료 플랜의 가격은 0원보다 커야 합니다.', { price_krw: input.priceKrw });
  const now = ctx.clock.now();
  const effectiveAt = input.effectiveAt ?? now;

  const result = await ctx.repo.transaction(async (repo) => {
    const prices = repo.prices();
    await prices.lockPlan(plan.id);
    const book = await loadPriceBook(ctx, repo);
    const refusal = checkNewPrice(book, plan.id, priceKrw, effectiveAt, now);
    if (refusal?.code === 'PRICE_NOTICE_TOO_SHORT') {
      throw new AppError(
        'PRICE_NOTICE_TOO_SHORT',
        `가격 인상은 고지와 동의를 위해 ${PRICE_INCREASE_NOTICE_DAYS}일 이상 뒤부터 적용할 수 있습니다 (전자상거래법 제13조).`,
        { plan: plan.id, notice_days: PRICE_INCREASE_NOTICE_DAYS, earliest_effective_at: refusal.earliest.toISOString(), previous_krw: refusal.previousKrw },
      );
    }
    if (refusal?.code === 'PRICE_EFFECTIVE_IN_PAST') {
      throw new AppError('PRICE_EFFECTIVE_IN_PAST', '적용 시각은 지금 이후여야 합니다.', { plan: plan.id, effective_at: effectiveAt.toISOString() });
    }
    if (refusal?.code === 'PRICE_UNCHANGED') {
      throw new AppError('PRICE_UNCHANGED', '그 시각에 적용되는 가격이 이미 있거나 가격이 바뀌지 않습니다.', { plan: plan.id });
    }
    const previousKrw = book.versionAt(plan.id, new Date(effectiveAt.getTime() - 1))?.priceKrw ?? plan.priceKrw;
    const increase = priceKrw > previousKrw;
    const version: PriceVersion = {
      id: ctx.ids.next('prc'),
      planId: plan.id,
      priceKrw,
      effectiveAt,
      createdAt: now,
      createdBy: input.staffId,
      // A higher price is announced to the subscribers it affects; a lower one needs no notice.
      announcedAt: increase ? null : now,
    };
    // The initial version (plans.json) is stored with the first change, so later edits of the file change nothing.
    const initial = book.versions(plan.id).filter((v) => v.id.startsWith('initial:'));
    await prices.insertVersions([...initial, version]);
    return { version, previousKrw, increase };
  });
  ctx.logger.info(
    { staff_id: input.staffId, plan: plan.id, price_krw: priceKrw, previous_krw: result.previousKrw, effective_at: effectiveAt.toISOString(), price_id: result.version.id },
    'plan price set',
  );
  let notified = 0;
  if (result.increase) {
    notified = await announcePriceChanges(ctx, ctx.clock.now(), 500)
      .then((r) => r.notified)
      .catch((err) => {
        ctx.logger.warn({ err, price_id: result.version.id }, 'price announcement failed; the worker sends it');
        return 0;
      });
  }
  return { ...result, notified };
}
