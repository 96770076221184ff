import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { FastifyPluginAsync } from 'fastify';
import type { AppConfig } from './config/load-config.ts';
import type { Clock, GatewayRegistry, IdGenerator } from './domain/ports.ts';
import { AdjustableClock } from './domain/test-clock.ts';
import { PlanCatalog } from './domain/plans.ts';
import { createDb, type DbHandle, type DbTarget } from './storage/create-db.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { KyselyBillingRepository } from './storage/repositories/billing-repository.ts';
import { EngineEventWriter } from './storage/repositories/engine-event-writer.ts';
import { EngineRepository } from './storage/repositories/engine-repository.ts';
import type { EngineDeps } from './use-cases/engine-access.ts';
import { EntitlementCache, ENTITLEMENT_CACHE_MAX_AGE_MS, ENTITLEMENT_USAGE_MAX_AGE_MS, entitlementFeed } from './use-cases/entitlement-cache.ts';
import { engineRoutes } from './http/routes/engine/engine-routes.ts';
import { IdempotencyRepository } from './storage/repositories/idempotency-repository.ts';
import { createGatewayRegistry } from './providers/registry.ts';
import { ScryptPasswordHasher } from './security/scrypt-password-hasher.ts';
import { TokenService } from './security/token-service.ts';
import { LoginThrottle, dummyPasswordHash } from './use-cases/log-in.ts';
import { LoginAttemptRepository } from './storage/repositories/login-attempt-repository.ts';
import { RateLimitRepository } from './storage/repositories/rate-limit-repository.ts';
import { SessionGuard } from './security/session-guard.ts';
import { KyselySessionRepository } from './storage/repositories/session-repository.ts';
import type { UseCaseContext } from './use-cases/context.ts';
import { composeRefunds } from './composition-refunds.ts';
import { consoleRoutes } from './http/routes/admin/console-routes.ts';
import { composeConsole } from './composition-console.ts';
import type { NoticeSender } from './domain/ports.ts';
import { RenewalWorker } from './worker/renewal-worker.ts';
import { reconcilePayments } from './worker/tasks/reconcile-payments.ts';
import { SmtpNoticeSender } from './worker/smtp-notice-sender.ts';
import { MailboxNoticeSender } from './worker/mailbox-notice-sender.ts';
import { sandboxRoutes } from './http/routes/sandbox/sandbox-routes.ts';
import { createSandboxClockLink } from './providers/sandbox-clocks.ts';
import { hostname } from 'node:os';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { instrumentRegistry } from './observability/instrumented-gateway.ts';
import { OperationsRepository } from './storage/repositories/operations-repository.ts';
import { WebhookRepository } from './storage/repositories/webhook-repository.ts';
import { UndiciWebhookSender } from './worker/webhook-http-sender.ts';
import type { WebhookDeliveryDeps } from './use-cases/deliver-webhooks.ts';
import type { WebhookAdminDeps } from './use-cases/manage-webhook-endpoints.ts';
import { webhookRoutes } from './http/routes/admin/webhook-routes.ts';
import { priceRoutes } from './http/routes/admin/price-routes.ts';
import { createJobRunner } from './worker/jobs.ts';
import type { JobRunner } from './worker/job-runner.ts';
import type { PasswordResetDeps } from './use-cases/request-password-reset.ts';
import { legalRoutes } from './http/routes/legal/legal-routes.ts';

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
  /** Real time for sessions, abuse limits, heartbeats and readiness: the sandbox test clock does not move it. */
  wallClock: Clock;
  /** Renewals, notices and billing-key revocations; `runOnce(now)` in tests, `start()` in processes. */
  renewals: RenewalWorker;
  /** Prometheus metrics of this process (`/metrics`). */
  metrics: Metrics;
  /** Readiness, heartbeats, the shared test-clock offset, backlog figures. */
  operations: OperationsRepository;
  /** When this process composed its services (readiness grace for the first worker heartbeat). */
  startedAt: Date;
  /** Set when graceful shutdown begins: `/readyz` fails from then on. */
  lifecycle: { shuttingDown: boolean };
  /** The trading engine's API keys, usage and entitlement reads. */
  engine: EngineDeps;
  /** Webhook delivery to the trading engine: repository, dispatcher and admin dependencies. */
  webhooks: { repo: WebhookRepository; delivery: WebhookDeliveryDeps; admin: WebhookAdminDeps };
  /** Webhooks, notices and revocations; the renewal tick runs it too, `start()` gives it its own loop. */
  jobs: JobRunner;
  /** Password reset by e-mail: real-time link lifetime, tokens, per-account limit. */
  passwordReset: PasswordResetDeps;
  /** Route plugins of later areas (admin, sandbox tools), registered by build-app. */
  extraRoutes: { plugin: FastifyPluginAsync<any>; options: Record<string, unknown> }[];
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Use this database instead of the one in config (tests). */
  db?: DbHandle;
  dbTarget?: DbTarget;
  logger?: Logger;
  /** Where the composed logger writes (default stdout); tests capture the log lines here. */
  logDestination?: pino.DestinationStream;
  /** Skip migrations (the caller ran them). */
  skipMigrations?: boolean;
  /** Restrict the providers (tests). */
  providers?: string[];
  /** Base clock under the adjustable test clock (tests). */
  baseClock?: Clock;
  /** Record per-charge durations in `renewals.chargeDurations` (bench). */
  measureCharges?: boolean;
  /** Which process this is (a label on every metric). Default `server`. */
  role?: 'server' | 'worker';
}

