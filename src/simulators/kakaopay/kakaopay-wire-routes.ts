import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxDelays } from './kakaopay-delays.ts';
import { errorBody, sendJson, type ApiGeneration } from './kakaopay-envelope.ts';
import { httpStatusFor, invalidParam, KakaoPayError, scriptedError } from './kakaopay-errors.ts';
import type { KakaoPayOperationRunner } from './kakaopay-operations.ts';
import type { ResolvedSandboxOptions } from './kakaopay-options.ts';
import type { WireOperation } from './kakaopay-scripts.ts';

export interface WireRoutesOptions {
  options: ResolvedSandboxOptions;
  runner: KakaoPayOperationRunner;
  delays: SandboxDelays;
}

/** Path suffix under `/online/v1/payment/` and `/v1/payment/` per operation. */
const PATHS: Record<WireOperation, string> = {
  ready: 'ready',
  approve: 'approve',
  cancel: 'cancel',
  order: 'order',
  subscription: 'subscription',
  inactive: 'manage/subscription/inactive',
  status: 'manage/subscription/status',
};

/** Registers both route sets (spec §1): current JSON + SECRET_KEY, legacy form/query + KakaoAK. */
export function registerWireRoutes(app: FastifyInstance, deps: WireRoutesOptions): void {
  for (const [operation, path] of Object.entries(PATHS) as [WireOperation, string][]) {
    app.post(`/online/v1/payment/${path}`, wireHandler(operation, 'current', deps));
    app.post(`/v1/payment/${path}`, wireHandler(operation, 'legacy', deps));
  }
  app.get('/v1/payment/order', wireHandler('order', 'legacy', deps));
}

function wireHandler(operation: WireOperation, generation: ApiGeneration, deps: WireRoutesOptions) {
  const { options, runner, delays } = deps;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let status = 200;
    let body: unknown;
    try {
      authenticate(generation, request.headers.authorization, options);
      const forced = forcedErrorCode(request.headers['x-sandbox-error']);
      if (forced !== undefined) throw scriptedError(forced);
      body = await runner.run(operation, requestParams(generation, request, options.lenientBodies), {
        generation,
        baseUrl: options.publicBaseUrl ?? `${request.protocol}://${request.host || 'localhost'}`,
      });
    } catch (error) {
      const kakaoError =
        error instanceof KakaoPayError ? error : new KakaoPayError(-1, 'internal error');
      if (!(error instanceof KakaoPayError)) request.log.error({ err: error }, 'sandbox internal error');
      status = error instanceof KakaoPayError ? httpStatusFor(kakaoError.code, options) : 500;
      body = errorBody(generation, kakaoError);
    }
    if (options.latencyMs > 0) await delays.sleep(options.latencyMs);
    return sendJson(reply, status, body);
  };
}

/** `SECRET_KEY`/`DEV_SECRET_KEY` on current, `KakaoAK` on legacy; schemes are case-insensitive. */
function authenticate(
  generation: ApiGeneration,
  header: string | undefined,
  options: ResolvedSandboxOptions,
): void {
  const match = header ? /^\s*(\S+)\s+(\S+)\s*$/.exec(header) : null;
  if (match) {
    const scheme = match[1].toUpperCase();
    const key = match[2];
    if (generation === 'current' && (scheme === 'SECRET_KEY' || scheme === 'DEV_SECRET_KEY')) {
      if (options.secretKeys.has(key)) return;
    } else if (generation === 'legacy' && scheme === 'KAKAOAK') {
      if (options.adminKeys.has(key)) return;
    }
  }
  throw new KakaoPayError(-401);
}

/**
 * Current: the JSON body only. Legacy: query string merged with the form body (body wins).
 * Strict (default): a body in the other generation's encoding is refused with -2, and
 * `available_cards` must be a JSON string (spec §1, §4.1).
 */
function requestParams(generation: ApiGeneration, request: FastifyRequest, lenient: boolean): Record<string, unknown> {
  const body = request.body;
  if (!lenient && body !== undefined && body !== null) {
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (generation === 'current' && type !== 'application/json') throw invalidParam('Content-Type must be application/json');
    if (generation === 'legacy' && type !== 'application/x-www-form-urlencoded') {
      throw invalidParam('Content-Type must be application/x-www-form-urlencoded');
    }
  }
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    throw invalidParam('request body must be an object');
  }
  const bodyParams = (body ?? {}) as Record<string, unknown>;
  const params = generation === 'current' ? bodyParams : { ...(request.query as Record<string, unknown>), ...bodyParams };
  const cards = params.available_cards;
  if (!lenient && cards !== undefined && (typeof cards !== 'string' || !cards.trim().startsWith('['))) {
    throw invalidParam('available_cards must be a JSON string, e.g. "[\"SHINHAN\",\"KB\"]"');
  }
  return params;
}

/** `X-Sandbox-Error: -780` forces that code on any wire request (after auth). */
function forcedErrorCode(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!/^\s*-?\d+\s*$/.test(value)) throw invalidParam('X-Sandbox-Error must be an integer code');
  return Number(value);
}
