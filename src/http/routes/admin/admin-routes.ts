import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AdminDirectory, ReportStore } from '../../../domain/report-store.ts';
import type { ConsoleStore } from '../../../domain/console-store.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { refundPayment } from '../../../use-cases/refund-payment.ts';
import type { RefundDeps } from '../../../use-cases/refund-deps.ts';
import { syncRefund } from '../../../use-cases/sync-refund.ts';
import { revenueReport, kstMonthOf } from '../../../use-cases/revenue-report.ts';
import { recordUsage } from '../../../use-cases/record-usage.ts';
import {
  exportPayments,
  getPaymentForAdmin,
  getUserSummary,
  listPaymentsWithRefunds,
  searchUsers,
  type AdminLookupDeps,
  type PaymentWithRefunds,
} from '../../../use-cases/admin-lookup.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requirePermission } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { paymentView } from '../../schemas/views.ts';
import { adminPaymentView, adminUserView, refundView, revenueReportView } from '../../schemas/refund-views.ts';
import {
  AdminIdParams,
  AdminPaymentDetailResponse,
  AdminPaymentsResponse,
  AdminRefundBody,
  AdminRefundSyncResponse,
  AdminUsageBody,
  AdminUserDetailResponse,
  AdminUsersResponse,
  CsvQuery,
  PaymentListQuery,
  RevenueQuery,
  RevenueReportResponse,
  UserPaymentListQuery,
  UserSearchQuery,
  inStoredRange,
} from '../../schemas/admin-schemas.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import { RefundResponse, UsageResponse } from '../../schemas/refund-schemas.ts';
import { refundOfEarlierRun, refundResponse } from '../payment/refund-routes.ts';
import { paymentsCsv } from './payments-csv.ts';
import { auditEntry } from '../../../use-cases/admin-actions.ts';

export interface AdminRoutesOptions {
  ctx: UseCaseContext;
  refunds: RefundDeps;
  reports: ReportStore & AdminDirectory;
  feesBps: Readonly<Record<string, number>>;
  idempotency: IdempotencyRepository;
  /** Search by any id with true totals (issue 14.2). */
  console: ConsoleStore;
}

function paymentFilterOf(q: z.infer<typeof CsvQuery>) {
  return {
    userId: q.user_id,
    statuses: q.status,
    provider: q.provider,
    planId: q.plan,
    kind: q.kind,
    minKrw: q.min_krw,
    maxKrw: q.max_krw,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

function encodeCursor(p: { createdAt: Date; id: string }): string {
  return Buffer.from(`${p.createdAt.toISOString()}|${p.id}`).toString('base64url');
}
function decodeCursor(c: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!c) return undefined;
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at);
  if (!id || !inStoredRange(createdAt.getTime())) throw new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'invalid cursor', input: c }]);
  return { createdAt, id };
}

