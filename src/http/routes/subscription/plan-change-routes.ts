import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { changePlan } from '../../../use-cases/change-plan.ts';
import { cancelSubscription } from '../../../use-cases/cancel-subscription.ts';
import { resumeSubscription } from '../../../use-cases/resume-subscription.ts';
import { acceptPriceChange } from '../../../use-cases/accept-price-change.ts';
import { getRenewalStatus } from '../../../use-cases/get-renewal-status.ts';
import { getSubscriptionStatus } from '../../../use-cases/get-subscription-status.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import { checkoutLaunchView, prorationView, renewalView } from '../../schemas/renewal-views.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import {
  CancelBody,
  CancelResponse,
  ConsentBody,
  ConsentResponse,
  PlanChangeBody,
  PlanChangeResponse,
  RenewalView,
  ResumeBody,
  ResumeResponse,
} from '../../schemas/subscription-schemas.ts';

export interface PlanChangeRoutesOptions {
  ctx: UseCaseContext;
  idempotency: IdempotencyRepository;
}

/**
 * Subscription management: plan change (upgrade now with proration, downgrade at renewal),
 * auto-renewal off/on, consent to a price change, and the renewal view. Every write honours
 * `Idempotency-Key`, and repeating a call without one returns the same state.
 */
export const planChangeRoutes: FastifyPluginAsyncZod<PlanChangeRoutesOptions> = async (app, { ctx, idempotency }) => {
  const idem = { repo: idempotency, clock: ctx.clock };
  const views = async (userId: string) => ({
    subscription: subscriptionStatusView(await getSubscriptionStatus(ctx, userId)),
    renewal: renewalView(await getRenewalStatus(ctx, userId)),
  });

  app.get(
    '/api/subscription/renewal',
    {
      preValidation: requireUser,
      schema: { tags: ['subscription'], summary: '자동 갱신 상태: 다음 결제일·금액, 유예 기간, 가격 동의 필요 여부', response: { 200: RenewalView } },
    },
    async (req): Promise<RenewalView> => renewalView(await getRenewalStatus(ctx, principalOf(req).userId)),
  );

  app.post(
    '/api/subscription/change',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '플랜 변경: 업그레이드는 즉시(남은 기간 일할 계산 결제), 다운그레이드는 다음 갱신부터',
        body: PlanChangeBody,
        headers: IdempotencyHeaders,
        response: { 200: PlanChangeResponse, 202: PlanChangeResponse },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const userId = principalOf(req).userId;
      return idempotentAnswer<PlanChangeResponse>(idem, req, reply, userId, async () => {
        const quote = body.quote ? { quotedAt: new Date(body.quote.quoted_at), chargeKrw: body.quote.charge_krw } : undefined;
        const r = await changePlan(ctx, { userId, planId: body.plan, method: body.method, quote });
        const res: PlanChangeResponse = { change: r.change, ...(await views(userId)) };
        if (r.change === 'downgrade_scheduled') res.effective_at = r.effectiveAt.toISOString();
        if (r.change === 'upgraded' || r.change === 'pending' || r.change === 'checkout_required') {
          res.proration = prorationView(r.proration);
          if (r.payment) res.payment = paymentView(r.payment, ctx.plans);
        }
        if (r.change === 'checkout_required') {
          res.payment_id = r.payment.id;
          res.checkout = checkoutLaunchView(r.checkout);
        }
        return { status: r.change === 'pending' ? 202 : 200, body: res };
      });
    },
  );

  app.post(
    '/api/subscription/cancel',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '자동 갱신 해지 예약 (이용 기간 끝까지 이용, 자동결제 등록은 기간이 끝날 때 해지)',
        body: CancelBody,
        response: { 200: CancelResponse },
      },
    },
    async (req, reply) => {
      const userId = principalOf(req).userId;
      return idempotentAnswer<CancelResponse>(idem, req, reply, userId, async () => {
        const r = await cancelSubscription(ctx, userId);
        const res: CancelResponse = { changed: r.changed, ...(await views(userId)) };
        return { status: 200, body: res };
      });
    },
  );

  app.post(
    '/api/subscription/resume',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '자동 갱신 재개 (기간이 끝나기 전에는 결제사 호출 없이; 자동결제 등록이 없으면 0원 등록 결제)',
        body: ResumeBody,
        response: { 200: ResumeResponse },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const userId = principalOf(req).userId;
      return idempotentAnswer<ResumeResponse>(idem, req, reply, userId, async () => {
        const r = await resumeSubscription(ctx, { userId, method: body.method });
        const res: ResumeResponse = { resumed: r.resumed, ...(await views(userId)) };
        if (!r.resumed) {
          res.payment_id = r.payment.id;
          res.checkout = checkoutLaunchView(r.checkout);
        }
        return { status: 200, body: res };
      });
    },
  );

  app.post(
    '/api/subscription/consent',
    {
      preValidation: requireUser,
      schema: { tags: ['subscription'], summary: '가격 변경 동의 (동의 전에는 인상된 가격으로 결제하지 않음)', body: ConsentBody, response: { 200: ConsentResponse } },
    },
    async (req, reply) => {
      const body = req.body;
      const userId = principalOf(req).userId;
      return idempotentAnswer<ConsentResponse>(idem, req, reply, userId, async () => {
        const r = await acceptPriceChange(ctx, { userId, priceKrw: body.price_krw });
        const res: ConsentResponse = { changed: r.changed, ...(await views(userId)) };
        return { status: 200, body: res };
      });
    },
  );
};
