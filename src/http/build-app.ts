import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../composition.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandler } from './plugins/error-handler.ts';
import { registerTextGuard } from './plugins/text-guard.ts';
import { openApiTransform, registerZodSchemas } from './plugins/zod-schemas.ts';
import { registerAuth } from './plugins/auth.ts';
import { ourOrigins, registerCsrfCheck } from './plugins/csrf.ts';
import { registerRateLimits } from './plugins/rate-limits.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { authRoutes } from './routes/auth/auth-routes.ts';
import { planRoutes } from './routes/plans/plan-routes.ts';
import { paymentRoutes } from './routes/payment/payment-routes.ts';
import { subscriptionRoutes } from './routes/subscription/subscription-routes.ts';
import { planChangeRoutes } from './routes/subscription/plan-change-routes.ts';
import { paymentMethodRoutes } from './routes/subscription/payment-method-routes.ts';
import { AppError } from '../domain/errors.ts';
import { registerObservability, requestIdFrom } from './plugins/observability.ts';
import { healthRoutes } from './routes/health/health-routes.ts';
import { refundRoutes } from './routes/payment/refund-routes.ts';
import { adminRoutes } from './routes/admin/admin-routes.ts';
import { quoteRoutes } from './routes/subscription/quote-routes.ts';
import { consoleRoutes } from './routes/admin/console-routes.ts';
import { engineRoutes } from './routes/engine/engine-routes.ts';
import { webhookRoutes } from './routes/admin/webhook-routes.ts';
import { operatorActionRoutes } from './routes/admin/operator-action-routes.ts';
import { legalRoutes } from './routes/legal/legal-routes.ts';
import { priceRoutes } from './routes/admin/price-routes.ts';
import { sandboxRoutes } from './routes/sandbox/sandbox-routes.ts';

export interface BuildAppOptions {
  /** Folder with the built web app (index.html + assets); served when present. */
  webDir?: string | null;
}

