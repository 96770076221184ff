import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../domain/errors.ts';
import { ADMIN_ACTIONS, type AdminAuditEntry, type AdminAuditFilter, type AdminAuditStore } from '../../../domain/admin-audit.ts';
import type { AccountingStore } from '../../../domain/accounting-store.ts';
import type { ReportStore } from '../../../domain/report-store.ts';
import type { Subscription } from '../../../domain/records.ts';
import type { StaffPermission } from '../../../domain/staff-permissions.ts';
import type { SettlementImport, StoredDifference } from '../../../domain/payment/settlement-store.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import {
  adminCancelSubscription,
  adminChangePlan,
  adminResumeSubscription,
  adminRevokeBillingKey,
  extendSubscription,
  resendNotice,
  retryRenewalNow,
  subscriptionSnapshot,
} from '../../../use-cases/admin-actions.ts';
import { accountingReport, ACCOUNTING_RULES } from '../../../use-cases/accounting-report.ts';
import { paymentsExport, refundsExport, settlementSummaryExport } from '../../../use-cases/accounting-exports.ts';
import { importSettlement, type SettlementDeps } from '../../../use-cases/import-settlement.ts';
import { kstMonthOf, REPORT_RULES } from '../../../use-cases/revenue-report.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requirePermission } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { PROVIDER_NAMES } from '../../schemas/views.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import {
  AccountingReportResponse,
  AdminActionResponse,
  AdminNoticesResponse,
  AuditCsvQuery,
  AuditLogResponse,
  AuditQuery,
  ChangePlanBody,
  ExportParams,
  ExtendBody,
  MonthsQuery,
  NoticeParams,
  NoticeResendResponse,
  OperatorIdParams,
  ReasonBody,
  SettlementDetailResponse,
  SettlementImportsResponse,
  SettlementPageQuery,
  SettlementUpload,
  type AuditEntryView,
  type SettlementDifferenceView,
  type SettlementImportView,
} from '../../schemas/operator-action-schemas.ts';
import { csvLine } from './payments-csv.ts';
import { sendTable } from './table-export.ts';
import { Readable } from 'node:stream';

export interface ConsoleRoutesOptions {
  ctx: UseCaseContext;
  audit: AdminAuditStore;
  accounting: AccountingStore;
  reports: ReportStore;
  feesBps: Readonly<Record<string, number>>;
  settlements: SettlementDeps;
  idempotency: IdempotencyRepository;
}

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const kstDayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - KST_OFFSET_MS);
const addDay = (d: Date) => new Date(d.getTime() + 86_400_000);

function auditView(e: AdminAuditEntry & { actorEmail: string | null }): AuditEntryView {
  return {
    id: e.id,
    actor_user_id: e.actorUserId,
    actor_email: e.actorEmail,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    reason: e.reason,
    before: e.before,
    after: e.after,
    created_at: e.createdAt.toISOString(),
  };
}

function importView(i: SettlementImport): SettlementImportView {
  return {
    id: i.id,
    provider: i.provider,
    provider_name: PROVIDER_NAMES[i.provider] ?? i.provider,
    settlement_date: i.settlementDate,
    file_name: i.fileName,
    line_count: i.lineCount,
    file_amount_krw: i.fileAmountKrw,
    file_fee_krw: i.fileFeeKrw,
    ledger_amount_krw: i.ledgerAmountKrw,
    ledger_fee_krw: i.ledgerFeeKrw,
    difference_count: i.differenceCount,
    imported_by: i.importedBy,
    created_at: i.createdAt.toISOString(),
  };
}

function differenceView(d: StoredDifference): SettlementDifferenceView {
  return {
    id: d.id,
    kind: d.kind,
    line_kind: d.lineKind,
    provider_ref: d.providerRef,
    transaction_ref: d.transactionRef,
    payment_id: d.paymentId,
    refund_id: d.refundId,
    file: d.fileValue,
    ledger: d.ledgerValue,
  };
}

/**
 * Operator console: actions on a subscriber (each with a reason, audited), the audit log, the
 * accounting report and exports, and settlement reconciliation. Every route names the staff
 * permission it needs (domain/staff-permissions.ts).
 */
