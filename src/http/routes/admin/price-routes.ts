import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PRICE_INCREASE_NOTICE_DAYS, type PriceBook, type PriceVersion } from '../../../domain/plan-prices.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { loadPriceBook } from '../../../use-cases/price-book.ts';
import { setPlanPrice } from '../../../use-cases/set-plan-price.ts';
import { withdrawPlanPrice } from '../../../use-cases/withdraw-plan-price.ts';
import type { IdempotencyRepository } from '../../../storage/repositories/idempotency-repository.ts';
import { principalOf, requirePermission } from '../../plugins/auth.ts';
import { idempotentAnswer } from '../../plugins/idempotency.ts';
import { IdempotencyHeaders } from '../../schemas/payment-schemas.ts';
import { AdminPricesResponse, SetPriceBody, SetPriceResponse, WithdrawPriceParams, WithdrawPriceResponse, type AdminPlanPricesView, type PriceVersionView } from '../../schemas/price-schemas.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PriceRoutesOptions {
  ctx: UseCaseContext;
  idempotency: IdempotencyRepository;
}

function versionView(v: PriceVersion, book: PriceBook, now: Date): PriceVersionView {
  const current = book.versionAt(v.planId, now);
  return {
    id: v.id,
    price_krw: v.priceKrw,
    effective_at: v.effectiveAt.toISOString(),
    created_at: v.createdAt.toISOString(),
    created_by: v.createdBy,
    state: v.effectiveAt > now ? 'scheduled' : current?.id === v.id ? 'current' : 'past',
    announcing: v.announcedAt === null,
  };
}

function planPricesView(ctx: UseCaseContext, planId: string, book: PriceBook, now: Date): AdminPlanPricesView {
  const plan = ctx.plans.find(planId)!;
  const next = book.nextAfter(planId, now);
  return {
    id: plan.id,
    name: plan.name,
    current_krw: book.priceAt(planId, now) ?? plan.priceKrw,
    scheduled: next ? versionView(next, book, now) : null,
    versions: book.versions(planId).map((v) => versionView(v, book, now)),
  };
}

/**
 * Price management for staff with `prices.manage` (docs/pricing.md): the versions of every paid
 * plan, and a new version (an increase at least 30 days ahead, a decrease at once or later).
 */
export const priceRoutes: FastifyPluginAsyncZod<PriceRoutesOptions> = async (app, { ctx, idempotency }) => {
  const tags = ['admin'];
  const guard = requirePermission('prices.manage');
  const paidPlans = () => ctx.plans.plans.filter((p) => p.priceKrw > 0);

  app.get(
    '/api/admin/prices',
    { preValidation: guard, schema: { tags, summary: '플랜 가격 버전 (현재·예정·지난 가격)', response: { 200: AdminPricesResponse } } },
    async (): Promise<AdminPricesResponse> => {
      const now = ctx.clock.now();
      const book = await loadPriceBook(ctx);
      return {
        now: now.toISOString(),
        notice_days: PRICE_INCREASE_NOTICE_DAYS,
        earliest_increase_at: new Date(now.getTime() + PRICE_INCREASE_NOTICE_DAYS * DAY_MS).toISOString(),
        plans: paidPlans().map((p) => planPricesView(ctx, p.id, book, now)),
      };
    },
  );

  app.post(
    '/api/admin/prices',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: '플랜 가격 변경: 인상은 30일 이상 뒤부터(고지·동의), 인하는 즉시 적용 가능',
        body: SetPriceBody,
        headers: IdempotencyHeaders,
        response: { 201: SetPriceResponse },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const staffId = principalOf(req).userId;
      return idempotentAnswer<SetPriceResponse>({ repo: idempotency, clock: ctx.clock }, req, reply, staffId, async () => {
        const r = await setPlanPrice(ctx, {
          staffId,
          planId: body.plan,
          priceKrw: body.price_krw,
          effectiveAt: body.effective_at ? new Date(body.effective_at) : undefined,
        });
        const now = ctx.clock.now();
        const book = await loadPriceBook(ctx);
        const res: SetPriceResponse = {
          version: versionView(r.version, book, now),
          previous_krw: r.previousKrw,
          increase: r.increase,
          notified: r.notified,
          plan: planPricesView(ctx, r.version.planId, book, now),
        };
        return { status: 201, body: res };
      });
    },
  );

  app.post(
    '/api/admin/prices/:id/withdraw',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: '예정 가격 철회: 아직 적용되지 않은 가격 버전만 (감사 기록)',
        params: WithdrawPriceParams,
        headers: IdempotencyHeaders,
        response: { 200: WithdrawPriceResponse },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const staffId = principalOf(req).userId;
      return idempotentAnswer<WithdrawPriceResponse>({ repo: idempotency, clock: ctx.clock }, req, reply, staffId, async () => {
        const { version, withdrawalNotices } = await withdrawPlanPrice(ctx, { actorUserId: staffId, reason: '' }, id);
        const now = ctx.clock.now();
        const book = await loadPriceBook(ctx);
        const res: WithdrawPriceResponse = {
          // Not in the book any more: shown as it was (scheduled).
          withdrawn: { ...versionView(version, book, now), state: 'scheduled' },
          plan: planPricesView(ctx, version.planId, book, now),
          withdrawal_notices: withdrawalNotices,
        };
        return { status: 200, body: res };
      });
    },
  );
};
