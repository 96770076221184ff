import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError, ERROR_CODES, ProviderError, type ErrorCode } from '../../domain/errors.ts';
import { toAppError } from '../../use-cases/provider-errors.ts';
import { isDatabaseUnavailable, isInvalidTextValue, isStalePreparedPlan } from '../../storage/database-errors.ts';
import { validationIssues } from './zod-schemas.ts';

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
    const issues = validationIssues(err);
    if (err instanceof AppError) appErr = err;
    else if (issues) appErr = new AppError('VALIDATION_FAILED', '입력값이 올바르지 않습니다.', { issues });
    else if (err instanceof ProviderError) appErr = toAppError(err);
    else if (err instanceof ZodError) {
      appErr = new AppError('VALIDATION_FAILED', '입력값이 올바르지 않습니다.', {
        issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    } else if (isDatabaseUnavailable(err) || isStalePreparedPlan(err)) {
      // A stale prepared statement failed its transaction once (a migration under the running
      // service); nothing was written and the next attempt is prepared anew: the same answer.
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

function envelope(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

const BAD_REQUEST_MESSAGE = '요청 형식이 올바르지 않습니다.';

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any route or hook runs
 * (a malformed percent-encoding in the path, a path parameter beyond `maxParamLength`), in our
 * envelope instead of Fastify's own body.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const [code, message]: [ErrorCode, string] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ['URI_TOO_LONG', '요청 주소가 너무 깁니다.']
      : err.code === 'FST_ERR_BAD_URL'
        ? ['VALIDATION_FAILED', '요청 주소의 형식이 올바르지 않습니다.']
        : ['INTERNAL', '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.'];
  if (code === 'INTERNAL') req.log.error({ err }, 'router error');
  void reply.code(ERROR_CODES[code]).type('application/json; charset=utf-8').send(envelope(code, message));
}

/**
 * Fastify's `clientErrorHandler` option: the HTTP parser refused the request (headers too large,
 * a malformed request, a request too slow), so there is no request object and no route. The
 * answer is written on the socket, in our envelope, and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['HEADERS_TOO_LARGE', '요청 헤더가 너무 큽니다.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['REQUEST_TIMEOUT', '요청 시간이 초과되었습니다.']
        : err.code === 'HPE_URI_TOO_LONG'
          ? ['URI_TOO_LONG', '요청 주소가 너무 깁니다.']
          : ['VALIDATION_FAILED', BAD_REQUEST_MESSAGE];
  const status = ERROR_CODES[code];
  const body = envelope(code, message);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