/** Builds the HTTP app from the services. Never listens: server.ts and tests decide. */
export async function buildApp(services: Services, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = baseApp(services, {
    // TRUST_PROXY: only then is X-Forwarded-For believed (req.ip feeds the per-address limits).
    trustProxy: trustProxyOption(services.config.http.trustProxy),
    bodyLimit: 64 * 1024,
    // Errors raised before routing still answer in our envelope.
    frameworkErrors,
    clientErrorHandler,
  });
  registerTextGuard(app);
  const config = services.config;
  // Before any route: both attach per-route settings when a route is added.
  await registerSecurityHeaders(app, {
    https: config.publicUrl.startsWith('https:'),
    naverpaySdkUrl: config.naverpay.sdkUrl,
    naverpayPageUrls: [config.naverpay.pageBaseUrl, config.naverpay.mobilePageBaseUrl],
  });
  await registerRateLimits(app, { repo: services.rateLimits, clock: services.wallClock, ...config.http.rateLimits });
  registerObservability(app, { metrics: services.metrics, requestLog: services.config.operations.requestLog, metricsToken: services.config.operations.metricsToken });

  await app.register(swagger, {
    openapi: {
      info: { title: 'ShowMeTheStock Billing API', version: '0.1.0', description: '카카오페이 · 네이버페이 구독 결제 API' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAuth(app, { tokens: services.tokens, sessions: services.sessions, repo: services.ctx.repo, ids: services.ctx.ids, clock: services.ctx.clock });
  registerCsrfCheck(app, {
    allowedOrigins: () => ourOrigins(services.ctx.settings.publicUrl, config.http.trustedOrigins),
  });

  const ctx = services.ctx;
  await app.register(authRoutes, {
    ctx,
    throttle: services.loginThrottle,
    sessions: services.sessions,
    secureCookies: services.config.publicUrl.startsWith('https:'),
    passwordReset: services.passwordReset,
    wallClock: services.wallClock,
  });
  await app.register(planRoutes, { ctx });
  await app.register(paymentRoutes, {
    ctx,
    idempotency: services.idempotency,
    readyLimit: { rule: config.http.rateLimits.ready, clock: services.wallClock },
  });
  await app.register(subscriptionRoutes, { ctx });
  await app.register(planChangeRoutes, { ctx, idempotency: services.idempotency });
  await app.register(paymentMethodRoutes, { ctx, idempotency: services.idempotency });
  // Refunds, receipts, usage and the admin API (/api/admin/*).
  await app.register(refundRoutes, { ctx, refunds: services.refunds, idempotency: services.idempotency });
  const consoleArea = services.console;
  await app.register(adminRoutes, {
    ctx,
    refunds: services.refunds,
    reports: consoleArea.reports,
    feesBps: consoleArea.feesBps,
    idempotency: services.idempotency,
    console: consoleArea.store,
  });
  // Quotes of plan changes and cancel-now (issue 11 items 6 and 8).
  await app.register(quoteRoutes, { ctx, refunds: services.refunds });
  // Operator console lists, the per-user timeline and staff roles (docs/operator-console.md).
  await app.register(consoleRoutes, {
    ctx,
    store: consoleArea.store,
    directory: consoleArea.reports,
    refunds: services.refunds.refunds,
    feesBps: consoleArea.feesBps,
    onRoleChanged: (userId: string) => services.sessions.forgetUser(userId),
  });
  // The trading engine's API, API keys and usage views (docs/trading-engine.md).
  await app.register(engineRoutes, { ctx, deps: services.engine });
  await app.register(webhookRoutes, { deps: services.webhooks.admin, ctx });
  // Operator console: actions, audit log, accounting report and exports, settlements (docs/operator-console-actions.md).
  await app.register(operatorActionRoutes, {
    ctx,
    audit: consoleArea.audit,
    accounting: consoleArea.accounting,
    reports: consoleArea.reports,
    feesBps: consoleArea.feesBps,
    settlements: consoleArea.settlements,
    idempotency: services.idempotency,
  });
  // The footer's business identity and the consent texts (docs/legal.md).
  await app.register(legalRoutes, services.legal);
  // Plan prices: versions and the admin price change (docs/pricing.md).
  await app.register(priceRoutes, { ctx, idempotency: services.idempotency });
  if (services.sandbox) {
    await app.register(sandboxRoutes, { ctx, clock: services.clock, worker: services.renewals, ...services.sandbox });
  }

  await app.register(healthRoutes, healthOptions(services));

  const webDir = opts.webDir === undefined ? join(process.cwd(), 'web', 'dist') : opts.webDir;
  const hasWeb = webDir !== null && existsSync(join(webDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false, index: false });

  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && hasWeb && !req.url.startsWith('/api/') && !req.url.startsWith('/docs')) {
      // Client-side routes of the single-page app.
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    throw new AppError('NOT_FOUND', '찾을 수 없습니다.', { path: req.url.split('?')[0] });
  });
  return app;
}

/**
 * The worker process's own small HTTP surface (`WORKER_HTTP_PORT`): `/livez`, `/readyz` and
 * `/metrics` (its provider calls: renewals, lookups, revocations). No API routes.
 */
export async function buildWorkerApp(services: Services): Promise<FastifyInstance> {
  const app = baseApp(services);
  registerObservability(app, { metrics: services.metrics, requestLog: false, metricsToken: services.config.operations.metricsToken });
  await app.register(healthRoutes, healthOptions(services));
  return app;
}

/**
 * What every HTTP app of ours starts from (the API server and the worker's health app): our
 * logger with request ids, zod schemas for validation and serialization, our error envelope.
 */
function baseApp(services: Services, options: FastifyServerOptions = {}): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as unknown as FastifyBaseLogger,
    // Fastify's own request lines log the raw URL (query strings carry pg_token); ours (plugins/observability) do not.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFrom(() => services.ctx.ids.next('req')),
    ...options,
  });
  registerZodSchemas(app);
  registerErrorHandler(app);
  return app;
}

function healthOptions(services: Services) {
  return {
    operations: services.operations,
    wallClock: services.wallClock,
    startedAt: services.startedAt,
    workerStaleMs: services.config.operations.workerStaleMs,
    shuttingDown: () => services.lifecycle.shuttingDown,
  };
}

/** A hop count becomes the function fastify would build from it (its typings take no number here). */
function trustProxyOption(v: boolean | number | readonly string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof v === 'number') return (_address, hop) => hop < v;
  return typeof v === 'boolean' ? v : [...v];
}
