import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { changePaymentMethod } from '../../../use-cases/change-payment-method.ts';
import { getRenewalStatus } from '../../../use-cases/get-renewal-status.ts';
import { getSubscriptionStatus } from '../../../use-cases/get-subscription-status.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { subscriptionStatusView } from '../../schemas/views.ts';
import { checkoutLaunchView, renewalView } from '../../schemas/renewal-views.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import { PaymentMethodBody, PaymentMethodChangeResponse } from '../../schemas/subscription-schemas.ts';

export interface PaymentMethodRoutesOptions {
  ctx: UseCaseContext;
  idempotency: IdempotencyRepository;
}

/**
 * 결제 수단 변경 without cancelling: a 0-won registration checkout for the new billing key. The
 * existing `/api/payment/{method}/approve` completes it; the subscription then switches to the
 * new key and the old one is revoked at its provider (a job, retried until confirmed).
 */
export const paymentMethodRoutes: FastifyPluginAsyncZod<PaymentMethodRoutesOptions> = async (app, { ctx, idempotency }) => {
  const idem = { repo: idempotency, clock: ctx.clock };

  app.post(
    '/api/subscription/payment-method',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '결제 수단 변경 (해지 없이): 새 자동결제 수단을 0원 등록 결제로 등록하면 전환되고, 이전 자동결제 등록은 해지',
        body: PaymentMethodBody,
        headers: IdempotencyHeaders,
        response: { 200: PaymentMethodChangeResponse },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const userId = principalOf(req).userId;
      return idempotentAnswer<PaymentMethodChangeResponse>(idem, req, reply, userId, async () => {
        const r = await changePaymentMethod(ctx, { userId, method: body.method });
        const res: PaymentMethodChangeResponse = {
          payment_id: r.payment.id,
          checkout: checkoutLaunchView(r.checkout),
          subscription: subscriptionStatusView(await getSubscriptionStatus(ctx, userId)),
          renewal: renewalView(await getRenewalStatus(ctx, userId)),
        };
        return { status: 200, body: res };
      });
    },
  );
};
