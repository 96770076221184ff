/**
 * Partner API routes `/{partnerId}/naverpay/payments/...` (spec §2, §3, §6.1–6.3): auth headers,
 * body encodings, idempotent replay, latency, then the operation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sleep } from './naverpay-clock.ts';
import type { Fields } from './naverpay-checkout-input.ts';
import {
  failure,
  IDEMPOTENCY_HEADER,
  JSON_CONTENT_TYPE,
  type Envelope,
  type WireResult,
} from './naverpay-envelope.ts';
import { IdempotencyStore } from './naverpay-idempotency-store.ts';
import {
  approveOperation,
  cancelOperation,
  historyOperation,
  reserveOperation,
} from './naverpay-payment-operations.ts';
import {
  expireOperation,
  payApprovalOperation,
  payReserveOperation,
  recurrentListOperation,
  registApprovalOperation,
  registReserveOperation,
} from './naverpay-recurrent-operations.ts';
import type { SandboxState, WireContext } from './naverpay-sandbox-state.ts';

type Encoding = 'json' | 'form';

interface WireRoute {
  paths: string[];
  methods: Array<'GET' | 'POST'>;
  encoding: Encoding;
  run: (ctx: WireContext, fields: Fields, params: Record<string, string>) => Promise<WireResult>;
}

const PREFIX = '/:partnerId/naverpay/payments';

const ROUTES: WireRoute[] = [
  { paths: ['v2/reserve'], methods: ['POST'], encoding: 'json', run: reserveOperation },
  {
    paths: ['v2.2/apply/payment', 'v2/apply/payment'],
    methods: ['POST'],
    encoding: 'form',
    run: approveOperation,
  },
  { paths: ['v1/cancel'], methods: ['POST'], encoding: 'form', run: cancelOperation },
  {
    paths: ['v2.2/list/history', 'v2.3/list/history'],
    methods: ['GET', 'POST'],
    encoding: 'json',
    run: (ctx, fields) => historyOperation(ctx, fields),
  },
  {
    paths: ['v2.2/list/history/:paymentId', 'v2.3/list/history/:paymentId'],
    methods: ['GET', 'POST'],
    encoding: 'json',
    run: (ctx, fields, params) => historyOperation(ctx, fields, params.paymentId),
  },
  { paths: ['recurrent/regist/v1/reserve'], methods: ['POST'], encoding: 'form', run: registReserveOperation },
  { paths: ['recurrent/regist/v1/approval'], methods: ['POST'], encoding: 'form', run: registApprovalOperation },
  { paths: ['recurrent/pay/v3/reserve'], methods: ['POST'], encoding: 'form', run: payReserveOperation },
  { paths: ['recurrent/pay/v3/approval'], methods: ['POST'], encoding: 'form', run: payApprovalOperation },
  { paths: ['recurrent/expire/v1/request'], methods: ['POST'], encoding: 'form', run: expireOperation },
  { paths: ['recurrent/v1/list', 'recurrent/list'], methods: ['POST'], encoding: 'json', run: recurrentListOperation },
];

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function queryFields(url: string): Fields {
  const at = url.indexOf('?');
  return at < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(at + 1)));
}

/**
 * Form endpoints: query string merged with the urlencoded body (body wins) [I]; a JSON body is
 * ignored so the client bug surfaces as `RequireParameter`. JSON endpoints: the JSON object
 * (plus the query string on GET).
 */
function requestFields(request: FastifyRequest, encoding: Encoding): Fields {
  const contentType = request.headers['content-type'] ?? '';
  if (encoding === 'form') {
    const query = queryFields(request.url);
    if (contentType.startsWith('application/x-www-form-urlencoded') && isPlainObject(request.body)) {
      return { ...query, ...request.body };
    }
    return query;
  }
  const body = contentType.includes('json') && isPlainObject(request.body) ? request.body : {};
  return request.method === 'GET' ? { ...queryFields(request.url), ...body } : body;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(body);
}

function envelopeJson(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

export function registerWireRoutes(app: FastifyInstance, state: SandboxState): void {
  const options = state.options;

  /** One-time routes take the one-time chain id, recurrent routes the recurrent one; cancel and history either. */
  function chainFits(route: WireRoute, chainId: string): boolean {
    if (!options.chainIds.has(chainId)) return false;
    if (!options.chainPerProduct) return true;
    const path = route.paths[0]!;
    if (path.startsWith('recurrent/')) return chainId === options.recurrentChainId;
    if (path === 'v2/reserve' || path.startsWith('v2.2/apply')) return chainId === options.onetimeChainId;
    return true;
  }

  async function handle(route: WireRoute, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const params = request.params as Record<string, string>;
    const partnerId = params.partnerId!;
    const headers = request.headers;
    let latencySpent = false;
    const spendLatency = async () => {
      if (latencySpent) return;
      latencySpent = true;
      await sleep(options.latencyMs);
    };

    if (
      firstHeader(headers['x-naver-client-id']) !== options.clientId ||
      firstHeader(headers['x-naver-client-secret']) !== options.clientSecret
    ) {
      await spendLatency();
      return send(reply, 401, envelopeJson({ code: 'Unauthorized', message: 'invalid client id or secret', body: null }));
    }
    const chainId = firstHeader(headers['x-naverpay-chain-id']);
    if (chainId === undefined && options.requireChainId) {
      await spendLatency();
      return send(reply, 401, envelopeJson({ code: 'Unauthorized', message: 'X-NaverPay-Chain-Id is required', body: null }));
    }
    if (!options.partnerIds.has(partnerId) || (chainId !== undefined && !chainFits(route, chainId))) {
      await spendLatency();
      return send(reply, 200, envelopeJson(failure('InvalidMerchant', '유효하지 않은 가맹점입니다.').envelope));
    }

    const key = firstHeader(headers[IDEMPOTENCY_HEADER]);
    let scope: string | undefined;
    if (key !== undefined) {
      if (key.length === 0 || key.length > 64) {
        await spendLatency();
        return send(reply, 400, envelopeJson(failure('InvalidParameter', 'X-NaverPay-Idempotency-Key must be 1-64 characters').envelope));
      }
      scope = IdempotencyStore.scope(options.clientId, partnerId, key);
      const stored = state.idempotency.get(scope, state.now());
      if (stored?.state === 'done') {
        state.store.stats.increment('idempotent_replay');
        await spendLatency();
        return send(reply, 409, stored.body);
      }
      if (stored?.state === 'in_flight') {
        await spendLatency();
        return send(reply, 200, envelopeJson(failure('AlreadyOnGoing', '같은 멱등키의 요청이 처리 중입니다.').envelope));
      }
      state.idempotency.begin(scope, state.now());
    }

    const ctx: WireContext = { state, partnerId, spendLatency };
    let result: WireResult;
    try {
      result = await route.run(ctx, requestFields(request, route.encoding), params);
    } catch (error) {
      if (scope) state.idempotency.abandon(scope);
      throw error;
    }
    const body = envelopeJson(result.envelope);
    if (scope) {
      if (result.storable !== false && result.status < 500) state.idempotency.complete(scope, state.now(), result.status, body);
      else state.idempotency.abandon(scope);
    }
    if (result.afterDelayMs) await sleep(result.afterDelayMs);
    await spendLatency();
    const out = result.responseOverride;
    return out ? send(reply, out.status, envelopeJson(out.envelope)) : send(reply, result.status, body);
  }

  for (const route of ROUTES) {
    for (const path of route.paths) {
      app.route({
        method: route.methods,
        url: `${PREFIX}/${path}`,
        handler: (request, reply) => handle(route, request, reply),
      });
    }
  }
}
