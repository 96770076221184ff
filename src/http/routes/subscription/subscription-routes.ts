import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { getSubscriptionStatus } from '../../../use-cases/get-subscription-status.ts';
import { getOwnPayment, listPayments } from '../../../use-cases/list-payments.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import { PaymentParams, PaymentView, PaymentsQuery, PaymentsResponse } from '../../schemas/payment-schemas.ts';
import { SubscriptionStatusView } from '../../schemas/plan-schemas.ts';

export const subscriptionRoutes: FastifyPluginAsyncZod<{ ctx: UseCaseContext }> = async (app, { ctx }) => {
  app.get(
    '/api/subscription/status',
    { preValidation: requireUser, schema: { tags: ['subscription'], summary: '현재 구독 상태', response: { 200: SubscriptionStatusView } } },
    async (req): Promise<SubscriptionStatusView> =>
      subscriptionStatusView(await getSubscriptionStatus(ctx, principalOf(req).userId)),
  );

  app.get(
    '/api/payments',
    { preValidation: requireUser, schema: { tags: ['payments'], summary: '내 결제 내역', querystring: PaymentsQuery, response: { 200: PaymentsResponse } } },
    async (req): Promise<PaymentsResponse> => {
      const q = req.query;
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

  app.get(
    '/api/payments/:id',
    { preValidation: requireUser, schema: { tags: ['payments'], summary: '결제 상세', params: PaymentParams, response: { 200: PaymentView } } },
    async (req) => {
      const p = principalOf(req);
      return paymentView(await getOwnPayment(ctx, { userId: p.userId, paymentId: req.params.id }), ctx.plans);
    },
  );
};
