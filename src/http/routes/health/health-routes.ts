import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../../domain/ports.ts';
import type { OperationsRepository } from '../../../storage/repositories/operations-repository.ts';
import { LivenessResponse, ReadinessResponse } from '../../schemas/health-schemas.ts';

export interface HealthRoutesOptions {
  operations: OperationsRepository;
  /** Real time, for heartbeat ages. */
  wallClock: Clock;
  /** When the process started: before `workerStaleMs` has passed, a missing heartbeat is "starting". */
  startedAt: Date;
  /** A heartbeat older than this means no renewal worker is running. */
  workerStaleMs: number;
  /** True once shutdown began: readiness fails so the load balancer stops sending traffic. */
  shuttingDown: () => boolean;
  /** Budget of each database check, ms. */
  checkTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Error text without connection strings or credentials. */
function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\w+:\/\/[^\s]+/g, '[url]').slice(0, 200);
}

/**
 * - `GET /livez`: the process runs and its event loop answers (restart it when this fails).
 * - `GET /readyz` (and `/healthz`, kept for older probes): 200 when the database answers, every
 *   migration of this build is applied, a renewal worker's heartbeat is fresh, and shutdown has
 *   not begun; otherwise 503. The body lists each check.
 */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, o) => {
  const timeoutMs = o.checkTimeoutMs ?? 2000;

  app.get('/livez', { schema: { hide: true, response: { 200: LivenessResponse } } }, async () => ({ ok: true as const }));

  async function readiness(): Promise<ReadinessResponse> {
    const checks: ReadinessResponse['checks'] = {};
    try {
      await withTimeout(o.operations.ping(), timeoutMs);
      checks.database = { ok: true };
    } catch (err) {
      checks.database = { ok: false, error: reason(err) };
    }
    if (checks.database.ok) {
      try {
        const pending = await withTimeout(o.operations.pendingMigrations(), timeoutMs);
        checks.migrations = { ok: pending.length === 0, ...(pending.length ? { pending } : {}) };
      } catch (err) {
        checks.migrations = { ok: false, error: reason(err) };
      }
      try {
        const last = await withTimeout(o.operations.lastBeat(), timeoutMs);
        const now = o.wallClock.now().getTime();
        const age = last ? now - last.getTime() : null;
        const starting = now - o.startedAt.getTime() < o.workerStaleMs;
        const fresh = age !== null && age <= o.workerStaleMs;
        checks.worker = { ok: fresh || starting, heartbeat_age_seconds: age === null ? null : Math.round(age / 1000), ...(!fresh && starting ? { starting: true } : {}) };
      } catch (err) {
        checks.worker = { ok: false, error: reason(err) };
      }
    }
    if (o.shuttingDown()) checks.shutdown = { ok: false, shutting_down: true };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  }

  for (const path of ['/readyz', '/healthz']) {
    app.get(path, { schema: { hide: true, response: { 200: ReadinessResponse, 503: ReadinessResponse } } }, async (_req, reply) => {
      const r = await readiness();
      reply.status(r.ok ? 200 : 503);
      return r;
    });
  }
};
