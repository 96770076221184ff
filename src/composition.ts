import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { FastifyPluginAsync } from 'fastify';
import type { AppConfig } from './config/load-config.ts';
import type { Clock, IdGenerator } from './domain/ports.ts';
import { AdjustableClock } from './domain/test-clock.ts';
import { PlanCatalog } from './domain/plans.ts';
import { createDb, type DbHandle, type DbTarget } from './storage/create-db.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { KyselyBillingRepository } from './storage/repositories/billing-repository.ts';
import { IdempotencyRepository } from './storage/repositories/idempotency-repository.ts';
import { createGatewayRegistry } from './providers/registry.ts';
import { ScryptPasswordHasher } from './security/scrypt-password-hasher.ts';
import { TokenService } from './security/token-service.ts';
import { LoginThrottle } from './use-cases/log-in.ts';
import type { GatewayRegistry, UseCaseContext } from './use-cases/context.ts';

/** The only real clock in the service. */
export const systemClock: Clock = { now: () => new Date() };

/** The only source of random ids: `<prefix>_<24 lowercase hex>` (96 random bits). */
export const randomIds: IdGenerator = {
  next: (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`,
};

export interface Services {
  config: AppConfig;
  logger: Logger;
  db: DbHandle;
  clock: AdjustableClock;
  ctx: UseCaseContext;
  tokens: TokenService;
  gateways: GatewayRegistry;
  idempotency: IdempotencyRepository;
  loginThrottle: LoginThrottle;
  /** Route plugins of later areas (admin, sandbox tools), registered by build-app. */
  extraRoutes: { plugin: FastifyPluginAsync<any>; options: Record<string, unknown> }[];
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Use this database instead of the one in config (tests). */
  db?: DbHandle;
  dbTarget?: DbTarget;
  logger?: Logger;
  /** Skip migrations (the caller ran them). */
  skipMigrations?: boolean;
  /** Restrict the providers (tests). */
  providers?: string[];
  /** Base clock under the adjustable test clock (tests). */
  baseClock?: Clock;
}

/** Builds the dependency graph for the server, the worker and tests. */
export async function compose(config: AppConfig, opts: ComposeOptions = {}): Promise<Services> {
  const logger =
    opts.logger ??
    pino({
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secretKey'], censor: '[redacted]' },
    });
  const db = opts.db ?? (await createDb(opts.dbTarget ?? config.database));
  if (!opts.skipMigrations) await migrateToLatest(db.db);
  const clock = new AdjustableClock(opts.baseClock ?? systemClock);
  const plans = new PlanCatalog(config.plansRaw);
  const gateways = createGatewayRegistry(config, logger, clock, opts.providers);
  const repo = new KyselyBillingRepository(db.db);
  const tokens = new TokenService(config.auth.tokenSecret, config.auth.tokenTtlSeconds, clock, config.auth.hostJwt);
  const ctx: UseCaseContext = {
    repo,
    clock,
    ids: randomIds,
    plans,
    gateways,
    logger,
    passwords: new ScryptPasswordHasher(),
    tokens,
    settings: {
      publicUrl: config.publicUrl,
      adminEmails: config.auth.adminEmails,
      approveWaitMs: config.approveWaitMs,
      loginMaxAttempts: config.auth.loginMaxAttempts,
      loginWindowMs: config.auth.loginWindowMs,
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  return {
    config,
    logger,
    db,
    clock,
    ctx,
    tokens,
    gateways,
    idempotency: new IdempotencyRepository(db.db),
    loginThrottle: new LoginThrottle(config.auth.loginMaxAttempts, config.auth.loginWindowMs),
    extraRoutes: [],
    close: () => (opts.db ? Promise.resolve() : db.close()),
  };
}
