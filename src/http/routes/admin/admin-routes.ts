import type { FastifyPluginAsync } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { PAYMENT_STATUSES } from '../../../domain/payment/payment-states.ts';
import type { AdminDirectory, ReportStore } from '../../../domain/report-store.ts';
import type { ConsoleStore } from '../../../domain/console-store.ts';
import { PAYMENT_KINDS } from '../../../domain/payment/payment-states.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { refundPayment } from '../../../use-cases/refund-payment.ts';
import type { RefundDeps } from '../../../use-cases/refund-deps.ts';
import { syncRefund } from '../../../use-cases/sync-refund.ts';
import { revenueReport, kstMonthOf } from '../../../use-cases/revenue-report.ts';
import { FeatureSchema, recordUsage } from '../../../use-cases/record-usage.ts';
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
import { withIdempotency } from '../../plugins/idempotency.ts';
import { docSchema, parseWith } from '../../schemas/validation.ts';
import { paymentView } from '../../schemas/views.ts';
import { adminPaymentView, adminUserView, refundView, revenueReportView } from '../../schemas/refund-views.ts';
import type {
  AdminPaymentDetailResponse,
  AdminPaymentsResponse,
  AdminRefundSyncResponse,
  AdminUserDetailResponse,
  AdminUsersResponse,
  RevenueReportResponse,
} from '../../schemas/refund-api-types.ts';
import type { UsageResponse } from '../../schemas/refund-schemas.ts';
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

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UserSearchQuery = z.object({
  q: z.string().trim().min(1).max(254),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
// Dates the service can hold: JS Date and both databases agree from 1970 to 9999 (a year 0000
// or an offset past 9999 made the query fail, and two-digit years read as 19xx).
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const inRange = (ms: number) => ms >= EARLIEST_MS && ms <= LATEST_MS;
const DateTime = z.iso.datetime({ offset: true }).refine((v) => inRange(Date.parse(v)), '1970–9999');
const Month = z
  .string()
  .regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])(-\d{2})?$/, 'YYYY-MM (1970–9999)')
  .transform((s) => s.slice(0, 7));
const RevenueQuery = z.object({ from: Month.optional(), to: Month.optional() });
const RefundBody = z.object({
  /** Omitted: refund everything still refundable. */
  amount_krw: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  reason: z.string().trim().min(1).max(500),
});
const AdminUsageBody = z.object({ user_id: z.string().min(1).max(64), feature: FeatureSchema });
const PaymentListQuery = z.object({
  user_id: z.string().min(1).max(64).optional(),
  /** One status, or several separated by commas (`unknown,approving`). */
  status: z
    .string()
    .max(200)
    .transform((v) => v.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(PAYMENT_STATUSES)).min(1))
    .optional(),
  provider: z.string().min(1).max(32).optional(),
  plan: z.string().min(1).max(64).optional(),
  kind: z.enum(PAYMENT_KINDS).optional(),
  min_krw: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  max_krw: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  from: DateTime.optional(),
  to: DateTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const CsvQuery = PaymentListQuery.omit({ limit: true, cursor: true });

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
  if (!id || !inRange(createdAt.getTime())) throw new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'invalid cursor', input: c }]);
  return { createdAt, id };
}

