import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { AppConfig } from './config/load-config.ts';
import type { Clock, GatewayRegistry, IdGenerator, NoticeSender } from './domain/ports.ts';
import { AdjustableClock } from './domain/test-clock.ts';
import { PlanCatalog } from './domain/plans.ts';
import { createDb, type DbHandle, type DbTarget } from './storage/create-db.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { KyselyBillingRepository } from './storage/repositories/billing-repository.ts';
import { EngineEventWriter } from './storage/repositories/engine-event-writer.ts';
import { EngineRepository } from './storage/repositories/engine-repository.ts';
import { IdempotencyRepository } from './storage/repositories/idempotency-repository.ts';
import { LoginAttemptRepository } from './storage/repositories/login-attempt-repository.ts';
import { RateLimitRepository } from './storage/repositories/rate-limit-repository.ts';
import { KyselySessionRepository } from './storage/repositories/session-repository.ts';
import { OperationsRepository } from './storage/repositories/operations-repository.ts';
import { DueWorkProbe } from './storage/repositories/due-work-probe.ts';
import { WebhookRepository } from './storage/repositories/webhook-repository.ts';
import { KyselyUsageRepository } from './storage/repositories/refund-repository.ts';
import { KyselyRefundStore } from './storage/repositories/refund-store.ts';
import { KyselyReportRepository } from './storage/repositories/report-repository.ts';
import { KyselyConsoleRepository } from './storage/repositories/console-repository.ts';
import { KyselyAdminAuditRepository } from './storage/repositories/admin-audit-repository.ts';
import { KyselyAccountingRepository } from './storage/repositories/accounting-repository.ts';
import { KyselySettlementRepository } from './storage/repositories/settlement-repository.ts';
import { createGatewayRegistry } from './providers/registry.ts';
import { createSandboxClockLink, type SandboxClockLink } from './providers/sandbox-clocks.ts';
import { kakaoPaySettlementParser } from './providers/kakaopay/kakaopay-settlement.ts';
import { naverPaySettlementParser } from './providers/naverpay/naverpay-settlement.ts';
import { ScryptPasswordHasher } from './security/scrypt-password-hasher.ts';
import { TokenService } from './security/token-service.ts';
import { SessionGuard } from './security/session-guard.ts';
import type { UseCaseContext } from './use-cases/context.ts';
import { LoginThrottle, dummyPasswordHash } from './use-cases/log-in.ts';
import type { EngineDeps } from './use-cases/engine-access.ts';
import { EntitlementCache, ENTITLEMENT_CACHE_MAX_AGE_MS, ENTITLEMENT_USAGE_MAX_AGE_MS, entitlementFeed } from './use-cases/entitlement-cache.ts';
import type { WebhookDeliveryDeps } from './use-cases/deliver-webhooks.ts';
import type { WebhookAdminDeps } from './use-cases/manage-webhook-endpoints.ts';
import type { PasswordResetDeps } from './use-cases/request-password-reset.ts';
import type { RefundDeps } from './use-cases/refund-deps.ts';
import type { SettlementDeps } from './use-cases/import-settlement.ts';
import { KeyedSerializer } from './use-cases/keyed-serializer.ts';
import { RenewalWorker } from './worker/renewal-worker.ts';
import { reconcilePayments } from './worker/tasks/reconcile-payments.ts';
import { SmtpNoticeSender } from './worker/smtp-notice-sender.ts';
import { MailboxNoticeSender } from './worker/mailbox-notice-sender.ts';
import { UndiciWebhookSender } from './worker/webhook-http-sender.ts';
import { createJobRunner } from './worker/jobs.ts';
import type { DueProbe, JobRunner } from './worker/job-runner.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { instrumentRegistry } from './observability/instrumented-gateway.ts';
import type { LegalRoutesOptions } from './http/routes/legal/legal-routes.ts';
import { checkoutReturnUrls } from './http/routes/payment/return-urls.ts';

/** The only real clock in the service. */
export const systemClock: Clock = { now: () => new Date() };

/** Monotonic milliseconds, for measuring durations only (bench figures), never for business time. */
export const stopwatch = (): number => performance.now();

/**
 * The only source of random ids: `<prefix>_<24 lowercase hex>` (96 random bits from the CSPRNG).
 * The bytes come from a pool refilled 4 KiB at a time, as `crypto.randomUUID` does: one
 * `getrandom` call per 341 ids instead of one per id (every request takes an id).
 */
const ID_BYTES = 12;
const ID_POOL_BYTES = ID_BYTES * 341;
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;
export const randomIds: IdGenerator = {
  next: (prefix: string) => {
    if (idPoolOffset + ID_BYTES > idPool.length) {
      idPool = randomBytes(ID_POOL_BYTES);
      idPoolOffset = 0;
    }
    const hex = idPool.toString('hex', idPoolOffset, idPoolOffset + ID_BYTES);
    idPoolOffset += ID_BYTES;
    return `${prefix}_${hex}`;
  },
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
  /** Refunds, cancel-now, withdrawal, usage (refund use cases and reconciliation). */
  refunds: RefundDeps;
  /** The operator console's stores: lists and search, reports, audit log, accounting, settlements. */
  console: ConsoleServices;
  /** The footer's business identity and the facts the consent texts quote (docs/legal.md). */
  legal: LegalRoutesOptions;
  /** Sandbox-mode tools (SANDBOX_MODE only; null otherwise). */
  sandbox: SandboxServices | null;
  close(): Promise<void>;
}

