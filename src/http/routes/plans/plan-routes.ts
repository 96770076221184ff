import type { FastifyPluginAsync } from 'fastify';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { PROVIDER_NAMES, planView } from '../../schemas/views.ts';
import type { PlansResponse } from '../../schemas/api-types.ts';

export const planRoutes: FastifyPluginAsync<{ ctx: UseCaseContext }> = async (app, { ctx }) => {
  app.get('/api/plans', { schema: { tags: ['plans'], summary: '플랜 목록' } }, async (): Promise<PlansResponse> => ({
    period_days: ctx.plans.periodDays,
    plans: ctx.plans.plans.map((p) => planView(p, ctx.plans.periodDays)),
    methods: ctx.gateways.list().map((g) => ({
      id: g.id,
      name: PROVIDER_NAMES[g.id] ?? g.id,
      checkout_style: g.capabilities.checkoutStyle,
    })),
  }));
};
