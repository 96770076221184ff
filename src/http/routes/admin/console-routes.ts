import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TIMELINE_SOURCES, type TimelineCursor } from '../../../domain/console-store.ts';
import { permissionsOf } from '../../../domain/staff-permissions.ts';
import type { ConsoleStore } from '../../../domain/console-store.ts';
import type { AdminDirectory } from '../../../domain/report-store.ts';
import type { RefundStore } from '../../../domain/payment/refund-store.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { attachRefunds } from '../../../use-cases/admin-lookup.ts';
import { setUserRole, userTimeline, type ConsoleDeps } from '../../../use-cases/console-views.ts';
import { principalOf, requirePermission } from '../../plugins/auth.ts';
import { adminPaymentView, adminSubscriptionView, adminUserView, refundView } from '../../schemas/refund-views.ts';
import { openCycleView, subscriptionEntryView, timelineEntryView, userRefView } from '../../schemas/console-views.ts';
import {
  ConsoleIdParams,
  DunningResponse,
  PageQuery,
  QueueSummaryResponse,
  RefundQuery,
  RenewalQuery,
  RoleBody,
  SetRoleResponse,
  SubscriptionListResponse,
  SubscriptionQuery,
  TimelineQuery,
  TimelineResponse,
  RefundListResponse,
} from '../../schemas/console-schemas.ts';

export interface ConsoleRoutesOptions {
  ctx: UseCaseContext;
  store: ConsoleStore;
  directory: AdminDirectory;
  refunds: RefundStore;
  feesBps: Readonly<Record<string, number>>;
  /** Called after a role change so that this process stops using the cached role at once. */
  onRoleChanged?: (userId: string) => void;
}

const DAY_MS = 86_400_000;
function encodeCursor(c: TimelineCursor): string {
  return Buffer.from(`${c.at.toISOString()}|${c.key}`).toString('base64url');
}
function decodeCursor(c: string | undefined): TimelineCursor | undefined {
  if (!c) return undefined;
  const text = Buffer.from(c, 'base64url').toString('utf8');
  const i = text.indexOf('|');
  const at = new Date(text.slice(0, i));
  const key = text.slice(i + 1);
  if (i < 0 || Number.isNaN(at.getTime()) || !/^[a-z_]+:.{1,100}$/.test(key)) {
    throw new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'invalid cursor', input: c }]);
  }
  return { at, key };
}

/**
 * Operator console lists (issue 14.1), the per-user timeline (14.3) and staff roles (14.8).
 * Every route names its permission; totals count every matching row.
 */