export interface ConsoleServices {
  store: KyselyConsoleRepository;
  reports: KyselyReportRepository;
  audit: KyselyAdminAuditRepository;
  accounting: KyselyAccountingRepository;
  settlements: SettlementDeps;
  /** Fees per provider in basis points (`FEES_*`). */
  feesBps: Readonly<Record<string, number>>;
}

export interface SandboxServices {
  /** Moves both sandboxes' clocks with ours. */
  providerClocks: SandboxClockLink;
  /** Shares the test-clock offset with worker processes. */
  persistClock: (offsetMs: number) => Promise<void>;
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

/** Builds the dependency graph for the server, the worker and tests (routes are registered by http/build-app.ts). */
export async function compose(config: AppConfig, opts: ComposeOptions = {}): Promise<Services> {
  const logger = opts.logger ?? createLogger(config, opts.logDestination);
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
  // Sessions follow the base clock (wallClock): moving the sandbox's test clock a month must not sign everyone out.
  const sessionStore = new KyselySessionRepository(db.db);
  const tokens = new TokenService(config.auth.tokenSecret, config.auth.tokenTtlSeconds, wallClock, config.auth.hostJwt, {
    store: sessionStore,
    ids: randomIds,
  });
  const sessions = new SessionGuard(sessionStore, stopwatch, config.auth.sessionCacheMs);
  // Entitlement reads are served from this cache; every change of a user's entitlement drops the entry (docs/trading-engine.md).
  const entitlementCache = new EntitlementCache({
    feed: entitlementFeed(db),
    maxAgeMs: ENTITLEMENT_CACHE_MAX_AGE_MS,
    usageMaxAgeMs: ENTITLEMENT_USAGE_MAX_AGE_MS,
  });
  const onEntitlementChange = (userId: string) => entitlementCache.pending(userId);
  const ctx = composeContext(config, db, { clock, plans, gateways, logger, tokens }, onEntitlementChange);
  // Made now, so the first log-in with an unknown e-mail takes no longer than the others.
  dummyPasswordHash(ctx.passwords).catch((err) => logger.warn({ err }, 'dummy password hash failed'));
  const smtp = config.notices.smtpUrl ? new SmtpNoticeSender({ url: config.notices.smtpUrl.reveal(), from: config.notices.from }) : null;
  const notices: NoticeSender | null = smtp
    ? smtp
    : config.sandboxMode
      ? new MailboxNoticeSender()
      : null;
  if (!notices) logger.warn('no SMTP_URL: notices stay pending in the outbox');
  const refunds = composeRefundDeps(config, db);
  const webhookSender = new UndiciWebhookSender(config.webhooks.timeoutMs);
  const webhooks = composeWebhooks(config, db, { clock, wallClock, logger, sender: webhookSender });
  // One statement tells an idle tick that nothing is due (issue 15): the tasks with nothing due are skipped.
  const dueWork = new DueWorkProbe(db.db, { checkoutLifetimesMs: config.checkoutLifetimesMs });
  const probe: DueProbe = (now, kinds) => dueWork.due(now, kinds);
  const jobs = createJobRunner(ctx, { notices, webhooks: webhooks.delivery, checkoutLifetimesMs: config.checkoutLifetimesMs, probe });
  const renewals = composeRenewalWorker(config, db, {
    ctx,
    clock,
    wallClock,
    startedAt,
    operations,
    metrics,
    jobs,
    probe,
    notices,
    refunds,
    measureCharges: opts.measureCharges ?? false,
  });
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
    // The trading engine's API, API keys and usage views (docs/trading-engine.md).
    engine: {
      engine: new EngineRepository(db.db),
      wallClock,
      reservationTtlMs: config.usageReservationTtlMs,
      // The same reuse window as session checks (AUTH_SESSION_CACHE_MS).
      keyCache: { ms: config.auth.sessionCacheMs, entries: new Map() },
      entitlementCache,
      onBackgroundError: (err) => logger.warn({ err }, 'api key last use not recorded'),
    },
    passwordReset: {
      wallClock,
      newToken: () => randomBytes(32).toString('base64url'),
      tokenTtlMs: config.passwordReset.tokenTtlMs,
      maxPerAccountPerHour: config.passwordReset.maxPerAccountPerHour,
    },
    webhooks,
    jobs,
    refunds,
    console: composeConsole(config, db),
    legal: legalFacts(config, plans),
    sandbox: config.sandboxMode
      ? {
          providerClocks: createSandboxClockLink({ kakaopay: config.kakaopay.baseUrl, naverpay: config.naverpay.baseUrl }),
          persistClock: (offsetMs: number) => operations.saveTestClockOffset(offsetMs, wallClock.now()),
        }
      : null,
    close: async () => {
      smtp?.close();
      await webhookSender.close();
      await entitlementCache.close();
      if (!opts.db) await db.close();
    },
  };
}

