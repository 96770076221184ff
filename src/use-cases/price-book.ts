import { PriceBook } from '../domain/plan-prices.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingRepository, RateLimitCount, RateLimitHit } from '../domain/repositories.ts';
import { nextRenewalTerms, type RenewalTerms } from '../domain/subscription/renewal-terms.ts';
import type { UseCaseContext } from './context.ts';

/** The plan prices in force (plans.json's initial versions plus the stored ones); one small query. */
export async function loadPriceBook(ctx: UseCaseContext, repo: BillingRepository = ctx.repo): Promise<PriceBook> {
  return new PriceBook(ctx.plans, await repo.prices().listVersions());
}

/** The user's subscription and the price book, read in one statement (which may count a rate-limit `hit`). */
export async function subscriptionWithPriceBook(
  ctx: UseCaseContext,
  userId: string,
  hit?: RateLimitHit,
): Promise<{ subscription: Subscription | undefined; book: PriceBook; count?: RateLimitCount }> {
  const { prices, ...rest } = await ctx.repo.findSubscriptionWithPrices(userId, hit);
  return { ...rest, book: new PriceBook(ctx.plans, prices) };
}

/** `nextRenewalTerms` with the price book read from `repo`. */
export async function renewalTermsOf(ctx: UseCaseContext, sub: Subscription, repo: BillingRepository = ctx.repo): Promise<{ terms: RenewalTerms | null; book: PriceBook }> {
  const book = await loadPriceBook(ctx, repo);
  return { terms: nextRenewalTerms(sub, book), book };
}