/**
 * Operator API under /api/admin/. Every route names the staff permission it needs
 * (domain/staff-permissions.ts); test/integration/staff-roles.test.ts fails for a route without one.
 */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, opts) => {
  const { ctx, refunds, reports, feesBps, idempotency, console: consoleStore } = opts;
  const lookup: AdminLookupDeps = { directory: reports, refunds: refunds.refunds };

  const paymentsView = (rows: PaymentWithRefunds[]) =>
    rows.map((r) => adminPaymentView(r.payment, r.refunds, ctx.plans, feesBps, r.refundableKrw));
  const tags = ['admin'];

  app.get('/api/admin/users', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자 검색 (이메일 일부 또는 사용자 ID)', querystring: UserSearchQuery, response: { 200: AdminUsersResponse } } }, async (req): Promise<AdminUsersResponse> => {
    const q = req.query;
    const found = await searchUsers(consoleStore, { query: q.q, limit: q.limit, offset: q.offset });
    return {
      users: found.rows.map((s) => ({ ...adminUserView(s.user, s.subscription, ctx.plans), matched_by: s.matchedBy, matched_ref: s.matchedRef })),
      total: found.total,
      offset: q.offset,
      limit: q.limit,
    };
  });

  app.get('/api/admin/users/:id', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자 상세: 구독과 최근 결제 100건', params: AdminIdParams, response: { 200: AdminUserDetailResponse } } }, async (req): Promise<AdminUserDetailResponse> => {
    const { id } = req.params;
    const s = await getUserSummary(lookup, id);
    const rows = await listPaymentsWithRefunds(lookup, { userId: id, limit: 100 });
    return { user: adminUserView(s.user, s.subscription, ctx.plans), payments: paymentsView(rows) };
  });

  async function listPage(query: z.infer<typeof PaymentListQuery>): Promise<AdminPaymentsResponse> {
    const filter = paymentFilterOf(query);
    const before = decodeCursor(query.cursor);
    const [rows, total] = await Promise.all([listPaymentsWithRefunds(lookup, { ...filter, before, limit: query.limit }), consoleStore.countPayments({ ...filter, limit: 0 })]);
    const last = rows[rows.length - 1]?.payment;
    return { payments: paymentsView(rows), next_cursor: rows.length === query.limit && last ? encodeCursor(last) : null, total };
  }

  app.get('/api/admin/users/:id/payments', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자의 결제 내역 (환불 포함)', params: AdminIdParams, querystring: UserPaymentListQuery, response: { 200: AdminPaymentsResponse } } }, async (req): Promise<AdminPaymentsResponse> => {
    const { id } = req.params;
    await getUserSummary(lookup, id);
    return listPage({ ...req.query, user_id: id });
  });

  app.get('/api/admin/payments', { onRequest: requirePermission('console.read'), schema: { tags, summary: '결제 검색 (user_id, status, provider, from, to, cursor)', querystring: PaymentListQuery, response: { 200: AdminPaymentsResponse } } }, async (req) =>
    listPage(req.query),
  );

  app.get('/api/admin/payments.csv', { onRequest: requirePermission('exports.download'), schema: { tags, summary: '결제 내역 CSV 내보내기 (UTF-8 BOM, Excel 호환)', querystring: CsvQuery } }, async (req, reply) => {
    const q = req.query;
    const rows = exportPayments(lookup, paymentFilterOf(q));
    const stamp = kstMonthOf(ctx.clock.now()).replace('-', '');
    // The header line and the first payment before answering: a failing query is then an error
    // response, not a 200 whose file ends early.
    const lines = paymentsCsv(rows, ctx.plans, feesBps);
    const head: string[] = [];
    for (let i = 0; i < 2; i++) {
      const next = await lines.next();
      if (next.done) break;
      head.push(next.value);
    }
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="payments-${stamp}.csv"`);
    return reply.send(Readable.from((async function* () {
      yield* head;
      yield* lines;
    })()));
  });

  app.get('/api/admin/payments/:id', { onRequest: requirePermission('console.read'), schema: { tags, summary: '결제 상세 (환불, 사용자)', params: AdminIdParams, response: { 200: AdminPaymentDetailResponse } } }, async (req): Promise<AdminPaymentDetailResponse> => {
    const { id } = req.params;
    const r = await getPaymentForAdmin(ctx, lookup, id);
    return {
      payment: adminPaymentView(r.payment, r.refunds, ctx.plans, feesBps, r.refundableKrw),
      user: r.user ? adminUserView(r.user.user, r.user.subscription, ctx.plans) : null,
    };
  });

  app.post(
    '/api/admin/payments/:id/refunds',
    {
      onRequest: requirePermission('payments.refund'),
      schema: {
        tags,
        summary: '환불 (amount_krw 생략 시 남은 금액 전액; Idempotency-Key 지원; 201 완료, 202 결과 확인 중)',
        params: AdminIdParams,
        body: AdminRefundBody,
        headers: IdempotencyHeaders,
        response: { 201: RefundResponse, 202: RefundResponse },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const body = req.body;
      const adminId = principalOf(req).userId;
      return idempotentAnswer<RefundResponse>({ repo: idempotency, clock: ctx.clock }, req, reply, adminId, async (run) =>
        refundResponse(
          (await refundOfEarlierRun(ctx, refunds, run, id, adminId)) ??
            (await refundPayment(ctx, refunds, {
              paymentId: id,
              amountKrw: body.amount_krw,
              reason: body.reason,
              kind: 'admin',
              requestedBy: adminId,
              // The audit row commits with the reservation of the refund.
              onReserved: (tx, payment, refund) =>
                tx.recordAdminAction(
                  auditEntry(ctx, { actorUserId: adminId, reason: body.reason }, 'payment.refund', { type: 'payment', id: payment.id },
                    { status: payment.status, amount_krw: payment.amountKrw, refunded_krw: payment.refundedKrw },
                    { refund_id: refund.id, refund_amount_krw: refund.amountKrw, refund_status: refund.status, user_id: payment.userId }),
                ),
            })),
          ctx,
        ),
      );
    },
  );

  app.post('/api/admin/refunds/:id/sync', { onRequest: requirePermission('payments.refund'), schema: { tags, summary: '결과를 모르는 환불을 결제사 조회로 확정', params: AdminIdParams, response: { 200: AdminRefundSyncResponse } } }, async (req): Promise<AdminRefundSyncResponse> => {
    const { id } = req.params;
    const r = await syncRefund(ctx, refunds, id);
    await ctx.repo.recordAdminAction(
      auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, 'refund.sync', { type: 'refund', id }, null, {
        reconciled: r.reconciled,
        refund_status: r.refund.status,
        payment_id: r.payment.id,
        user_id: r.payment.userId,
      }),
    );
    return { reconciled: r.reconciled, refund: refundView(r.refund), payment: paymentView(r.payment, ctx.plans) };
  });

  app.get(
    '/api/admin/reports/revenue',
    { onRequest: requirePermission('reports.read'), schema: { tags, summary: '매출 리포트: 월별·결제사별 총매출, 환불, 수수료, 순매출, 플랜별 구독자, MRR, 갱신 실패, 이탈률', querystring: RevenueQuery, response: { 200: RevenueReportResponse } } },
    async (req): Promise<RevenueReportResponse> => {
      const q = req.query;
      const now = ctx.clock.now();
      const to = q.to ?? kstMonthOf(now);
      const from = q.from ?? kstMonthOf(new Date(Date.UTC(Number(to.slice(0, 4)) - 1, Number(to.slice(5, 7)), 15)));
      return revenueReportView(await revenueReport(ctx, { reports, feesBps }, { from, to }));
    },
  );

  app.post('/api/admin/usage', { onRequest: requirePermission('engine.manage'), schema: { tags, summary: '유료 기능 사용 기록 (호스트 서버용, user_id 지정)', body: AdminUsageBody, response: { 201: UsageResponse } } }, async (req, reply): Promise<UsageResponse> => {
    const body = req.body;
    const u = await recordUsage(ctx, refunds.usage, { userId: body.user_id, feature: body.feature, recordedBy: principalOf(req).userId });
    reply.status(201);
    return { user_id: u.userId, feature: u.feature, occurred_at: u.occurredAt.toISOString() };
  });
};
