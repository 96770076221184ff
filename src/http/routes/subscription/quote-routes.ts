import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import type { RefundDeps } from '../../../use-cases/refund-deps.ts';
import { quotePlanChange } from '../../../use-cases/quote-plan-change.ts';
import { quoteCancelNow } from '../../../use-cases/quote-cancel-now.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { cancelNowQuoteView, planChangeQuoteView } from '../../schemas/quote-views.ts';
import { CancelNowQuoteResponse, PlanChangeQuoteQuery, PlanChangeQuoteResponse } from '../../schemas/subscription-schemas.ts';

export interface QuoteRoutesOptions {
  ctx: UseCaseContext;
  refunds: RefundDeps;
}

/**
 * Quotes (issue 11 items 6 and 8): what a plan change would charge and what cancel-now would
 * refund now, computed by the server with the operation's own rule and clock, so that the web
 * never computes money with the device clock. Read-only; the operations accept the quote back
 * (domain/quotes.ts).
 */
export const quoteRoutes: FastifyPluginAsyncZod<QuoteRoutesOptions> = async (app, { ctx, refunds }) => {
  app.get(
    '/api/subscription/change/quote',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '플랜 변경 견적: 지금 결제할 차액(업그레이드), 적용 시점, 남은 기간 (10분간 유효)',
        querystring: PlanChangeQuoteQuery,
        response: { 200: PlanChangeQuoteResponse },
      },
    },
    async (req): Promise<PlanChangeQuoteResponse> => {
      const q = req.query;
      return planChangeQuoteView(await quotePlanChange(ctx, { userId: principalOf(req).userId, planId: q.plan, method: q.method }));
    },
  );

  app.get(
    '/api/subscription/cancel-now/quote',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '즉시 해지 견적: 환불 예정 금액, 청약철회(전액 환불) 가능 여부 (10분간 유효)',
        response: { 200: CancelNowQuoteResponse },
      },
    },
    async (req): Promise<CancelNowQuoteResponse> => cancelNowQuoteView(await quoteCancelNow(ctx, refunds, { userId: principalOf(req).userId }), ctx.plans),
  );
};