export const operatorActionRoutes: FastifyPluginAsyncZod<ConsoleRoutesOptions> = async (app, opts) => {
  const { ctx, audit, idempotency } = opts;
  const tags = ['admin'];
  const actorOf = (req: FastifyRequest, reason: string) => ({ actorUserId: principalOf(req).userId, reason });
  const done = (action: string, sub: Subscription, outcome?: string): AdminActionResponse => ({
    action,
    subscription: subscriptionSnapshot(sub),
    ...(outcome ? { outcome } : {}),
  });
  /** An action answered once per Idempotency-Key (a double click extends once). */
  const once = (req: FastifyRequest, reply: FastifyReply, run: () => Promise<AdminActionResponse>) =>
    idempotentAnswer<AdminActionResponse>({ repo: idempotency, clock: ctx.clock }, req, reply, principalOf(req).userId, async () => ({ status: 200, body: await run() }));

  // 14.4 Actions on a subscriber: each answered once per Idempotency-Key, with the subscription after it.
  /** `POST /api/admin/users/:id/actions/<path>`: `run` does the action as the staff member, with the body's reason. */
  const subscriberAction = <B extends typeof ReasonBody>(
    path: string,
    permission: StaffPermission,
    summary: string,
    body: B,
    action: string,
    run: (actor: { actorUserId: string; reason: string }, userId: string, b: z.infer<B>) => Promise<Subscription | { subscription: Subscription; outcome: string }>,
  ) =>
    app.post(
      `/api/admin/users/:id/actions/${path}`,
      { preValidation: requirePermission(permission), schema: { tags, summary, params: OperatorIdParams, body, headers: IdempotencyHeaders, response: { 200: AdminActionResponse } } },
      async (req, reply) => {
        const b = req.body as z.infer<B>;
        return once(req, reply, async () => {
          const r = await run(actorOf(req, b.reason), req.params.id, b);
          return 'outcome' in r ? done(action, r.subscription, r.outcome) : done(action, r);
        });
      },
    );
  subscriberAction('extend', 'subscriptions.extend', '이용 기간 연장 (무상, 사유 필수)', ExtendBody, 'subscription.extend', (actor, userId, b) =>
    extendSubscription(ctx, actor, { userId, days: b.days }),
  );
  subscriberAction('change-plan', 'subscriptions.change_plan', '플랜 변경 (청구·환불 없음; now 또는 next_renewal)', ChangePlanBody, 'subscription.change_plan', (actor, userId, b) =>
    adminChangePlan(ctx, actor, { userId, planId: b.plan, when: b.when }),
  );
  subscriberAction('cancel', 'subscriptions.cancel', '자동 결제 해지 (기간 끝까지 이용)', ReasonBody, 'subscription.cancel', (actor, userId) => adminCancelSubscription(ctx, actor, { userId }));
  subscriberAction('resume', 'subscriptions.resume', '자동 결제 다시 켜기 (결제 수단이 남아 있을 때)', ReasonBody, 'subscription.resume', (actor, userId) => adminResumeSubscription(ctx, actor, { userId }));
  subscriberAction('retry-renewal', 'renewals.retry', '실패한 갱신 결제 지금 재시도', ReasonBody, 'renewal.retry', (actor, userId) => retryRenewalNow(ctx, actor, { userId }));
  subscriberAction('revoke-billing-key', 'billing_keys.revoke', '결제 수단(빌링키) 해지', ReasonBody, 'billing_key.revoke', (actor, userId) => adminRevokeBillingKey(ctx, actor, { userId }));
  app.get('/api/admin/users/:id/notices', { preValidation: requirePermission('console.read'), schema: { tags, summary: '사용자에게 보낸 알림', params: OperatorIdParams, response: { 200: AdminNoticesResponse } } }, async (req): Promise<AdminNoticesResponse> => {
    const { id } = req.params;
    const rows = await ctx.repo.renewals().listNotices({ userId: id, limit: 100 });
    return {
      notices: rows.map((n) => ({
        id: n.id,
        kind: n.kind,
        subject: n.subject,
        status: n.status,
        recipient: n.recipient,
        sent_at: n.sentAt?.toISOString() ?? null,
        created_at: n.createdAt.toISOString(),
      })),
    };
  });
  app.post(
    '/api/admin/users/:id/notices/:noticeId/resend',
    { preValidation: requirePermission('notices.resend'), schema: { tags, summary: '알림 다시 보내기 (같은 내용을 새 알림으로)', params: NoticeParams, body: ReasonBody, response: { 201: NoticeResendResponse } } },
    async (req, reply) => {
      const { id, noticeId } = req.params;
      const b = req.body;
      const n = await resendNotice(ctx, actorOf(req, b.reason), { userId: id, noticeId });
      reply.status(201);
      return { notice: { id: n.id, kind: n.kind, subject: n.subject, status: n.status, created_at: n.createdAt.toISOString() } };
    },
  );

  // 14.5 Audit log.
  async function auditFilter(q: AuditCsvQuery): Promise<AdminAuditFilter | null> {
    let actorUserId: string | undefined;
    if (q.actor) {
      if (q.actor.includes('@')) {
        const u = await ctx.repo.findUserByEmail(q.actor.toLowerCase());
        if (!u) return null;
        actorUserId = u.id;
      } else actorUserId = q.actor;
    }
    return {
      actorUserId,
      action: q.action,
      targetId: q.target_id,
      from: q.from ? kstDayStart(q.from) : undefined,
      to: q.to ? addDay(kstDayStart(q.to)) : undefined,
    };
  }
  app.get('/api/admin/audit', { preValidation: requirePermission('audit.read'), schema: { tags, summary: '관리 작업 기록 (actor: 이메일 또는 사용자 ID, action, from/to: 한국 날짜)', querystring: AuditQuery, response: { 200: AuditLogResponse } } }, async (req): Promise<AuditLogResponse> => {
    const q = req.query;
    const filter = await auditFilter(q);
    const page = filter ? await audit.listAudit(filter, { limit: q.page_size, offset: (q.page - 1) * q.page_size }) : { entries: [], total: 0 };
    return { entries: page.entries.map(auditView), total: page.total, page: q.page, page_size: q.page_size, actions: ADMIN_ACTIONS };
  });
  app.get('/api/admin/audit.csv', { preValidation: requirePermission('audit.read'), schema: { tags, summary: '관리 작업 기록 CSV', querystring: AuditCsvQuery } }, async (req, reply) => {
    const q = req.query;
    const filter = await auditFilter(q);
    const columns = ['id', 'created_at', 'actor_user_id', 'actor_email', 'action', 'target_type', 'target_id', 'reason', 'before', 'after'];
    const rows = filter ? audit.exportAudit(filter) : (async function* () {})();
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="audit-${kstMonthOf(ctx.clock.now()).replace('-', '')}.csv"`);
    return reply.send(
      Readable.from(
        (async function* () {
          yield `\uFEFF${csvLine(columns)}`;
          for await (const e of rows) {
            yield csvLine([e.id, e.createdAt.toISOString(), e.actorUserId, e.actorEmail, e.action, e.targetType, e.targetId, e.reason, JSON.stringify(e.before), JSON.stringify(e.after)]);
          }
        })(),
      ),
    );
  });

  // 14.6 Accounting report and exports.
  const monthsOf = (q: MonthsQuery) => {
    const to = q.to ?? kstMonthOf(ctx.clock.now());
    const [y, m] = to.split('-').map(Number);
    const from = q.from ?? kstMonthOf(new Date(Date.UTC(y - 1, m, 15)));
    return { from, to };
  };
  const exportDeps = { reports: opts.reports, accounting: opts.accounting, feesBps: opts.feesBps };
  app.get('/api/admin/reports/accounting', { preValidation: requirePermission('reports.read'), schema: { tags, summary: '회계 리포트: 부가세 제외 순매출, 환불(발생월), 수수료, MRR 변동, 연체 회수율', querystring: MonthsQuery, response: { 200: AccountingReportResponse } } }, async (req): Promise<AccountingReportResponse> => {
    const r = await accountingReport(ctx, exportDeps, monthsOf(req.query));
    const fig = (f: (typeof r.revenue.months)[number] | (typeof r.revenue.months)[number]['providers'][number]) => ({
      payments: f.payments,
      gross_krw: f.grossKrw,
      vat_krw: f.vatKrw,
      refunds_krw: f.refundsKrw,
      refunds_vat_krw: f.refundsVatKrw,
      net_krw: f.netKrw,
      fee_krw: f.feeKrw,
      fee_vat_krw: f.feeVatKrw,
      payout_krw: f.payoutKrw,
    });
    return {
      from: r.revenue.from,
      to: r.revenue.to,
      timezone: 'Asia/Seoul',
      generated_at: r.revenue.generatedAt.toISOString(),
      rules: { ...REPORT_RULES, ...ACCOUNTING_RULES },
      months: r.revenue.months.map((m) => ({
        month: m.month,
        ...fig(m),
        supply_krw: m.grossKrw - m.vatKrw,
        refund_count: m.refundCount,
        providers: m.providers.map((p) => ({ provider: p.provider, provider_name: PROVIDER_NAMES[p.provider] ?? p.provider, fee_bps: p.feeBps, ...fig(p) })),
      })),
      movements: r.movements.map((m) => ({
        month: m.month,
        start_mrr_krw: m.startMrrKrw,
        end_mrr_krw: m.endMrrKrw,
        new_krw: m.newKrw,
        expansion_krw: m.expansionKrw,
        contraction_krw: m.contractionKrw,
        churn_krw: m.churnKrw,
        reactivation_krw: m.reactivationKrw,
        counts: m.counts,
      })),
      recovery: r.recovery.map((x) => ({
        month: x.month,
        failed_cycles: x.failedCycles,
        failed_krw: x.failedKrw,
        recovered_cycles: x.recoveredCycles,
        recovered_krw: x.recoveredKrw,
        rate: x.rate,
      })),
    };
  });
  app.get(
    '/api/admin/exports/:kind.:format',
    { preValidation: requirePermission('exports.download'), schema: { tags, summary: '회계 내보내기: payments · refunds · settlement-summary, csv 또는 xlsx (from/to: YYYY-MM)', params: ExportParams, querystring: MonthsQuery } },
    async (req, reply) => {
      const { kind, format } = req.params;
      const months = monthsOf(req.query);
      if (months.from > months.to) throw new z.ZodError([{ code: 'custom', path: ['from'], message: 'from > to', input: months.from }]);
      const table =
        kind === 'payments' ? paymentsExport(exportDeps, months) : kind === 'refunds' ? refundsExport(exportDeps, months) : await settlementSummaryExport(ctx, exportDeps, months);
      return sendTable(reply, table, format, `${kind}-${months.from.replace('-', '')}-${months.to.replace('-', '')}`);
    },
  );

  // 14.7 Settlement reconciliation.
  app.post(
    '/api/admin/settlements',
    {
      preValidation: requirePermission('settlements.reconcile'),
      bodyLimit: 10 * 1024 * 1024,
      schema: { tags, summary: '결제사 정산 파일 가져오기와 대사 (차이: 누락, 금액, 수수료, 상태)', body: SettlementUpload, response: { 201: SettlementDetailResponse } },
    },
    async (req, reply): Promise<SettlementDetailResponse> => {
      const b = req.body;
      const r = await importSettlement(ctx, opts.settlements, {
        provider: b.provider,
        fileName: b.file_name,
        text: b.content,
        settlementDate: b.settlement_date,
        actorUserId: principalOf(req).userId,
      });
      reply.status(201);
      return { import: importView(r.import), differences: r.differences.map(differenceView) };
    },
  );
  app.get('/api/admin/settlements', { preValidation: requirePermission('settlements.reconcile'), schema: { tags, summary: '가져온 정산 파일 목록', querystring: SettlementPageQuery, response: { 200: SettlementImportsResponse } } }, async (req): Promise<SettlementImportsResponse> => {
    const q = req.query;
    const r = await opts.settlements.settlements.listImports({ limit: q.page_size, offset: (q.page - 1) * q.page_size });
    return { imports: r.imports.map(importView), total: r.total };
  });
  app.get('/api/admin/settlements/:id', { preValidation: requirePermission('settlements.reconcile'), schema: { tags, summary: '정산 대사 결과', params: OperatorIdParams, response: { 200: SettlementDetailResponse } } }, async (req): Promise<SettlementDetailResponse> => {
    const { id } = req.params;
    const r = await opts.settlements.settlements.findImport(id);
    if (!r) throw new AppError('NOT_FOUND', '정산 파일을 찾을 수 없습니다.');
    return { import: importView(r.import), differences: r.differences.map(differenceView) };
  });
};