export const consoleRoutes: FastifyPluginAsyncZod<ConsoleRoutesOptions> = async (app, opts) => {
  const { ctx, store, directory, refunds, feesBps } = opts;
  const deps: ConsoleDeps = { store, directory };
  const tags = ['admin'];
  const read = requirePermission('console.read');

  app.get('/api/admin/queues/summary', { onRequest: read, schema: { tags, summary: '운영 대기열 건수 (갱신 실패 재시도, 유예 중·유예 종료, 7일 내 갱신, 처리 중 환불, 결과 미확인 결제)', response: { 200: QueueSummaryResponse } } }, async (): Promise<QueueSummaryResponse> => {
    const now = ctx.clock.now();
    const one = { limit: 1, offset: 0 };
    const [dunning, inGrace, graceOver, renewals, pending, unknown] = await Promise.all([
      store.dunningQueue(one),
      store.listSubscriptions({ grace: 'in', now }, one),
      store.listSubscriptions({ grace: 'over', now }, one),
      store.upcomingRenewals(now, new Date(now.getTime() + 7 * DAY_MS), one),
      store.listRefunds(['requested', 'unknown'], one),
      store.countPayments({ statuses: ['unknown', 'approving'], limit: 0 }),
    ]);
    return {
      dunning: dunning.total,
      past_due_in_grace: inGrace.total,
      past_due_grace_over: graceOver.total,
      renewals_next_7_days: renewals.total,
      pending_refunds: pending.total,
      unknown_payments: unknown,
      now: now.toISOString(),
    };
  });

  app.get('/api/admin/queues/dunning', { onRequest: read, schema: { tags, summary: '갱신 결제 실패 후 재시도 중인 결제 주기 (다음 시도 순)', querystring: PageQuery, response: { 200: DunningResponse } } }, async (req): Promise<DunningResponse> => {
    const q = req.query;
    const page = await store.dunningQueue(q);
    return {
      entries: page.rows.map((e) => ({
        cycle: openCycleView(e.cycle),
        subscription: { ...adminSubscriptionView(e.subscription, ctx.plans), grace_until: e.subscription.graceUntil?.toISOString() ?? null },
        user: userRefView(e.user),
      })),
      total: page.total,
      ...q,
    };
  });

  app.get('/api/admin/subscriptions', { onRequest: read, schema: { tags, summary: '구독 목록 (status, grace=in|over, plan, provider)', querystring: SubscriptionQuery, response: { 200: SubscriptionListResponse } } }, async (req): Promise<SubscriptionListResponse> => {
    const q = req.query;
    const page = await store.listSubscriptions({ status: q.status, grace: q.grace, planId: q.plan, provider: q.provider, now: ctx.clock.now() }, q);
    return { entries: page.rows.map((e) => subscriptionEntryView(e, ctx.plans)), total: page.total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/admin/renewals/upcoming', { onRequest: read, schema: { tags, summary: '다가오는 자동 갱신 (days일 안에 기간이 끝나는 자동 갱신 구독)', querystring: RenewalQuery, response: { 200: SubscriptionListResponse } } }, async (req): Promise<SubscriptionListResponse> => {
    const q = req.query;
    const now = ctx.clock.now();
    const page = await store.upcomingRenewals(now, new Date(now.getTime() + q.days * DAY_MS), q);
    return { entries: page.rows.map((e) => subscriptionEntryView(e, ctx.plans)), total: page.total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/admin/refunds', { onRequest: read, schema: { tags, summary: '환불 목록 (기본: 처리 중·결과 미확인 환불, 오래된 순)', querystring: RefundQuery, response: { 200: RefundListResponse } } }, async (req): Promise<RefundListResponse> => {
    const q = req.query;
    const page = await store.listRefunds(q.status, q);
    const withRefunds = new Map((await attachRefunds({ directory, refunds }, page.rows.map((r) => r.payment))).map((p) => [p.payment.id, p]));
    return {
      entries: page.rows.map((e) => {
        const p = withRefunds.get(e.payment.id)!;
        return { refund: refundView(e.refund), payment: adminPaymentView(p.payment, p.refunds, ctx.plans, feesBps, p.refundableKrw), user: userRefView(e.user) };
      }),
      total: page.total,
      limit: q.limit,
      offset: q.offset,
    };
  });

  app.get('/api/admin/users/:id/timeline', { onRequest: read, schema: { tags, summary: '사용자 타임라인: 결제·환불·구독 변경·안내 메일·웹훅·사용 기록을 시간순으로 (cursor)', params: ConsoleIdParams, querystring: TimelineQuery, response: { 200: TimelineResponse } } }, async (req): Promise<TimelineResponse> => {
    const { id } = req.params;
    const q = req.query;
    const sources = q.sources ?? [...TIMELINE_SOURCES];
    const page = await userTimeline(deps, { userId: id, sources, before: decodeCursor(q.cursor), limit: q.limit });
    const summary = (await directory.findUserSummary(id))!;
    const last = page.rows[page.rows.length - 1];
    return {
      user: adminUserView(summary.user, summary.subscription, ctx.plans),
      entries: page.rows.map(timelineEntryView),
      total: page.total,
      next_cursor: page.rows.length === q.limit && last ? encodeCursor({ at: last.at, key: `${last.source}:${last.id}` }) : null,
      sources,
    };
  });

  app.post('/api/admin/users/:id/role', { onRequest: requirePermission('staff.manage'), schema: { tags, summary: '사용자 역할 지정 (user, admin, support, finance)', params: ConsoleIdParams, body: RoleBody, response: { 200: SetRoleResponse } } }, async (req): Promise<SetRoleResponse> => {
    const { id } = req.params;
    const body = req.body;
    const r = await setUserRole(deps, { actorId: principalOf(req).userId, userId: id, role: body.role });
    opts.onRoleChanged?.(id);
    const summary = await directory.findUserSummary(id);
    req.log.info({ actor: principalOf(req).userId, user_id: id, from: r.before, to: r.user.role }, 'staff role changed');
    return { user: adminUserView(r.user, summary?.subscription ?? null, ctx.plans), previous_role: r.before, permissions: permissionsOf(r.user.role) };
  });
};
