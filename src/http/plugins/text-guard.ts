import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';

/** A NUL, or a UTF-16 surrogate without its pair (not valid Unicode, not storable as UTF-8 text). */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 32;

/**
 * Path (e.g. `body.items.0.name`) of the first string, or object key, in `value` that holds a NUL
 * byte or a lone surrogate; null when there is none. PostgreSQL cannot store either (22021), and
 * a NUL cuts text short in C libraries, logs and spreadsheets.
 */
export function findUnsafeText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSAFE_TEXT.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (UNSAFE_TEXT.test(k)) return path;
    const found = findUnsafeText(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * One rule for every route: a request whose body, query string or path parameters hold a NUL
 * or a lone surrogate in any string is refused with 400 VALIDATION_FAILED before its handler
 * runs (docs/faults.md). Registered on the root instance, so it covers every route plugin.
 */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const where = findUnsafeText(req.params, 'params') ?? findUnsafeText(req.query, 'query') ?? findUnsafeText(req.body, 'body');
    if (where) {
      throw new AppError('VALIDATION_FAILED', '입력값에 사용할 수 없는 문자(NUL 또는 잘못된 유니코드)가 있습니다.', { field: where });
    }
  });
}