function createLogger(config: AppConfig, destination: pino.DestinationStream | undefined): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secretKey', '*.pg_token', '*.pgToken', '*.billingKey', '*.sid'],
        censor: '[redacted]',
      },
    },
    ...(destination ? [destination] : []),
  );
}

/** What every use case may depend on (use-cases/context.ts). */
function composeContext(
  config: AppConfig,
  db: DbHandle,
  parts: Pick<UseCaseContext, 'clock' | 'plans' | 'gateways' | 'logger' | 'tokens'>,
  onEntitlementChange?: (userId: string) => void,
): UseCaseContext {
  const ctx: UseCaseContext = {
    ...parts,
    // Subscription changes write the trading engine's events (docs/trading-engine.md).
    repo: new KyselyBillingRepository(db.db, new EngineEventWriter(parts.plans, randomIds, onEntitlementChange)),
    ids: randomIds,
    passwords: new ScryptPasswordHasher(),
    // Read at call time: tests and the launcher set publicUrl once they know their port.
    checkoutUrls: (provider, paymentId) => checkoutReturnUrls(ctx.settings.publicUrl, provider, paymentId),
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
  return ctx;
}

/**
 * What refund use cases need besides the context. Each call builds an independent set (its own
 * in-process serializer), as another process would have (tests use that).
 */
export function composeRefundDeps(config: AppConfig, db: DbHandle): RefundDeps {
  return {
    refunds: new KyselyRefundStore(db.db),
    usage: new KyselyUsageRepository(db.db),
    serializer: new KeyedSerializer(),
    settings: {
      policy: config.refunds.policy,
      withdrawalDays: config.refunds.withdrawalDays,
      unknownGraceMs: config.refunds.unknownGraceMs,
    },
  };
}

/** The operator console's stores (docs/operator-console.md, docs/operator-console-actions.md). */
function composeConsole(config: AppConfig, db: DbHandle): ConsoleServices {
  return {
    store: new KyselyConsoleRepository(db.db),
    reports: new KyselyReportRepository(db.db),
    audit: new KyselyAdminAuditRepository(db.db),
    accounting: new KyselyAccountingRepository(db.db),
    settlements: {
      settlements: new KyselySettlementRepository(db.db),
      parsers: { kakaopay: kakaoPaySettlementParser, naverpay: naverPaySettlementParser },
      feesBps: config.fees,
    },
    feesBps: config.fees,
  };
}

function composeWebhooks(
  config: AppConfig,
  db: DbHandle,
  parts: { clock: Clock; wallClock: Clock; logger: Logger; sender: UndiciWebhookSender },
): Services['webhooks'] {
  const repo = new WebhookRepository(db.db);
  return {
    repo,
    delivery: {
      webhooks: repo,
      sender: parts.sender,
      ids: randomIds,
      logger: parts.logger,
      wallClock: parts.wallClock,
      stopwatch,
      settings: { leaseMs: config.webhooks.leaseMs, batchSize: config.webhooks.batchSize },
    },
    admin: {
      webhooks: repo,
      ids: randomIds,
      clock: parts.clock,
      newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
      allowHttp: config.appEnv === 'local',
    },
  };
}

function composeRenewalWorker(
  config: AppConfig,
  db: DbHandle,
  parts: {
    ctx: UseCaseContext;
    clock: AdjustableClock;
    wallClock: Clock;
    startedAt: Date;
    operations: OperationsRepository;
    metrics: Metrics;
    jobs: JobRunner;
    probe: DueProbe;
    notices: NoticeSender | null;
    refunds: RefundDeps;
    measureCharges: boolean;
  },
): RenewalWorker {
  const { ctx, clock, wallClock, operations, metrics } = parts;
  const workerIdentity = { id: randomIds.next('wrk'), host: hostname(), pid: process.pid, startedAt: parts.startedAt };
  return new RenewalWorker(ctx, {
    jobs: parts.jobs,
    probe: parts.probe,
    reconcile: (now) => reconcilePayments(ctx, parts.refunds, now),
    batchSize: config.renewal.batchSize,
    // PGlite has one connection: parallel loops would only queue behind each other.
    loops: db.kind === 'pglite' ? 1 : config.renewal.loops,
    tickMs: config.renewal.tickMs,
    notices: parts.notices,
    ...(parts.measureCharges ? { stopwatch } : {}),
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
}

/** The footer's business identity and the consent texts' facts (docs/legal.md), in the wire shape. */
function legalFacts(config: AppConfig, plans: PlanCatalog): LegalRoutesOptions {
  return {
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
