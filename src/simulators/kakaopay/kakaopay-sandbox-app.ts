import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { SandboxClock } from './kakaopay-clock.ts';
import { registerControlRoutes } from './kakaopay-control-routes.ts';
import { registerLedgerRoute } from './kakaopay-ledger-route.ts';
import { registerSettlementRoute } from './kakaopay-settlement-route.ts';
import { SandboxDelays } from './kakaopay-delays.ts';
import { errorBody, generationOfPath, sendJson } from './kakaopay-envelope.ts';
import { invalidParam, KakaoPayError } from './kakaopay-errors.ts';
import { renderMessagePage } from './kakaopay-hosted-page.ts';
import { registerHostedPageRoutes } from './kakaopay-hosted-page-routes.ts';
import { KakaoPayIds } from './kakaopay-ids.ts';
import { KakaoPayOperationRunner } from './kakaopay-operations.ts';
import { resolveSandboxOptions, type KakaoPaySandboxOptions } from './kakaopay-options.ts';
import { KakaoPayPaymentService } from './kakaopay-payment-service.ts';
import { ScriptQueue } from './kakaopay-scripts.ts';
import { KakaoPayStore } from './kakaopay-store.ts';
import { registerWireRoutes } from './kakaopay-wire-routes.ts';

export type { KakaoPaySandboxOptions } from './kakaopay-options.ts';

/**
 * Builds the KakaoPay sandbox: both wire route sets, the hosted page and `/__sandbox/*`
 * controls over one in-memory store. Never listens; use `app.inject` or `startKakaoPaySandbox`.
 */
export function buildKakaoPaySandbox(sandboxOptions: KakaoPaySandboxOptions = {}): FastifyInstance {
  const options = resolveSandboxOptions(sandboxOptions);
  const app = Fastify({
    logger: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const store = new KakaoPayStore();
  const scripts = new ScriptQueue();
  const clock = new SandboxClock(options.now);
  const delays = new SandboxDelays();
  const ids = new KakaoPayIds(options.randomHex);
  const service = new KakaoPayPaymentService(options, store, clock, ids);
  const runner = new KakaoPayOperationRunner(service, store, scripts, delays);

  app.register(formbody);
  app.register(async (scope) => {
    registerWireRoutes(scope, { options, runner, delays });
    registerHostedPageRoutes(scope, { options, store, service, clock });
    registerControlRoutes(scope, { store, scripts, clock, service });
    registerLedgerRoute(scope, store);
    registerSettlementRoute(scope, store);
  });

  // Pending latency/script delays end at once so close() does not wait for them.
  app.addHook('preClose', async () => delays.releaseAll());

  // Errors raised before a handler runs (bad JSON, unsupported content type, body too large).
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const generation = generationOfPath(request.url);
    if (generation) {
      const kakaoError = error instanceof KakaoPayError ? error : invalidParam(error.message);
      return sendJson(reply, 400, errorBody(generation, kakaoError));
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (request.url.startsWith('/mockup/') || request.url.startsWith('/pay/')) {
      return reply
        .code(status)
        .header('content-type', 'text/html; charset=utf-8')
        .send(renderMessagePage('요청을 처리할 수 없습니다', '잘못된 요청입니다.'));
    }
    return reply.code(status).send({ error: error.message });
  });

  app.setNotFoundHandler((request, reply) => {
    const generation = generationOfPath(request.url);
    if (generation) {
      return sendJson(reply, 404, errorBody(generation, new KakaoPayError(-2, 'unknown api path')));
    }
    return reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  return app;
}

/** Options of `startKakaoPaySandbox`: listen address plus the sandbox options. */
export interface StartKakaoPaySandboxOptions extends KakaoPaySandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

export interface RunningKakaoPaySandbox {
  /** Origin the sandbox listens on, e.g. `http://127.0.0.1:8091` (no trailing slash). */
  url: string;
  app: FastifyInstance;
  close: () => Promise<void>;
}

/** Builds the sandbox and listens; resolves once it accepts connections. */
export async function startKakaoPaySandbox(
  startOptions: StartKakaoPaySandboxOptions = {},
): Promise<RunningKakaoPaySandbox> {
  const { port = 0, host = '127.0.0.1', ...options } = startOptions;
  const app = buildKakaoPaySandbox(options);
  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    app,
    close: () => app.close(),
  };
}
