import { priceChangeNoticePrefix } from '../domain/plan-prices.ts';
import { firstRenewalFrom } from '../domain/subscription/renewal-terms.ts';
import type { UseCaseContext } from './context.ts';
import { scopeOf, writeNotice } from './renewal-transitions.ts';

/**
 * Job task: sends the notice of each higher price version to every subscriber it affects
 * (renewing into that plan, agreed price below it), one notice per subscriber and version
 * (`price_change:<version>:<subscription>`). A version stays on the list until its effective
 * date, so a subscriber who joins in the meantime is told too; from then on the renewal
 * notices (7 days before each charge) ask for the consent still missing.
 */
export async function announcePriceChanges(ctx: UseCaseContext, now: Date, limit: number): Promise<{ notified: number; versions: number }> {
  return ctx.repo.transaction(async (repo) => {
    const prices = repo.prices();
    const versions = await prices.claimAnnouncements(10);
    const sc = scopeOf(ctx, repo, now);
    let notified = 0;
    for (const v of versions) {
      if (now >= v.effectiveAt) {
        await prices.markAnnounced(v.id, now);
        continue;
      }
      const targets = await prices.findUnnotified(v, limit - notified);
      const plan = ctx.plans.find(v.planId);
      for (const t of targets) {
        await writeNotice(
          sc,
          { id: t.subscriptionId, userId: t.userId },
          'price_change',
          {
            planName: plan?.name ?? v.planId,
            oldPriceKrw: t.agreedKrw,
            newPriceKrw: v.priceKrw,
            effectiveAt: v.effectiveAt,
            firstChargeAt: firstRenewalFrom(t.currentPeriodEnd, v.effectiveAt, ctx.plans.periodMs),
            consentRequired: true,
          },
          priceChangeNoticePrefix(v.id) + t.subscriptionId,
        );
      }
      notified += targets.length;
      if (notified >= limit) break;
    }
    return { notified, versions: versions.length };
  });
}
