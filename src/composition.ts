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
import { LoginThrottle, dummyPasswordHash } from './use-cases/log-in.ts';
import { LoginAttemptRepository } from './storage/repositories/login-attempt-repository.ts';
import { RateLimitRepository } from './storage/repositories/rate-limit-repository.ts';
import { SessionGuard } from './security/session-guard.ts';
import { KyselySessionRepository } from './storage/repositories/session-repository.ts';
import type { GatewayRegistry, UseCaseContext } from './use-cases/context.ts';
import { composeRefunds } from './composition-refunds.ts';
import type { NoticeSender } from './domain/ports.ts';
import { RenewalWorker } from './worker/renewal-worker.ts';
import { reconcilePayments } from './worker/tasks/reconcile-payments.ts';
import { SmtpNoticeSender } from './worker/smtp-notice-sender.ts';
import { MailboxNoticeSender } from './worker/mailbox-notice-sender.ts';
import { sandboxRoutes } from './http/routes/sandbox/sandbox-routes.ts';
import { createSandboxClockLink } from './providers/sandbox-clocks.ts';
import { WebhookRepository } from './storage/repositories/webhook-repository.ts';
import { UndiciWebhookSender } from './worker/webhook-http-sender.ts';
import type { WebhookDeliveryDeps } from './use-cases/deliver-webhooks.ts';
import type { WebhookAdminDeps } from './use-cases/manage-webhook-endpoints.ts';
import { webhookRoutes } from './http/routes/admin/webhook-routes.ts';
import { createJobRunner } from './worker/jobs.ts';
import type { JobRunner } from './worker/job-runner.ts';

/** The only real clock in the service. */
export const systemClock: Clock = { now: () => new Date() };

/** Monotonic milliseconds, for measuring durations only (bench figures), never for business time. */
export const stopwatch = (): number => performance.now();

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
  /** Live-session and current-role check of each request; logout revokes through it. */
  sessions: SessionGuard;
  gateways: GatewayRegistry;
  idempotency: IdempotencyRepository;
  loginThrottle: LoginThrottle;
  /** Counters of the HTTP rate limits (sign-up, checkout start), shared by replicas. */
  rateLimits: RateLimitRepository;
  /** Wall-clock time for sessions and abuse limits: the sandbox test clock does not move it. */
  wallClock: Clock;
  /** Renewals, notices and billing-key revocations; `runOnce(now)` in tests, `start()` in processes. */
  renewals: RenewalWorker;
  /** Webhook delivery to the trading engine: repository, dispatcher and admin dependencies. */
  webhooks: { repo: WebhookRepository; delivery: WebhookDeliveryDeps; admin: WebhookAdminDeps };
  /** Webhooks, notices and revocations; the renewal tick runs it too, `start()` gives it its own loop. */
  jobs: JobRunner;
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
  /** Record per-charge durations in `renewals.chargeDurations` (bench). */
  measureCharges?: boolean;
}

