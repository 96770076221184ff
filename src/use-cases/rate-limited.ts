import { AppError } from '../domain/errors.ts';

/** The answer to a request over a rate limit (429, Retry-After from `retry_after_seconds`). */
export function rateLimited(retryAfterMs: number): AppError {
  return new AppError('RATE_LIMITED', '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.', {
    retry_after_seconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}
