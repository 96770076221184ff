import type { FastifyReply } from 'fastify';
import type { KakaoPayError } from './kakaopay-errors.ts';

/** Which route set a request came in on; decides auth scheme, param sources and error envelope. */
export type ApiGeneration = 'current' | 'legacy';

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Current: `{error_code, error_message, extras?}`; legacy: `{code, msg, extras?}` (spec §6.1). */
export function errorBody(generation: ApiGeneration, error: KakaoPayError): Record<string, unknown> {
  const body: Record<string, unknown> =
    generation === 'current'
      ? { error_code: error.code, error_message: error.message }
      : { code: error.code, msg: error.message };
  if (error.extras) body.extras = error.extras;
  return body;
}

/** Sends a pre-serialized JSON body with KakaoPay's content type. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Generation of a path, used for errors raised before a route handler runs. */
export function generationOfPath(url: string): ApiGeneration | undefined {
  if (url.startsWith('/online/v1/')) return 'current';
  if (url.startsWith('/v1/')) return 'legacy';
  return undefined;
}
