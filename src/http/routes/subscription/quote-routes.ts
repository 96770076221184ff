import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import type { RefundDeps } from '../../../use-cases/refund-deps.ts';
import { quotePlanChange } from '../../../use-cases/quote-plan-change.ts';
import { quoteCancelNow } from '../../../use-cases/quote-cancel-now.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { parseWith } from '../../schemas/validation.ts';
import { cancelNowQuoteView, planChangeQuoteView } from '../../schemas/quote-views.ts';
import type { CancelNowQuoteResponse, PlanChangeQuoteResponse } from '../../schemas/quote-api-types.ts';

export interface QuoteRoutesOptions {
  ctx: UseCaseContext;
  refunds: RefundDeps;
}

const ChangeQuery = z.object({
  plan: z.string().min(1).max(32),
  method: z.string().min(1).max(32).optional(),
});

/**
 * Quotes (issue 11 items 6 and 8): what a plan change would charge and what cancel-now would
 * refund now, computed by the server with the operation's own rule and clock, so that the web
 * never computes money with the device clock. Read-only; the operations accept the quote back
 * (domain/quotes.ts).
 */
export const quoteRoutes: FastifyPluginAsync<QuoteRoutesOptions> = async (app, { ctx, refunds }) => {
  app.get(
    '/api/subscription/change/quote',
    {
      preHandler: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '플랜 변경 견적: 지금 결제할 차액(업그레이드), 적용 시점, 남은 기간 (10분간 유효)',
        querystring: { type: 'object', properties: { plan: { type: 'string' }, method: { type: 'string' } }, required: ['plan'] },
      },
    },
    async (req): Promise<PlanChangeQuoteResponse> => {
      const q = parseWith(ChangeQuery, req.query);
      return planChangeQuoteView(await quotePlanChange(ctx, { userId: principalOf(req).userId, planId: q.plan, method: q.method }));
    },
  );

  app.get(
    '/api/subscription/cancel-now/quote',
    {
      preHandler: requireUser,
      schema: { tags: ['subscription'], summary: '즉시 해지 견적: 환불 예정 금액, 청약철회(전액 환불) 가능 여부 (10분간 유효)' },
    },
    async (req): Promise<CancelNowQuoteResponse> => cancelNowQuoteView(await quoteCancelNow(ctx, refunds, { userId: principalOf(req).userId }), ctx.plans),
  );
};
