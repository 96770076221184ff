import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import type { RefundDeps } from '../../../use-cases/refund-deps.ts';
import type { RefundPaymentResult } from '../../../use-cases/refund-outcomes.ts';
import { syncRefund } from '../../../use-cases/sync-refund.ts';
import { getPaymentReceipt } from '../../../use-cases/get-payment-receipt.ts';
import { withdrawPayment } from '../../../use-cases/withdraw-subscription.ts';
import { cancelSubscriptionNow } from '../../../use-cases/cancel-with-refund.ts';
import { getSubscriptionStatus } from '../../../use-cases/get-subscription-status.ts';
import { recordUsage } from '../../../use-cases/record-usage.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requireUser } from '../../plugins/auth.ts';
import { idempotentAnswer, type IdempotentRun } from '../../plugins/idempotency.ts';
import { paymentView, subscriptionStatusView } from '../../schemas/views.ts';
import { cancelLineView, receiptView, refundView } from '../../schemas/refund-views.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import { CancelNowBody, CancelNowResponse, ReceiptResponse, RefundIdParams, RefundResponse, UsageBody, UsageResponse } from '../../schemas/refund-schemas.ts';
import { DEBIAN_NOTO_CJK, renderReceiptPdf, type ReceiptFonts } from './receipt-pdf.ts';

export interface RefundRoutesOptions {
  ctx: UseCaseContext;
  refunds: RefundDeps;
  idempotency: IdempotencyRepository;
  /** Fonts of the receipt PDF (default: Debian's fonts-noto-cjk). */
  receiptFonts?: ReceiptFonts;
}

export function refundResponse(r: RefundPaymentResult, ctx: UseCaseContext): { status: number; body: RefundResponse } {
  return {
    status: r.outcome === 'succeeded' ? 201 : 202,
    body: { outcome: r.outcome, refund: refundView(r.refund), payment: paymentView(r.payment, ctx.plans) },
  };
}

/**
 * After an Idempotency-Key takeover (the first request died without an answer), the refund
 * that request may already have made is answered instead of refunding twice: the newest
 * refund of the payment asked by the same user since the first request started, settled by
 * lookup where its outcome is open. Null when there is none (the handler runs normally).
 */
export async function refundOfEarlierRun(
  ctx: UseCaseContext,
  refunds: RefundDeps,
  run: IdempotentRun,
  paymentId: string,
  requestedBy: string,
): Promise<RefundPaymentResult | null> {
  if (!run.takeover) return null;
  const made = (await refunds.refunds.listRefundsByPayment(paymentId)).filter(
    (r) => r.requestedBy === requestedBy && r.createdAt >= run.firstClaimedAt && r.status !== 'failed',
  );
  const last = made[made.length - 1];
  if (!last) return null;
  const synced = await syncRefund(ctx, refunds, last.id);
  return { refund: synced.refund, payment: synced.payment, outcome: synced.refund.status === 'succeeded' ? 'succeeded' : 'unknown' };
}

/** Subscriber-facing refund routes: receipts, 청약철회, cancel-now, and usage reports. */
export const refundRoutes: FastifyPluginAsyncZod<RefundRoutesOptions> = async (app, { ctx, refunds, idempotency, receiptFonts }) => {
  const idem = { repo: idempotency, clock: ctx.clock };

  app.get(
    '/api/payments/:id/receipt',
    {
      preValidation: requireUser,
      schema: { tags: ['payments'], summary: '영수증: 공급가액·부가세·결제수단·승인시각·환불 내역 (본인 결제만)', params: RefundIdParams, response: { 200: ReceiptResponse } },
    },
    async (req): Promise<ReceiptResponse> => {
      const { id } = req.params;
      return receiptView(await getPaymentReceipt(ctx, refunds, { userId: principalOf(req).userId, paymentId: id }), ctx.plans);
    },
  );

  app.get(
    '/api/payments/:id/receipt.pdf',
    { preValidation: requireUser, schema: { tags: ['payments'], summary: '영수증 PDF 내려받기 (본인 결제만): 판매자 정보, 카드 승인번호, 공급가액·부가세, 환불 내역', params: RefundIdParams } },
    async (req, reply) => {
      const { id } = req.params;
      const view = receiptView(await getPaymentReceipt(ctx, refunds, { userId: principalOf(req).userId, paymentId: id }), ctx.plans);
      const pdf = await renderReceiptPdf(view, { fonts: receiptFonts ?? DEBIAN_NOTO_CJK, issuedAt: ctx.clock.now() });
      const ascii = `receipt-${id.replace(/[^A-Za-z0-9_-]/g, '')}.pdf`;
      reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(`영수증-${id}.pdf`)}`);
      return pdf;
    },
  );

  app.post(
    '/api/payments/:id/withdraw',
    {
      preValidation: requireUser,
      schema: {
        tags: ['payments'],
        summary: `청약철회: 결제 후 ${refunds.settings.withdrawalDays}일 이내, 유료 기능 미사용 시 전액 환불 (201 완료, 202 확인 중)`,
        params: RefundIdParams,
        headers: IdempotencyHeaders,
        response: { 201: RefundResponse, 202: RefundResponse },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const userId = principalOf(req).userId;
      return idempotentAnswer<RefundResponse>(idem, req, reply, userId, async (run) =>
        refundResponse(
          (await refundOfEarlierRun(ctx, refunds, run, id, userId)) ?? (await withdrawPayment(ctx, refunds, { userId, paymentId: id })),
          ctx,
        ),
      );
    },
  );

  app.post(
    '/api/subscription/cancel-now',
    {
      preValidation: requireUser,
      schema: {
        tags: ['subscription'],
        summary: '즉시 해지: 구독을 지금 종료하고 미사용 일수를 환불 (floor(결제금액 × 남은 일수 / 기간 일수))',
        body: CancelNowBody,
        headers: IdempotencyHeaders,
        response: { 200: CancelNowResponse },
      },
    },
    async (req, reply) => {
      const userId = principalOf(req).userId;
      const { quote } = req.body;
      return idempotentAnswer<CancelNowResponse>(idem, req, reply, userId, async () => {
        const r = await cancelSubscriptionNow(ctx, refunds, {
          userId,
          quote: quote ? { quotedAt: new Date(quote.quoted_at), refundKrw: quote.refund_krw } : undefined,
        });
        const body: CancelNowResponse = {
          policy: refunds.settings.policy,
          refunded_krw: r.refundedKrw,
          lines: r.lines.map(cancelLineView),
          subscription: subscriptionStatusView(await getSubscriptionStatus(ctx, userId)),
        };
        return { status: 200, body };
      });
    },
  );

  app.post(
    '/api/usage',
    {
      preValidation: requireUser,
      schema: {
        tags: ['usage'],
        summary: '유료 기능 사용 기록 (호스트 앱이 사용자 토큰으로 호출; 기록 후에는 청약철회 불가)',
        body: UsageBody,
        response: { 201: UsageResponse },
      },
    },
    async (req, reply): Promise<UsageResponse> => {
      const { feature } = req.body;
      const userId = principalOf(req).userId;
      const u = await recordUsage(ctx, refunds.usage, { userId, feature, recordedBy: userId });
      reply.status(201);
      return { user_id: u.userId, feature: u.feature, occurred_at: u.occurredAt.toISOString() };
    },
  );
};
