import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { startCheckout } from '../../../use-cases/start-checkout.ts';
import { approveCheckout, type ApproveCheckoutResult } from '../../../use-cases/approve-checkout.ts';
import { getSubscriptionStatus, subscriptionStatusOf } from '../../../use-cases/get-subscription-status.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { withIdempotency } from '../../plugins/idempotency.ts';
import { docSchema, parseWith } from '../../schemas/validation.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import type { ApproveResponse, ReadyResponse } from '../../schemas/api-types.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';

const ReadyBody = z.object({
  plan: z.string().min(1).max(32),
  /** Ignored for pricing; a value different from the plan's price is refused. */
  amount: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  auto_renew: z.boolean().default(true),
  /**
   * The version id of the 주문 내용 확인 및 결제 동의 text the user agreed to (GET /api/legal,
   * document `order`). Required: without it CONSENT_REQUIRED, an old one CONSENT_OUTDATED.
   */
  order_consent_version: z.string().max(64).optional(),
});

/** Approve body: our payment id plus whatever the provider handed the browser. */
const ApproveBody = z
  .object({ payment_id: z.string().min(1).max(64).optional() })
  .catchall(z.union([z.string().max(512), z.number()]).transform(String));

const ReturnQuery = z
  .object({ payment_id: z.string().min(1).max(64), outcome: z.enum(['cancel', 'fail']).optional() })
  .catchall(z.string().max(512));

const MethodParams = z.object({ method: z.string().min(1).max(32) });

export interface PaymentRoutesOptions {
  ctx: UseCaseContext;
  idempotency: IdempotencyRepository;
}

export const paymentRoutes: FastifyPluginAsync<PaymentRoutesOptions> = async (app, { ctx, idempotency }) => {
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
      preHandler: requireUser,
      schema: {
        tags: ['payment'],
        summary: '결제 준비: 주문 내용 확인 및 결제 동의(필수)를 저장하고, 서버가 플랜 가격으로 결제를 만들어 결제창 정보를 돌려줍니다',
        body: docSchema(ReadyBody),
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
      },
    },
    async (req, reply) => {
      const { method } = parseWith(MethodParams, req.params);
      const body = parseWith(ReadyBody, req.body);
      const userId = principalOf(req).userId;
      return withIdempotency({ repo: idempotency, clock: ctx.clock }, req, reply, userId, async () => {
        const { payment, checkout } = await startCheckout(ctx, {
          userId,
          method,
          planId: body.plan,
          clientAmountKrw: body.amount,
          autoRenew: body.auto_renew,
          orderConsentVersion: body.order_consent_version,
        });
        const launch =
          checkout.clientLaunch !== null
            ? { style: 'sdk' as const, ...checkout.clientLaunch }
            : { style: 'redirect' as const, redirect_url: checkout.redirectUrl!, mobile_redirect_url: checkout.mobileRedirectUrl };
        const res: ReadyResponse = {
          payment_id: payment.id,
          plan: payment.planId,
          amount_krw: payment.amountKrw,
          vat_krw: payment.vatKrw,
          auto_renew: payment.recurring,
          expires_at: checkout.expiresAt?.toISOString() ?? null,
          checkout: launch,
        };
        if (method === 'kakaopay') {
          // The source document's field names for the KakaoPay API.
          res.tid = checkout.providerRef ?? undefined;
          res.payment_url = checkout.redirectUrl ?? undefined;
          res.mobile_url = checkout.mobileRedirectUrl;
        }
        return { status: 200, body: res };
      });
    },
  );

  app.post(
    '/api/payment/:method/approve',
    {
      preHandler: requireUser,
      schema: {
        tags: ['payment'],
        summary: '결제 승인 (결제를 시작한 사용자만, 여러 번 호출해도 한 번만 승인)',
        body: { type: 'object', additionalProperties: true, properties: { payment_id: { type: 'string' } } },
      },
    },
    async (req, reply) => {
      const { method } = parseWith(MethodParams, req.params);
      const { payment_id, ...params } = parseWith(ApproveBody, req.body);
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
    { schema: { tags: ['payment'], summary: '결제사에서 돌아오는 주소 (승인 후 결과 페이지로 이동)' } },
    async (req, reply) => {
      const { method } = parseWith(MethodParams, req.params);
      const { payment_id, outcome, ...params } = parseWith(ReturnQuery, req.query);
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
