import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { formatKst, type SandboxClock } from './kakaopay-clock.ts';
import { SandboxFlowError } from './kakaopay-flow-error.ts';
import type { KakaoPayPaymentService } from './kakaopay-payment-service.ts';
import { PAYMENT_METHOD_TYPES } from './kakaopay-states.ts';
import { SCRIPT_OPERATIONS, type ScriptQueue } from './kakaopay-scripts.ts';
import type { KakaoPayStore } from './kakaopay-store.ts';

export interface ControlRoutesOptions {
  store: KakaoPayStore;
  scripts: ScriptQueue;
  clock: SandboxClock;
  service: KakaoPayPaymentService;
}

const authorizeBody = z.object({
  action: z.enum(['approve', 'cancel', 'fail']).default('approve'),
  method: z.enum(PAYMENT_METHOD_TYPES).default('CARD'),
});

const scriptBody = z
  .object({
    operation: z.enum(SCRIPT_OPERATIONS),
    error_code: z.number().int().optional(),
    extras: z
      .object({ method_result_code: z.string().optional(), method_result_message: z.string().optional() })
      .catchall(z.unknown())
      .optional(),
    delay_ms: z.number().int().min(0).default(0),
    delay: z.enum(['before', 'after']).default('before'),
    count: z.number().int().min(1).default(1),
    match: z
      .object({ tid: z.string().optional(), sid: z.string().optional(), partner_order_id: z.string().optional() })
      .optional(),
  })
  .refine((s) => s.error_code !== undefined || s.delay_ms > 0, {
    message: 'give error_code and/or delay_ms',
  });

const clockBody = z.object({ advance_ms: z.number().int().min(0) });

function badRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const detail = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return reply.code(400).send({ error: detail });
}

/** Sandbox-only endpoints under `/__sandbox/` (no auth); see README.md. */
export function registerControlRoutes(app: FastifyInstance, deps: ControlRoutesOptions): void {
  const { store, scripts, clock, service } = deps;

  app.post('/__sandbox/tids/:tid/authorize', async (request, reply) => {
    const parsed = authorizeBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    const { tid } = request.params as { tid: string };
    const record = store.payments.get(tid);
    if (!record) return reply.code(404).send({ error: 'unknown tid' });
    if (record.kind !== 'single') return reply.code(409).send({ error: 'subscription charges have no user step', status: record.status });
    try {
      const result = service.authorize(record, parsed.data.action, parsed.data.method);
      return { redirect_url: result.redirectUrl, pg_token: result.pgToken, status: result.status };
    } catch (error) {
      if (!(error instanceof SandboxFlowError)) throw error;
      return reply.code(error.httpStatus).send({ error: error.message, status: error.status });
    }
  });

  app.post('/__sandbox/script', async (request, reply) => {
    const parsed = scriptBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    const s = parsed.data;
    const script = scripts.add({
      operation: s.operation,
      errorCode: s.error_code,
      extras: s.extras,
      delayMs: s.delay_ms,
      delay: s.delay,
      remaining: s.count,
      match: s.match,
    });
    return reply.code(201).send({ script, pending: scripts.list().length });
  });
  app.get('/__sandbox/script', async () => ({ scripts: scripts.list() }));
  app.delete('/__sandbox/script', async () => {
    scripts.clear();
    return { scripts: [] };
  });

  const clockView = () => ({ now: clock.now(), now_kst: formatKst(clock.now()), offset_ms: clock.offset });
  app.get('/__sandbox/clock', async () => clockView());
  app.post('/__sandbox/clock', async (request, reply) => {
    const parsed = clockBody.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error);
    clock.advance(parsed.data.advance_ms);
    return clockView();
  });

  app.get('/__sandbox/stats', async () => store.stats);

  app.get('/__sandbox/payments/:tid', async (request, reply) => {
    const record = store.payments.get((request.params as { tid: string }).tid);
    if (!record) return reply.code(404).send({ error: 'unknown tid' });
    service.refreshExpiry(record, clock.now());
    return record;
  });

  app.get('/__sandbox/sids/:sid', async (request, reply) => {
    const record = store.sids.get((request.params as { sid: string }).sid);
    if (!record) return reply.code(404).send({ error: 'unknown sid' });
    return record;
  });

  app.post('/__sandbox/reset', async () => {
    store.reset();
    scripts.clear();
    clock.reset();
    return { reset: true };
  });
}
