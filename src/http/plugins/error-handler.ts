import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError, ProviderError, type ErrorCode } from '../../domain/errors.ts';
import { toAppError } from '../../use-cases/provider-errors.ts';
import { isDatabaseUnavailable, isInvalidTextValue } from '../../storage/database-errors.ts';

const FASTIFY_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  413: 'VALIDATION_FAILED',
  415: 'VALIDATION_FAILED',
};

/** The one mapping from thrown errors to `{error: {code, message, details?}}` responses. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if (err instanceof ProviderError) appErr = toAppError(err);
    else if (err instanceof ZodError) {
      appErr = new AppError('VALIDATION_FAILED', '입력값이 올바르지 않습니다.', {
        issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    } else if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      appErr = new AppError('DATABASE_UNAVAILABLE', '일시적으로 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해 주세요.');
    } else if (isInvalidTextValue(err)) {
      appErr = new AppError('VALIDATION_FAILED', '입력값에 사용할 수 없는 문자가 있습니다.');
    } else {
      const status = (err as FastifyError).statusCode;
      const code = status ? FASTIFY_STATUS_CODES[status] : undefined;
      if (code) appErr = new AppError(code, code === 'NOT_FOUND' ? '찾을 수 없습니다.' : '요청 형식이 올바르지 않습니다.', { reason: err.message });
      else {
        req.log.error({ err }, 'unhandled error');
        appErr = new AppError('INTERNAL', '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.');
      }
    }
    if (appErr.httpStatus >= 500) req.log.error({ code: appErr.code, err: appErr.cause ?? appErr }, appErr.message);
    if (appErr.code === 'RATE_LIMITED' && appErr.details?.retry_after_seconds) {
      reply.header('retry-after', String(appErr.details.retry_after_seconds));
    }
    return reply.status(appErr.httpStatus).send({
      error: { code: appErr.code, message: appErr.message, ...(appErr.details ? { details: appErr.details } : {}) },
    });
  });
}
