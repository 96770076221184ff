import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { registerErrorHandler } from './error-handler.ts';

/** Errors shaped as node-postgres raises them (the SQLSTATE in `code`). */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

async function answerTo(err: Error) {
  const app = Fastify({ logger: false });
  registerErrorHandler(app);
  app.get('/boom', async () => {
    throw err;
  });
  const res = await app.inject({ method: 'GET', url: '/boom' });
  await app.close();
  return { status: res.statusCode, body: res.json() as { error: { code: string } } };
}

describe('database errors in the error envelope', () => {
  it('a prepared statement whose result columns a migration changed (a transaction failed once): 503, try again', async () => {
    const r = await answerTo(pgError('0A000', 'cached plan must not change result type'));
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('a lost connection: 503', async () => {
    const r = await answerTo(pgError('57P01', 'terminating connection due to administrator command'));
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('another feature_not_supported error stays a 500', async () => {
    const r = await answerTo(pgError('0A000', 'something else not supported'));
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTERNAL');
  });
});
