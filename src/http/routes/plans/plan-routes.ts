import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { PROVIDER_NAMES, planView } from '../../schemas/views.ts';
import { PlansResponse } from '../../schemas/plan-schemas.ts';
import { vatIncluded } from '../../../domain/money.ts';
import { loadPriceBook } from '../../../use-cases/price-book.ts';

export const planRoutes: FastifyPluginAsyncZod<{ ctx: UseCaseContext }> = async (app, { ctx }) => {
  app.get('/api/plans', { schema: { tags: ['plans'], summary: '플랜 목록', response: { 200: PlansResponse } } }, async (): Promise<PlansResponse> => {
    // Prices on sale now, and a change already announced (docs/pricing.md).
    const now = ctx.clock.now();
    const book = await loadPriceBook(ctx);
    return {
      period_days: ctx.plans.periodDays,
      plans: ctx.plans.plans.map((p) => {
        const priceKrw = book.priceAt(p.id, now) ?? p.priceKrw;
        const next = book.nextAfter(p.id, now);
        return {
          ...planView({ ...p, priceKrw, vatKrw: vatIncluded(priceKrw) }, ctx.plans.periodDays),
          scheduled_price: next ? { price_krw: next.priceKrw, effective_at: next.effectiveAt.toISOString() } : null,
        };
      }),
      methods: ctx.gateways.list().map((g) => ({
        id: g.id,
        name: PROVIDER_NAMES[g.id] ?? g.id,
        checkout_style: g.capabilities.checkoutStyle,
      })),
    };
  });
};
