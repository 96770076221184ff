import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Clock } from '../../domain/ports.ts';
import type { IdempotencyRepository } from '../../storage/repositories/idempotency-repository.ts';

const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

/**
 * Runs `handler` at most once per `Idempotency-Key` (per user). A retry with the
 * same key and body gets the stored answer; the same key with another body is
 * refused. Without the header the handler simply runs.
 */
export async function withIdempotency<T>(
  deps: { repo: IdempotencyRepository; clock: Clock },
  req: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  handler: () => Promise<{ status: number; body: T }>,
): Promise<T | unknown> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) {
    const r = await handler();
    reply.status(r.status);
    return r.body;
  }
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key 형식이 올바르지 않습니다.', { pattern: KEY_PATTERN.source });
  }
  const hash = createHash('sha256').update(`${req.method} ${req.routeOptions.url}\n${JSON.stringify(req.body ?? null)}\n${JSON.stringify(req.params ?? null)}`).digest('hex');
  const claim = await deps.repo.claim(userId, key, hash, deps.clock.now());
  if (claim.state === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', '같은 Idempotency-Key로 다른 요청을 보냈습니다.');
  if (claim.state === 'in_flight') throw new AppError('PAYMENT_IN_PROGRESS', '같은 요청을 처리하고 있습니다.');
  if (claim.state === 'replay') {
    reply.header('idempotent-replayed', 'true');
    reply.status(claim.status);
    return claim.body;
  }
  try {
    const r = await handler();
    await deps.repo.complete(userId, key, r.status, r.body);
    reply.status(r.status);
    return r.body;
  } catch (err) {
    if (err instanceof AppError && err.httpStatus < 500) {
      // A refused request is an answer too: store it so a retry sees the same.
      const body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
      await deps.repo.complete(userId, key, err.httpStatus, body);
    } else {
      await deps.repo.release(userId, key);
    }
    throw err;
  }
}
