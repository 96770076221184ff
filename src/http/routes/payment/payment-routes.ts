import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { startCheckout } from '../../../use-cases/start-checkout.ts';
import { approveCheckout, type ApproveCheckoutResult } from '../../../use-cases/approve-checkout.ts';
import { getSubscriptionStatus, subscriptionStatusOf } from '../../../use-cases/get-subscription-status.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { readyLimitKey, type RateLimitRule } from '../../plugins/rate-limits.ts';
import type { Clock } from '../../../domain/ports.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import { checkoutLaunchView } from '../../schemas/renewal-views.ts';
import { ApproveBody, ApproveResponse, IdempotencyHeaders, MethodParams, ReadyBody, ReadyResponse, ReturnQuery } from '../../schemas/payment-schemas.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';

export interface PaymentRoutesOptions {
  ctx: UseCaseContext;
  idempotency: IdempotencyRepository;
  /** The checkout-start limit per user (counted by startCheckout) and the wall clock its windows run on. */
  readyLimit: { rule: RateLimitRule; clock: Clock };
}

export const paymentRoutes: FastifyPluginAsyncZod<PaymentRoutesOptions> = async (app, { ctx, idempotency, readyLimit }) => {
  async function approveResponse(userId: string, r: ApproveCheckoutResult): Promise<ApproveResponse> {
    return {
      outcome: r.outcome,
      payment: paymentView(r.payment, ctx.plans),
      // The subscription the approval just wrote, if it wrote one (no read-back).
      subscription: subscriptionStatusView(r.subscription ? subscriptionStatusOf(ctx, r.subscription) : await getSubscriptionStatus(ctx, userId)),
    };
  }

  app.post(
    '/api/payment/:method/ready',
    {
      preValidation: requireUser,
      schema: {
        tags: ['payment'],
        summary: '결제 준비: 주문 내용 확인 및 결제 동의(필수)를 저장하고, 서버가 플랜 가격으로 결제를 만들어 결제창 정보를 돌려줍니다',
        params: MethodParams,
        body: ReadyBody,
        headers: IdempotencyHeaders,
        response: { 200: ReadyResponse },
      },
    },
    async (req, reply) => {
      const { method } = req.params;
      const body = req.body;
      const userId = principalOf(req).userId;
      return idempotentAnswer<ReadyResponse>({ repo: idempotency, clock: ctx.clock }, req, reply, userId, async () => {
        const { payment, checkout } = await startCheckout(ctx, {
          userId,
          method,
          planId: body.plan,
          clientAmountKrw: body.amount,
          autoRenew: body.auto_renew,
          orderConsentVersion: body.order_consent_version,
          rateLimit: {
            hit: { key: readyLimitKey(userId), windowMs: readyLimit.rule.windowMs, now: readyLimit.clock.now() },
            max: readyLimit.rule.max,
          },
        });
        const res: ReadyResponse = {
          payment_id: payment.id,
          plan: payment.planId,
          amount_krw: payment.amountKrw,
          vat_krw: payment.vatKrw,
          auto_renew: payment.recurring,
          expires_at: checkout.expiresAt?.toISOString() ?? null,
          checkout: checkoutLaunchView(checkout),
          // What the provider's own API documents for this step (KakaoPay: tid, payment_url, mobile_url).
          ...checkout.echo,
        };
        return { status: 200, body: res };
      });
    },
  );

  app.post(
    '/api/payment/:method/approve',
    {
      preValidation: requireUser,
      schema: {
        tags: ['payment'],
        summary: '결제 승인 (결제를 시작한 사용자만, 여러 번 호출해도 한 번만 승인)',
        params: MethodParams,
        body: ApproveBody,
        response: { 200: ApproveResponse, 202: ApproveResponse },
      },
    },
    async (req, reply) => {
      const { method } = req.params;
      const { payment_id, ...params } = req.body;
      const userId = principalOf(req).userId;
      const r = await approveCheckout(ctx, { userId, method, paymentId: payment_id, params });
      reply.status(r.outcome === 'pending' ? 202 : 200);
      return approveResponse(userId, r);
    },
  );

  // The URL handed to the provider as approval / cancel / fail URL. The browser
  // arrives here with the provider's parameters and our session cookie.
  app.get(
    '/api/payment/:method/return',
    { schema: { tags: ['payment'], summary: '결제사에서 돌아오는 주소 (승인 후 결과 페이지로 이동)', params: MethodParams, querystring: ReturnQuery } },
    async (req, reply) => {
      const { method } = req.params;
      const { payment_id, outcome, ...params } = req.query;
      const qs = new URLSearchParams({ payment_id, method });
      if (!req.principal) {
        // No session in this browser: the page asks the user to log in and approves then.
        for (const [k, v] of Object.entries(params)) qs.set(k, v);
        if (outcome) qs.set('outcome', outcome);
        return reply.redirect(`/payment/return?${qs}`, 303);
      }
      try {
        const r = await approveCheckout(ctx, { userId: req.principal.userId, method, paymentId: payment_id, params, outcome });
        const page = { approved: 'success', pending: 'success', canceled: 'cancel', failed: 'fail' }[r.outcome];
        if (r.payment.failureCode && r.outcome !== 'approved') qs.set('code', r.payment.failureCode);
        return reply.redirect(`/payment/${page}?${qs}`, 303);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'INTERNAL';
        req.log.warn({ payment_id, code }, 'approval from return URL failed');
        qs.set('code', code);
        return reply.redirect(`/payment/fail?${qs}`, 303);
      }
    },
  );
};
