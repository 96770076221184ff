import type { FastifyPluginAsync } from 'fastify';
import type { AppConfig } from './config/load-config.ts';
import type { DbHandle } from './storage/create-db.ts';
import { KyselyRefundRepository, KyselyUsageRepository } from './storage/repositories/refund-repository.ts';
import { EngineEventWriter } from './storage/repositories/engine-event-writer.ts';
import { KyselyReportRepository } from './storage/repositories/report-repository.ts';
import { IdempotencyRepository } from './storage/repositories/idempotency-repository.ts';
import { KeyedSerializer } from './use-cases/keyed-serializer.ts';
import type { RefundDeps } from './use-cases/refund-payment.ts';
import type { UseCaseContext } from './use-cases/context.ts';
import { refundRoutes } from './http/routes/payment/refund-routes.ts';
import { adminRoutes } from './http/routes/admin/admin-routes.ts';
import { quoteRoutes } from './http/routes/subscription/quote-routes.ts';

/** The refund, receipt, usage and admin area's part of the dependency graph (called by compose()). */
export function composeRefunds(config: AppConfig, db: DbHandle, ctx: UseCaseContext) {
  const refunds: RefundDeps = {
    refunds: new KyselyRefundRepository(db.db, new EngineEventWriter(ctx.plans, ctx.ids)),
    usage: new KyselyUsageRepository(db.db),
    serializer: new KeyedSerializer(),
    settings: {
      policy: config.refunds.policy,
      withdrawalDays: config.refunds.withdrawalDays,
      unknownGraceMs: config.refunds.unknownGraceMs,
    },
  };
  const idempotency = new IdempotencyRepository(db.db, { leaseMs: config.idempotencyLeaseMs });
  const reports = new KyselyReportRepository(db.db);
  const routes: { plugin: FastifyPluginAsync<any>; options: Record<string, unknown> }[] = [
    { plugin: refundRoutes, options: { ctx, refunds, idempotency } },
    { plugin: adminRoutes, options: { ctx, refunds, reports, feesBps: config.fees, idempotency } },
    // Quotes of plan changes and cancel-now (issue 11 items 6 and 8).
    { plugin: quoteRoutes, options: { ctx, refunds } },
  ];
  return { refunds, reports, routes };
}
