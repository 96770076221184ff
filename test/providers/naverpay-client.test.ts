/**
 * NaverPayClient against a scripted local HTTP server: headers, encodings, 409 replay, retries
 * with the same key, outcome-unknown classification, and no secrets in logs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderConfigError, ProviderRequestError, ProviderUnavailableError } from '../../src/domain/errors.ts';
import { NaverPayClient, type NaverPayClientOptions } from '../../src/providers/naverpay/naverpay-client.ts';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let handlers: Handler[] = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}

const success = (body: unknown) => ({ code: 'Success', message: '성공', body });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entry = { url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      const handler = handlers.shift() ?? ((_s, r) => json(r, 200, success({ ok: true })));
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  handlers = [];
});

function client(overrides: Partial<NaverPayClientOptions> = {}) {
  return new NaverPayClient({
    baseUrl: `${baseUrl}/`,
    partnerId: 'naverpay-partner',
    clientId: 'cid',
    clientSecret: 'top-secret',
    chainId: 'chain-onetime',
    recurrentChainId: 'chain-recurrent',
    timeoutMs: 500,
    approveTimeoutMs: 500,
    maxRetries: 2,
    retryBackoffMs: 10,
    ...overrides,
  });
}

describe('NaverPayClient', () => {
  it('sends auth headers, the chain id per contract, and form bodies with encoded ids', async () => {
    const response = await client().post({
      path: 'recurrent/pay/v3/approval',
      fields: { recurrentId: 'a+b/c==', paymentId: '20240101NP0000000001', skipped: undefined },
      chain: 'recurrent',
      idempotencyKey: 'key_1',
    });
    expect(response).toMatchObject({ httpStatus: 200, replayed: false, envelope: { code: 'Success' } });
    const [request] = seen;
    expect(request!.url).toBe('/naverpay-partner/naverpay/payments/recurrent/pay/v3/approval');
    expect(request!.headers).toMatchObject({
      'x-naver-client-id': 'cid',
      'x-naver-client-secret': 'top-secret',
      'x-naverpay-chain-id': 'chain-recurrent',
      'x-naverpay-idempotency-key': 'key_1',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(request!.body).toBe('recurrentId=a%2Bb%2Fc%3D%3D&paymentId=20240101NP0000000001');
  });

  it('accepts a redacting secret wrapper and reveals it only into the header', async () => {
    const secret = { reveal: () => 'wrapped-secret', toJSON: () => '[redacted]' };
    await client({ clientSecret: secret }).post({ path: 'v2.2/list/history', fields: { paymentId: 'p1' }, chain: 'onetime' });
    expect(seen[0]!.headers['x-naver-client-secret']).toBe('wrapped-secret');
  });

  it('sends JSON to JSON endpoints and no idempotency key on reads', async () => {
    await client().post({ path: 'v2.2/list/history', fields: { paymentId: 'p1', pageNumber: 1 }, chain: 'onetime' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers['x-naverpay-chain-id']).toBe('chain-onetime');
    expect(seen[0]!.headers['x-naverpay-idempotency-key']).toBeUndefined();
    expect(JSON.parse(seen[0]!.body)).toEqual({ paymentId: 'p1', pageNumber: 1 });
  });

  it('returns business failures (HTTP 200) and 409 replays as envelopes', async () => {
    handlers.push((_s, res) => json(res, 200, { code: 'TimeExpired', message: 'late', body: null }));
    handlers.push((_s, res) => json(res, 409, success({ paymentId: 'p1' })));
    const c = client();
    const failure = await c.post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'k' });
    expect(failure.envelope).toMatchObject({ code: 'TimeExpired', body: null });
    const replay = await c.post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'k' });
    expect(replay).toMatchObject({ httpStatus: 409, replayed: true, envelope: { code: 'Success', body: { paymentId: 'p1' } } });
  });

  it('retries a 500 with the same key and returns the later answer', async () => {
    handlers.push((_s, res) => json(res, 500, { code: 'Fail', message: 'boom', body: null }));
    handlers.push((_s, res) => json(res, 409, success({ paymentId: 'p1' })));
    const response = await client().post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'same' });
    expect(response.replayed).toBe(true);
    expect(seen.map((s) => s.headers['x-naverpay-idempotency-key'])).toEqual(['same', 'same']);
  });

  it('a timeout on a money call, retries exhausted → outcome unknown; each attempt reused the key', async () => {
    for (let i = 0; i < 3; i++) handlers.push(() => undefined); // never answers
    const error = await client({ approveTimeoutMs: 100 })
      .post({ path: 'v1/cancel', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'cancel-1', long: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).outcomeUnknown).toBe(true);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.headers['x-naverpay-idempotency-key']))).toEqual(new Set(['cancel-1']));
  });

  it('503 maintenance after retries → unavailable, outcome known (not processed)', async () => {
    for (let i = 0; i < 3; i++) handlers.push((_s, res) => json(res, 503, { code: 'MaintenanceOngoing', message: '점검', body: null }));
    const error = await client()
      .post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).outcomeUnknown).toBe(false);
    expect((error as ProviderUnavailableError).providerCode).toBe('MaintenanceOngoing');
  });

  it('a read that times out is never outcome-unknown', async () => {
    handlers.push(() => undefined);
    const error = await client({ timeoutMs: 100, maxRetries: 0 })
      .post({ path: 'v2.2/list/history', fields: { paymentId: 'p1' }, chain: 'onetime' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).outcomeUnknown).toBe(false);
  });

  it('a refused connection is not outcome-unknown even for money calls', async () => {
    const error = await client({ baseUrl: 'http://127.0.0.1:1', maxRetries: 1 })
      .post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).outcomeUnknown).toBe(false);
  });

  it('AlreadyOnGoing after our own timed-out attempt is retried until the replay arrives', async () => {
    handlers.push(() => undefined);
    handlers.push((_s, res) => json(res, 200, { code: 'AlreadyOnGoing', message: 'running', body: null }));
    handlers.push((_s, res) => json(res, 409, success({ paymentId: 'p1' })));
    const response = await client({ approveTimeoutMs: 100 }).post({
      path: 'v2.2/apply/payment',
      fields: { paymentId: 'p1' },
      chain: 'onetime',
      idempotencyKey: 'k',
      long: true,
    });
    expect(response.replayed).toBe(true);
  });

  it('401 → config error, 400 → request error, no retry', async () => {
    handlers.push((_s, res) => json(res, 401, { code: 'Unauthorized', message: 'bad secret', body: null }));
    handlers.push((_s, res) => json(res, 400, { code: 'InvalidParameter', message: 'bad', body: null }));
    const c = client();
    await expect(c.post({ path: 'v2/reserve', fields: {}, chain: 'onetime', idempotencyKey: 'k' })).rejects.toBeInstanceOf(ProviderConfigError);
    await expect(c.post({ path: 'v2/reserve', fields: {}, chain: 'onetime', idempotencyKey: 'k2' })).rejects.toBeInstanceOf(ProviderRequestError);
    expect(seen).toHaveLength(2);
  });

  it('rejects idempotency keys NaverPay would refuse', async () => {
    await expect(
      client().post({ path: 'v2/reserve', fields: {}, chain: 'onetime', idempotencyKey: 'has:colon' }),
    ).rejects.toBeInstanceOf(ProviderRequestError);
    expect(seen).toHaveLength(0);
  });

  it('never logs the secret', async () => {
    const lines: string[] = [];
    const logger = { info: (o: object, m?: string) => lines.push(JSON.stringify(o) + m), warn: (o: object, m?: string) => lines.push(JSON.stringify(o) + m) };
    handlers.push((_s, res) => json(res, 500, { code: 'Fail', body: null }));
    await client({ logger }).post({ path: 'v2.2/apply/payment', fields: { paymentId: 'p1' }, chain: 'onetime', idempotencyKey: 'k' });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('\n')).not.toContain('top-secret');
    expect(JSON.stringify(client())).not.toContain('top-secret');
  });
});