/**
 * Operator API under /api/admin/. Every route names the staff permission it needs
 * (domain/staff-permissions.ts); test/integration/staff-roles.test.ts fails for a route without one.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, opts) => {
  const { ctx, refunds, reports, feesBps, idempotency, console: consoleStore } = opts;
  const lookup: AdminLookupDeps = { directory: reports, refunds: refunds.refunds };

  const paymentsView = (rows: PaymentWithRefunds[]) =>
    rows.map((r) => adminPaymentView(r.payment, r.refunds, ctx.plans, feesBps, r.refundableKrw));
  const tags = ['admin'];

  app.get('/api/admin/users', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자 검색 (이메일 일부 또는 사용자 ID)', querystring: docSchema(UserSearchQuery) } }, async (req): Promise<AdminUsersResponse> => {
    const q = parseWith(UserSearchQuery, req.query);
    const found = await searchUsers(consoleStore, { query: q.q, limit: q.limit, offset: q.offset });
    return {
      users: found.rows.map((s) => ({ ...adminUserView(s.user, s.subscription, ctx.plans), matched_by: s.matchedBy, matched_ref: s.matchedRef })),
      total: found.total,
      offset: q.offset,
      limit: q.limit,
    };
  });

  app.get('/api/admin/users/:id', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자 상세: 구독과 최근 결제 100건' } }, async (req): Promise<AdminUserDetailResponse> => {
    const { id } = parseWith(IdParams, req.params);
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

  app.get('/api/admin/users/:id/payments', { onRequest: requirePermission('console.read'), schema: { tags, summary: '사용자의 결제 내역 (환불 포함)' } }, async (req): Promise<AdminPaymentsResponse> => {
    const { id } = parseWith(IdParams, req.params);
    await getUserSummary(lookup, id);
    return listPage(parseWith(PaymentListQuery, { ...(req.query as object), user_id: id }));
  });

  app.get('/api/admin/payments', { onRequest: requirePermission('console.read'), schema: { tags, summary: '결제 검색 (user_id, status, provider, from, to, cursor)', querystring: docSchema(PaymentListQuery) } }, async (req) =>
    listPage(parseWith(PaymentListQuery, req.query)),
  );

  app.get('/api/admin/payments.csv', { onRequest: requirePermission('exports.download'), schema: { tags, summary: '결제 내역 CSV 내보내기 (UTF-8 BOM, Excel 호환)', querystring: docSchema(CsvQuery) } }, async (req, reply) => {
    const q = parseWith(CsvQuery, req.query);
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

  app.get('/api/admin/payments/:id', { onRequest: requirePermission('console.read'), schema: { tags, summary: '결제 상세 (환불, 사용자)' } }, async (req): Promise<AdminPaymentDetailResponse> => {
    const { id } = parseWith(IdParams, req.params);
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
        body: docSchema(RefundBody),
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
      },
    },
    async (req, reply) => {
      const { id } = parseWith(IdParams, req.params);
      const body = parseWith(RefundBody, req.body);
      const adminId = principalOf(req).userId;
      return withIdempotency({ repo: idempotency, clock: ctx.clock }, req, reply, adminId, async (run) =>
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

  app.post('/api/admin/refunds/:id/sync', { onRequest: requirePermission('payments.refund'), schema: { tags, summary: '결과를 모르는 환불을 결제사 조회로 확정' } }, async (req): Promise<AdminRefundSyncResponse> => {
    const { id } = parseWith(IdParams, req.params);
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
    { onRequest: requirePermission('reports.read'), schema: { tags, summary: '매출 리포트: 월별·결제사별 총매출, 환불, 수수료, 순매출, 플랜별 구독자, MRR, 갱신 실패, 이탈률', querystring: docSchema(RevenueQuery) } },
    async (req): Promise<RevenueReportResponse> => {
      const q = parseWith(RevenueQuery, req.query);
      const now = ctx.clock.now();
      const to = q.to ?? kstMonthOf(now);
      const from = q.from ?? kstMonthOf(new Date(Date.UTC(Number(to.slice(0, 4)) - 1, Number(to.slice(5, 7)), 15)));
      return revenueReportView(await revenueReport(ctx, { reports, feesBps }, { from, to }));
    },
  );

  app.post('/api/admin/usage', { onRequest: requirePermission('engine.manage'), schema: { tags, summary: '유료 기능 사용 기록 (호스트 서버용, user_id 지정)', body: docSchema(AdminUsageBody) } }, async (req, reply): Promise<UsageResponse> => {
    const body = parseWith(AdminUsageBody, req.body);
    const u = await recordUsage(ctx, refunds.usage, { userId: body.user_id, feature: body.feature, recordedBy: principalOf(req).userId });
    reply.status(201);
    return { user_id: u.userId, feature: u.feature, occurred_at: u.occurredAt.toISOString() };
  });
};