/** Builds the dependency graph for the server, the worker and tests. */
export async function compose(config: AppConfig, opts: ComposeOptions = {}): Promise<Services> {
  const logger =
    opts.logger ??
    pino({
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secretKey'], censor: '[redacted]' },
    });
  const db =
    opts.db ??
    (await createDb(opts.dbTarget ?? config.database, {
      onConnectionError: (err) => logger.warn({ err }, 'database connection lost; the pool reconnects'),
    }));
  if (!opts.skipMigrations) await migrateToLatest(db.db);
  const clock = new AdjustableClock(opts.baseClock ?? systemClock);
  const plans = new PlanCatalog(config.plansRaw);
  const gateways = createGatewayRegistry(config, logger, clock, opts.providers);
  const repo = new KyselyBillingRepository(db.db);
  // Sessions follow the base clock: moving the sandbox's test clock a month must not sign everyone out.
  const wallClock = opts.baseClock ?? systemClock;
  const sessionStore = new KyselySessionRepository(db.db);
  const tokens = new TokenService(config.auth.tokenSecret, config.auth.tokenTtlSeconds, wallClock, config.auth.hostJwt, {
    store: sessionStore,
    ids: randomIds,
  });
  const sessions = new SessionGuard(sessionStore, stopwatch, config.auth.sessionCacheMs);
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
      renewal: config.renewal.settings,
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  // Made now, so the first log-in with an unknown e-mail takes no longer than the others.
  dummyPasswordHash(ctx.passwords).catch((err) => logger.warn({ err }, 'dummy password hash failed'));
  const notices: NoticeSender | null = config.notices.smtpUrl
    ? new SmtpNoticeSender({ url: config.notices.smtpUrl.reveal(), from: config.notices.from })
    : config.sandboxMode
      ? new MailboxNoticeSender()
      : null;
  if (!notices) logger.warn('no SMTP_URL: notices stay pending in the outbox');
  const refundArea = composeRefunds(config, db, ctx);
  const webhookRepo = new WebhookRepository(db.db);
  const webhookSender = new UndiciWebhookSender(config.webhooks.timeoutMs);
  const webhooks: Services['webhooks'] = {
    repo: webhookRepo,
    delivery: {
      webhooks: webhookRepo,
      sender: webhookSender,
      ids: randomIds,
      logger,
      wallClock,
      stopwatch,
      settings: { leaseMs: config.webhooks.leaseMs, batchSize: config.webhooks.batchSize },
    },
    admin: {
      webhooks: webhookRepo,
      ids: randomIds,
      clock,
      newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
      allowHttp: config.appEnv === 'local',
    },
  };
  const jobs = createJobRunner(ctx, { notices, webhooks: webhooks.delivery });
  const renewals = new RenewalWorker(ctx, {
    jobs,
    reconcile: (now) => reconcilePayments(ctx, refundArea.refunds, now),
    batchSize: config.renewal.batchSize,
    // PGlite has one connection: parallel loops would only queue behind each other.
    loops: db.kind === 'pglite' ? 1 : config.renewal.loops,
    tickMs: config.renewal.tickMs,
    notices,
    ...(opts.measureCharges ? { stopwatch } : {}),
  });
  const extraRoutes: Services['extraRoutes'] = [];
  // Refunds, receipts, usage and the admin API (/api/admin/*).
  extraRoutes.push(...refundArea.routes);
  extraRoutes.push({ plugin: webhookRoutes, options: { deps: webhooks.admin } });
  if (config.sandboxMode) {
    extraRoutes.push({
      plugin: sandboxRoutes,
      options: {
        ctx,
        clock,
        worker: renewals,
        providerClocks: createSandboxClockLink({ kakaopay: config.kakaopay.baseUrl, naverpay: config.naverpay.baseUrl }),
      },
    });
  }
  return {
    config,
    logger,
    db,
    clock,
    ctx,
    renewals,
    tokens,
    sessions,
    gateways,
    idempotency: new IdempotencyRepository(db.db, { leaseMs: config.idempotencyLeaseMs }),
    loginThrottle: new LoginThrottle(new LoginAttemptRepository(db.db), wallClock, loginPolicies(config)),
    rateLimits: new RateLimitRepository(db.db),
    wallClock,
    webhooks,
    jobs,
    extraRoutes,
    close: async () => {
      await webhookSender.close();
      if (!opts.db) await db.close();
    },
  };
}

function loginPolicies(config: AppConfig) {
  const a = config.auth;
  const common = { windowMs: a.loginWindowMs, lockMs: a.loginLockMs, maxLockMs: a.loginLockMaxMs, forgetMs: 24 * 3_600_000 };
  return {
    account: { ...common, maxAttempts: a.loginMaxAttempts },
    address: { ...common, maxAttempts: a.loginMaxAttemptsPerAddress },
  };
}
