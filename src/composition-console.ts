import type { FastifyPluginAsync } from 'fastify';
import type { AppConfig } from './config/load-config.ts';
import type { DbHandle } from './storage/create-db.ts';
import type { UseCaseContext } from './use-cases/context.ts';
import type { SettlementDeps } from './use-cases/import-settlement.ts';
import { KyselyAdminAuditRepository } from './storage/repositories/admin-audit-repository.ts';
import { KyselyAccountingRepository } from './storage/repositories/accounting-repository.ts';
import { KyselyReportRepository } from './storage/repositories/report-repository.ts';
import { KyselySettlementRepository } from './storage/repositories/settlement-repository.ts';
import { IdempotencyRepository } from './storage/repositories/idempotency-repository.ts';
import { kakaoPaySettlementParser } from './providers/kakaopay/kakaopay-settlement.ts';
import { naverPaySettlementParser } from './providers/naverpay/naverpay-settlement.ts';
import { operatorActionRoutes } from './http/routes/admin/operator-action-routes.ts';

/** The operator console's actions, audit log, accounting report and settlements (called by compose()). */
export function composeConsole(config: AppConfig, db: DbHandle, ctx: UseCaseContext) {
  const audit = new KyselyAdminAuditRepository(db.db);
  const settlements: SettlementDeps = {
    settlements: new KyselySettlementRepository(db.db),
    parsers: { kakaopay: kakaoPaySettlementParser, naverpay: naverPaySettlementParser },
    feesBps: config.fees,
  };
  const routes: { plugin: FastifyPluginAsync<any>; options: Record<string, unknown> }[] = [
    {
      plugin: operatorActionRoutes,
      options: {
        ctx,
        audit,
        accounting: new KyselyAccountingRepository(db.db),
        reports: new KyselyReportRepository(db.db),
        feesBps: config.fees,
        settlements,
        idempotency: new IdempotencyRepository(db.db, { leaseMs: config.idempotencyLeaseMs }),
      },
    },
  ];
  return { audit, settlements, routes };
}
