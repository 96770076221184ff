/**
 * NaverPay 결제형 API sandbox: a wire-compatible server built from shared/specs/naverpay.md, with
 * hosted pages, an SDK stand-in and a `/__sandbox/` control surface. Never listens; see main.ts.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { registerControlRoutes } from './naverpay-control-routes.ts';
import { registerLedgerRoute } from './naverpay-ledger-route.ts';
import { registerSettlementRoute } from './naverpay-settlement-route.ts';
import { JSON_CONTENT_TYPE } from './naverpay-envelope.ts';
import { registerHostedPages } from './naverpay-hosted-pages.ts';
import { resolveSandboxOptions, type NaverPaySandboxOptions } from './naverpay-sandbox-options.ts';
import { SandboxState } from './naverpay-sandbox-state.ts';
import { registerSdkRoutes } from './naverpay-sdk-script.ts';
import { registerWireRoutes } from './naverpay-wire-routes.ts';

export type { NaverPaySandboxOptions } from './naverpay-sandbox-options.ts';
export {
  DEFAULT_CHAIN_IDS,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PARTNER_ID,
} from './naverpay-sandbox-options.ts';

function badBody(message: string): FastifyError {
  const error = new Error(message) as FastifyError;
  error.statusCode = 400;
  return error;
}

export function buildNaverPaySandbox(options?: NaverPaySandboxOptions): FastifyInstance {
  const resolved = resolveSandboxOptions(options);
  const state = new SandboxState(resolved);
  const app = Fastify({
    logger: resolved.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // recurrentId / reserveId are ~48 characters before percent-encoding.
    routerOptions: { maxParamLength: 1000 },
  });

  // Own parsers: an empty JSON body is "no fields" (→ RequireParameter), forms decode `+` as
  // space and `%2B` as `+` (URLSearchParams), and any other content type reaches the handler
  // as a string instead of a 415, so the wire layer decides what to ignore.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badBody('malformed JSON body'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // Echo the idempotency key on every response to a request that carried it (§2.6).
  app.addHook('onRequest', async (request, reply) => {
    const key = request.headers['x-naverpay-idempotency-key'];
    if (key !== undefined) reply.header('X-NaverPay-Idempotency-Key', Array.isArray(key) ? key[0] : key);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error(error);
    reply
      .code(status)
      .header('content-type', JSON_CONTENT_TYPE)
      .send(
        JSON.stringify({
          code: status < 500 ? 'InvalidParameter' : 'Fail',
          message: status < 500 ? error.message : 'sandbox internal error',
          body: null,
        }),
      );
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .header('content-type', JSON_CONTENT_TYPE)
      .send(JSON.stringify({ code: 'NotFound', message: `${request.method} ${request.url.split('?')[0]} not found`, body: null }));
  });

  registerWireRoutes(app, state);
  registerHostedPages(app, state);
  registerSdkRoutes(app, state);
  registerControlRoutes(app, state);
  registerLedgerRoute(app, state);
  registerSettlementRoute(app, state);
  return app;
}
