import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../../domain/errors.ts';
import type { Clock } from '../../domain/ports.ts';
import type { IdempotencyRepository } from '../../storage/repositories/idempotency-repository.ts';

const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

/** Refusals that say "not now" rather than "no": not stored, so a retry with the key runs again. */
const TRANSIENT_CODES: readonly ErrorCode[] = ['PAYMENT_IN_PROGRESS', 'RATE_LIMITED'];

/** What the handler learns about its claim on the key. */
export interface IdempotentRun {
  /**
   * An earlier request with this key and body claimed it and died without an answer (its lease
   * ran out). The handler runs again; it must settle by looking at what the earlier run may
   * have done since `firstClaimedAt` rather than doing it twice.
   */
  takeover: boolean;
  firstClaimedAt: Date;
}

/** The hash a key is bound to: method, route, body and path parameters. */
export function idempotencyRequestHash(method: string, routeUrl: string, body: unknown, params: unknown): string {
  return createHash('sha256').update(`${method} ${routeUrl}\n${JSON.stringify(body ?? null)}\n${JSON.stringify(params ?? null)}`).digest('hex');
}

/**
 * Runs `handler` at most once per `Idempotency-Key` (per user). A retry with the
 * same key and body gets the stored answer; the same key with another body is
 * refused. Without the header the handler simply runs.
 *
 * A claim is a lease (`IDEMPOTENCY_LEASE_SECONDS`), renewed while the handler runs; a retry
 * while it runs gets 409 PAYMENT_IN_PROGRESS. If the holder's process died, a retry after the
 * lease takes the key over and runs the handler with `takeover: true` (docs/faults.md).
 */
export async function withIdempotency<T>(
  deps: { repo: IdempotencyRepository; clock: Clock },
  req: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  handler: (run: IdempotentRun) => Promise<{ status: number; body: T }>,
): Promise<T | unknown> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) {
    const r = await handler({ takeover: false, firstClaimedAt: deps.clock.now() });
    reply.status(r.status);
    return r.body;
  }
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key 형식이 올바르지 않습니다.', { pattern: KEY_PATTERN.source });
  }
  const hash = idempotencyRequestHash(req.method, req.routeOptions.url ?? '', req.body, req.params);
  const claim = await deps.repo.claim(userId, key, hash, deps.clock.now());
  if (claim.state === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', '같은 Idempotency-Key로 다른 요청을 보냈습니다.');
  if (claim.state === 'in_flight') throw new AppError('PAYMENT_IN_PROGRESS', '같은 요청을 처리하고 있습니다.');
  if (claim.state === 'replay') {
    reply.header('idempotent-replayed', 'true');
    reply.status(claim.status);
    return claim.body;
  }
  if (claim.takeover) req.log.warn({ idempotency_key: key, first_claimed_at: claim.firstClaimedAt }, 'idempotency key taken over after its lease ran out');

  // Renew the lease while the handler works, so a slow request is never taken over.
  let token: Date | null = claim.claimedAt;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      if (!token) return;
      try {
        token = await deps.repo.renew(userId, key, token, deps.clock.now());
      } catch (err) {
        req.log.warn({ err, idempotency_key: key }, 'idempotency lease renewal failed');
      }
    });
  }, Math.max(100, Math.floor(deps.repo.leaseMs / 3)));
  timer.unref();
  const finish = async (write: (t: Date) => Promise<unknown>) => {
    clearInterval(timer);
    await renewing;
    if (!token) {
      req.log.warn({ idempotency_key: key }, 'idempotency key was taken over while this request ran; its answer is not stored');
      return;
    }
    await write(token);
  };

  try {
    const r = await handler({ takeover: claim.takeover, firstClaimedAt: claim.firstClaimedAt });
    await finish((t) => deps.repo.complete(userId, key, t, r.status, r.body));
    reply.status(r.status);
    return r.body;
  } catch (err) {
    if (err instanceof AppError && err.httpStatus < 500 && !TRANSIENT_CODES.includes(err.code)) {
      // A refused request is an answer too: store it so a retry sees the same.
      const body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
      await finish((t) => deps.repo.complete(userId, key, t, err.httpStatus, body)).catch(() => undefined);
    } else {
      await finish((t) => deps.repo.release(userId, key, t)).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * `withIdempotency` for a route that declares its response: the answer is the handler's body,
 * or a replay of the stored one under its stored status (a body of type T, or a refusal under a
 * 4xx status, which the route's response schema does not cover).
 */
export function idempotentAnswer<T>(...args: Parameters<typeof withIdempotency<T>>): Promise<T> {
  return withIdempotency(...args) as Promise<T>;
}
