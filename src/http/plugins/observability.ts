import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Secret } from '../../config/secret.ts';

/** Accepted incoming `X-Request-Id` values; anything else is replaced by one of ours. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Fastify's `genReqId`: the caller's (or proxy's) `X-Request-Id` when well-formed, else a new id. */
export function requestIdFrom(next: () => string): (req: { headers: Record<string, string | string[] | undefined> }) => string {
  return (req) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && REQUEST_ID.test(given) ? given : next();
  };
}

export interface ObservabilityOptions {
  metrics: Metrics;
  /** One info line per request (method, route, path without query, status, ms, user). */
  requestLog: boolean;
  /** Bearer token required by `GET /metrics`; null leaves it open (block it at the proxy). */
  metricsToken: Secret | null;
}

/** Route pattern, never the raw URL: ids and query strings (pg_token!) stay out of labels and logs. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unmatched';
}

/**
 * Request ids on every response (`X-Request-Id`), request logs, HTTP metrics and `GET /metrics`.
 * Hooks are added on the root instance so they see every route.
 */
export function registerObservability(app: FastifyInstance, opts: ObservabilityOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = routeOf(req);
    const labels = { method: req.method, route, status_code: String(reply.statusCode) };
    const seconds = reply.elapsedTime / 1000;
    opts.metrics.httpRequests.inc(labels);
    opts.metrics.httpDuration.observe(labels, seconds);
    if (opts.requestLog && route !== '/metrics' && route !== '/livez' && route !== '/readyz') {
      const principal = (req as FastifyRequest & { principal?: { userId: string } | null }).principal;
      req.log.info(
        {
          method: req.method,
          route,
          path: req.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ...(principal ? { user_id: principal.userId } : {}),
        },
        'request',
      );
    }
  });

  const expected = opts.metricsToken ? Buffer.from(`Bearer ${opts.metricsToken.reveal()}`) : null;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('UNAUTHENTICATED', '인증이 필요합니다.');
      }
    }
    reply.type(opts.metrics.registry.contentType);
    return opts.metrics.expose();
  });
}