/** Builds the dependency graph for the server, the worker and tests. */
export async function compose(config: AppConfig, opts: ComposeOptions = {}): Promise<Services> {
  const logger =
    opts.logger ??
    pino(
      {
        level: config.logLevel,
        redact: {
          paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secretKey', '*.pg_token', '*.pgToken', '*.billingKey', '*.sid'],
          censor: '[redacted]',
        },
      },
      ...(opts.logDestination ? [opts.logDestination] : []),
    );
  const db =
    opts.db ??
    (await createDb(opts.dbTarget ?? config.database, {
      onConnectionError: (err) => logger.warn({ err }, 'database connection lost; the pool reconnects'),
    }));
  if (!opts.skipMigrations) await migrateToLatest(db.db);
  const clock = new AdjustableClock(opts.baseClock ?? systemClock);
  const wallClock = opts.baseClock ?? systemClock;
  const startedAt = wallClock.now();
  const operations = new OperationsRepository(db.db);
  const metrics = createMetrics({
    role: opts.role ?? 'server',
    now: () => wallClock.now().getTime(),
    backlog: () => operations.backlog(clock.now()),
    lastBeat: () => operations.lastBeat(),
    dbStatements: () => db.statements(),
  });
  const plans = new PlanCatalog(config.plansRaw);
  const gateways = instrumentRegistry(createGatewayRegistry(config, logger, clock, opts.providers), metrics, logger, stopwatch);
  // Subscription changes write the trading engine's events (docs/trading-engine.md).
  const entitlementCache = new EntitlementCache({
    feed: entitlementFeed(db),
    maxAgeMs: ENTITLEMENT_CACHE_MAX_AGE_MS,
    usageMaxAgeMs: ENTITLEMENT_USAGE_MAX_AGE_MS,
  });
  const repo = new KyselyBillingRepository(db.db, new EngineEventWriter(plans, randomIds, (userId) => entitlementCache.pending(userId)));
  // Sessions follow the base clock (wallClock): moving the sandbox's test clock a month must not sign everyone out.
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
      renewal: config.renewal.settings,
      // Receipts and mail footers name the business as the page footer does (BUSINESS_* settings).
      business: {
        name: config.business.name,
        owner: config.business.representative,
        registrationNumber: config.business.registrationNumber,
        mailOrderNumber: config.business.mailOrderReportNumber,
        address: config.business.address,
        contact: [config.business.phone, config.business.email].filter(Boolean).join(' · '),
      },
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  // Made now, so the first log-in with an unknown e-mail takes no longer than the others.
  dummyPasswordHash(ctx.passwords).catch((err) => logger.warn({ err }, 'dummy password hash failed'));
  const smtp = config.notices.smtpUrl ? new SmtpNoticeSender({ url: config.notices.smtpUrl.reveal(), from: config.notices.from }) : null;
  const notices: NoticeSender | null = smtp
    ? smtp
    : config.sandboxMode
      ? new MailboxNoticeSender()
      : null;
  if (!notices) logger.warn('no SMTP_URL: notices stay pending in the outbox');
  const refundArea = composeRefunds(config, db, ctx);
  const workerIdentity = { id: randomIds.next('wrk'), host: hostname(), pid: process.pid, startedAt };
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
  const jobs = createJobRunner(ctx, { notices, webhooks: webhooks.delivery, checkoutLifetimesMs: config.checkoutLifetimesMs });
  const renewals = new RenewalWorker(ctx, {
    jobs,
    reconcile: (now) => reconcilePayments(ctx, refundArea.refunds, now),
    batchSize: config.renewal.batchSize,
    // PGlite has one connection: parallel loops would only queue behind each other.
    loops: db.kind === 'pglite' ? 1 : config.renewal.loops,
    tickMs: config.renewal.tickMs,
    notices,
    ...(opts.measureCharges ? { stopwatch } : {}),
    // Sandbox mode: the test clock may have been moved by a server process; follow it (forward only).
    ...(config.sandboxMode
      ? {
          beforeTick: async () => {
            const offset = await operations.testClockOffset();
            if (offset > clock.offset) clock.advance(offset - clock.offset);
          },
        }
      : {}),
    afterTick: (outcome) => {
      metrics.workerTicks.inc({ outcome });
      if (outcome === 'ok') metrics.workerLastTick.set(wallClock.now().getTime() / 1000);
    },
    heartbeat: {
      intervalMs: Math.max(1000, Math.min(15_000, Math.floor(config.operations.workerStaleMs / 4))),
      beat: () => operations.beat(workerIdentity, wallClock.now()),
      forget: () => operations.forgetWorker(workerIdentity.id),
    },
  });
  const extraRoutes: Services['extraRoutes'] = [];
  // Refunds, receipts, usage and the admin API (/api/admin/*).
  extraRoutes.push(...refundArea.routes);
  // Operator console lists, the per-user timeline and staff roles (docs/operator-console.md).
  extraRoutes.push({
    plugin: consoleRoutes,
    options: {
      ctx,
      store: refundArea.console,
      directory: refundArea.reports,
      refunds: refundArea.refunds.refunds,
      feesBps: config.fees,
      onRoleChanged: (userId: string) => sessions.forgetUser(userId),
    },
  });
  // The trading engine's API, API keys and usage views (docs/trading-engine.md).
  const engine: EngineDeps = {
    engine: new EngineRepository(db.db),
    wallClock,
    reservationTtlMs: config.usageReservationTtlMs,
    // The same reuse window as session checks (AUTH_SESSION_CACHE_MS).
    keyCache: { ms: config.auth.sessionCacheMs, entries: new Map() },
    entitlementCache,
    onBackgroundError: (err) => logger.warn({ err }, 'api key last use not recorded'),
  };
  extraRoutes.push({ plugin: engineRoutes, options: { ctx, deps: engine } });
  extraRoutes.push({ plugin: webhookRoutes, options: { deps: webhooks.admin, ctx } });
  // Operator console: actions, audit log, accounting report and exports, settlements (docs/operator-console-actions.md).
  extraRoutes.push(...composeConsole(config, db, ctx).routes);
  // The footer's business identity and the consent texts (docs/legal.md).
  extraRoutes.push({
    plugin: legalRoutes,
    options: {
      facts: { periodDays: plans.periodDays, withdrawalDays: config.refunds.withdrawalDays, refundPolicy: config.refunds.policy },
      business: {
        name: config.business.name,
        representative: config.business.representative,
        registration_number: config.business.registrationNumber,
        mail_order_report_number: config.business.mailOrderReportNumber,
        address: config.business.address,
        phone: config.business.phone,
        email: config.business.email,
        hosting_provider: config.business.hostingProvider,
      },
    },
  });
  // Plan prices: versions and the admin price change (docs/pricing.md).
  extraRoutes.push({ plugin: priceRoutes, options: { ctx, idempotency: new IdempotencyRepository(db.db, { leaseMs: config.idempotencyLeaseMs }) } });
  if (config.sandboxMode) {
    extraRoutes.push({
      plugin: sandboxRoutes,
      options: {
        ctx,
        clock,
        worker: renewals,
        providerClocks: createSandboxClockLink({ kakaopay: config.kakaopay.baseUrl, naverpay: config.naverpay.baseUrl }),
        persistClock: (offsetMs: number) => operations.saveTestClockOffset(offsetMs, wallClock.now()),
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
    metrics,
    operations,
    wallClock,
    startedAt,
    lifecycle: { shuttingDown: false },
    engine,
    extraRoutes,
    passwordReset: {
      wallClock,
      newToken: () => randomBytes(32).toString('base64url'),
      tokenTtlMs: config.passwordReset.tokenTtlMs,
      maxPerAccountPerHour: config.passwordReset.maxPerAccountPerHour,
    },
    webhooks,
    jobs,
    close: async () => {
      smtp?.close();
      await webhookSender.close();
      await entitlementCache.close();
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
