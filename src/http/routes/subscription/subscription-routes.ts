import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { getSubscriptionStatus } from '../../../use-cases/get-subscription-status.ts';
import { getOwnPayment, listPayments } from '../../../use-cases/list-payments.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { parseWith } from '../../schemas/validation.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import type { PaymentsResponse, SubscriptionStatusView } from '../../schemas/api-types.ts';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.iso.datetime().optional(),
});

export const subscriptionRoutes: FastifyPluginAsync<{ ctx: UseCaseContext }> = async (app, { ctx }) => {
  app.get(
    '/api/subscription/status',
    { preHandler: requireUser, schema: { tags: ['subscription'], summary: '현재 구독 상태' } },
    async (req): Promise<SubscriptionStatusView> =>
      subscriptionStatusView(await getSubscriptionStatus(ctx, principalOf(req).userId)),
  );

  app.get(
    '/api/payments',
    { preHandler: requireUser, schema: { tags: ['payments'], summary: '내 결제 내역' } },
    async (req): Promise<PaymentsResponse> => {
      const q = parseWith(ListQuery, req.query);
      const rows = await listPayments(ctx, {
        userId: principalOf(req).userId,
        limit: q.limit,
        before: q.before ? new Date(q.before) : undefined,
      });
      return {
        payments: rows.map((p) => paymentView(p, ctx.plans)),
        next_before: rows.length === q.limit ? rows[rows.length - 1].createdAt.toISOString() : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/payments/:id',
    { preHandler: requireUser, schema: { tags: ['payments'], summary: '결제 상세' } },
    async (req) => {
      const p = principalOf(req);
      return paymentView(await getOwnPayment(ctx, { userId: p.userId, paymentId: req.params.id }), ctx.plans);
    },
  );
};
