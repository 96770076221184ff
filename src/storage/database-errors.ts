/**
 * Classifies errors raised by the database driver (pg or PGlite), so that the HTTP error handler
 * can answer with a stable code instead of 500. Driver vocabulary (SQLSTATEs, socket codes,
 * pg's messages) stays in storage/.
 */

/** SQLSTATE classes 08 (connection exception) and 57P0x (operator intervention: terminated, shutting down). */
const UNAVAILABLE_SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg and pg-pool raise these without a code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Postgres connection has been discarded',
  'Cannot use a pool after calling end on the pool',
];

/**
 * SQLSTATEs of text PostgreSQL cannot store (a NUL byte, invalid UTF-8). The HTTP layer rejects
 * such input before it reaches the database; this is the safety net behind that rule.
 */
const INVALID_TEXT_SQLSTATES = new Set(['22021', '22P05']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the database could not be reached or dropped the connection (retrying later may work). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
    const message = e instanceof Error ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}

/**
 * True when PostgreSQL refused a prepared statement whose result columns changed since it was
 * prepared (a migration under a running service), before running it: sent again, prepared anew,
 * it works (src/storage/create-db.ts does that outside a transaction).
 */
export function isStalePreparedPlan(err: unknown): boolean {
  return codeOf(err) === '0A000' && /cached plan must not change result type/.test((err as Error | null)?.message ?? '');
}

/** True when PostgreSQL refused a text value it cannot store (NUL byte, bad encoding). */
export function isInvalidTextValue(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && INVALID_TEXT_SQLSTATES.has(code);
}
