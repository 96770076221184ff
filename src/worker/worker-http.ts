import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Services } from '../composition.ts';
import { registerErrorHandler } from '../http/plugins/error-handler.ts';
import { registerObservability, requestIdFrom } from '../http/plugins/observability.ts';
import { healthRoutes } from '../http/routes/health/health-routes.ts';

/**
 * The worker process's own small HTTP surface (`WORKER_HTTP_PORT`): `/livez`, `/readyz` and
 * `/metrics` (its provider calls: renewals, lookups, revocations). No API routes.
 */
export async function buildWorkerHttp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFrom(() => services.ctx.ids.next('req')),
  });
  registerErrorHandler(app);
  registerObservability(app, { metrics: services.metrics, requestLog: false, metricsToken: services.config.operations.metricsToken });
  await app.register(healthRoutes, {
    operations: services.operations,
    wallClock: services.wallClock,
    startedAt: services.startedAt,
    workerStaleMs: services.config.operations.workerStaleMs,
    shuttingDown: () => services.lifecycle.shuttingDown,
  });
  return app;
}
