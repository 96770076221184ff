/**
 * Sandbox-only control surface under `/__sandbox/` (no auth): headless page decisions, scripted
 * failures and delays, the clock, counters, raw state and reset. Documented in README.md.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { authorizeReserve, type AuthorizeOutcome } from './naverpay-authorization.ts';
import type { Fields } from './naverpay-checkout-input.ts';
import type { SandboxState } from './naverpay-sandbox-state.ts';
import { SCRIPT_OPERATIONS } from './naverpay-scripts.ts';
import { hostedPagePath, openFromSdk } from './naverpay-sdk-script.ts';
import { AUTHORIZE_ACTIONS } from './naverpay-store.ts';

const authorizeBody = z.object({ action: z.enum(AUTHORIZE_ACTIONS).optional() }).loose();

const scriptBody = z.object({
  operation: z.enum(SCRIPT_OPERATIONS),
  code: z.string().min(1).optional(),
  message: z.string().optional(),
  http_status: z.number().int().min(400).max(599).optional(),
  delay_ms: z.number().int().min(0).max(600_000).optional(),
  delay: z.enum(['before', 'after']).optional(),
  count: z.number().int().min(1).optional(),
  match: z
    .object({
      paymentId: z.string().optional(),
      recurrentId: z.string().optional(),
      merchantPayKey: z.string().optional(),
    })
    .optional(),
});

const clockBody = z.object({ advance_ms: z.number().int() });

function badRequest(reply: FastifyReply, error: z.ZodError | string): FastifyReply {
  const message = typeof error === 'string' ? error : z.prettifyError(error);
  return reply.code(400).send({ error: 'bad_request', message });
}

function outcomeJson(outcome: AuthorizeOutcome) {
  return {
    reserveId: outcome.reserveId,
    redirect_url: outcome.redirectUrl,
    resultCode: outcome.resultCode,
    ...(outcome.resultMessage ? { resultMessage: outcome.resultMessage } : {}),
    ...(outcome.paymentId ? { paymentId: outcome.paymentId } : {}),
    ...(outcome.tempReceiptId ? { tempReceiptId: outcome.tempReceiptId } : {}),
  };
}

export function registerControlRoutes(app: FastifyInstance, state: SandboxState): void {
  app.post('/__sandbox/reserves/:reserveId/authorize', async (request, reply) => {
    const { reserveId } = request.params as { reserveId: string };
    const parsed = authorizeBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    const reserve = state.store.reserves.get(reserveId);
    if (!reserve) return reply.code(404).send({ error: 'not_found', message: `unknown reserveId ${reserveId}` });
    const result = authorizeReserve(state, reserve, parsed.data.action ?? 'approve');
    if (!result.ok) return reply.code(409).send({ error: 'conflict', message: result.message, ...outcomeJson(result.outcome) });
    return outcomeJson(result.outcome);
  });

  app.post('/__sandbox/sdk/authorize', async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest(reply, 'JSON object body expected');
    const fields = body as Fields;
    const action = fields.action ?? 'approve';
    if (typeof action !== 'string' || !(AUTHORIZE_ACTIONS as readonly string[]).includes(action)) {
      return badRequest(reply, `action must be one of ${AUTHORIZE_ACTIONS.join(', ')}`);
    }
    const opened = openFromSdk(state, fields, 'page');
    if (!opened.ok) return reply.code(400).send({ error: 'invalid_sdk_params', message: opened.message });
    state.store.stats.increment('sdk_open');
    const result = authorizeReserve(state, opened.reserve, action as (typeof AUTHORIZE_ACTIONS)[number]);
    return { ...outcomeJson(result.outcome), page_url: `${state.baseUrl(request)}${hostedPagePath(opened.reserve)}` };
  });

  app.post('/__sandbox/script', async (request, reply) => {
    const parsed = scriptBody.safeParse(request.body);
    if (!parsed.success) return badRequest(reply, parsed.error);
    const d = parsed.data;
    const script = state.scripts.add({
      operation: d.operation,
      code: d.code,
      message: d.message,
      httpStatus: d.http_status,
      delayMs: d.delay_ms,
      delay: d.delay,
      count: d.count,
      match: d.match ?? {},
    });
    return reply.code(201).send({ id: script.id, queued: state.scripts.list().length });
  });

  app.get('/__sandbox/script', async () => ({ scripts: state.scripts.list() }));

  app.delete('/__sandbox/script', async () => {
    state.scripts.clear();
    return { cleared: true };
  });

  app.post('/__sandbox/clock', async (request, reply) => {
    const parsed = clockBody.safeParse(request.body);
    if (!parsed.success) return badRequest(reply, parsed.error);
    state.clock.advance(parsed.data.advance_ms);
    return { now: state.now() };
  });

  app.get('/__sandbox/clock', async () => ({ now: state.now() }));

  app.get('/__sandbox/stats', async () => state.store.stats.toJSON());

  app.get('/__sandbox/payments/:paymentId', async (request, reply) => {
    const { paymentId } = request.params as { paymentId: string };
    const payment = state.store.payments.get(paymentId);
    if (!payment) return reply.code(404).send({ error: 'not_found', message: `unknown paymentId ${paymentId}` });
    return payment;
  });

  app.get('/__sandbox/reserves/:reserveId', async (request, reply) => {
    const { reserveId } = request.params as { reserveId: string };
    const reserve = state.store.reserves.get(reserveId);
    if (!reserve) return reply.code(404).send({ error: 'not_found', message: `unknown reserveId ${reserveId}` });
    return reserve;
  });

  app.get('/__sandbox/recurrents/:recurrentId', async (request, reply) => {
    const { recurrentId } = request.params as { recurrentId: string };
    const registration = state.store.registrations.get(recurrentId);
    if (!registration) return reply.code(404).send({ error: 'not_found', message: `unknown recurrentId ${recurrentId}` });
    return registration;
  });

  app.post('/__sandbox/reset', async () => {
    state.reset();
    return { reset: true };
  });
}
