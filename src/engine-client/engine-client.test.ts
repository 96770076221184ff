import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { EngineApiError, EngineClient, verifyWebhook, WebhookSignatureError } from './index.ts';

const SECRET = 'whsec_' + Buffer.from('0123456789abcdef01234567').toString('base64');

describe('verifyWebhook', () => {
  const body = JSON.stringify({ type: 'entitlements.updated', timestamp: '2026-12-01T00:00:00.000Z', data: { user_id: 'usr_1', seq: 3, event_id: 'evt_1', plan: 'pro', limit: null } });
  const sign = (at = new Date()) => ({
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(SECRET).sign('evt_1', at, body),
  });

  it('accepts a message signed by the library, with any header case, and returns the typed event', () => {
    const h = sign();
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    const e = verifyWebhook(body, upper, SECRET);
    expect(e).toMatchObject({ id: 'evt_1', type: 'entitlements.updated', data: { user_id: 'usr_1', seq: 3, plan: 'pro', limit: null } });
    expect(verifyWebhook(Buffer.from(body), new Headers(h), SECRET).id).toBe('evt_1');
  });

  it('refuses a changed body, another secret, a missing signature and an old timestamp', () => {
    const h = sign();
    expect(() => verifyWebhook(body.replace('pro', 'standard'), h, SECRET)).toThrow(WebhookSignatureError);
    expect(() => verifyWebhook(body, h, 'whsec_' + Buffer.from('another-secret-of-24-byt').toString('base64'))).toThrow(WebhookSignatureError);
    expect(() => verifyWebhook(body, { ...h, 'webhook-signature': '' }, SECRET)).toThrow(WebhookSignatureError);
    expect(() => verifyWebhook(body, sign(new Date(Date.now() - 10 * 60_000)), SECRET)).toThrow(WebhookSignatureError);
  });
});

describe('EngineClient', () => {
  let server: Server;
  let base = '';
  const seen: { method: string; url: string; auth: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      seen.push({ method: req.method!, url: req.url!, auth: String(req.headers.authorization), body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1/usage/reservations') {
        const b = JSON.parse(body);
        if (b.amount_krw > 1000) return res.writeHead(409).end(JSON.stringify({ error: { code: 'LIMIT_EXCEEDED', message: '한도 초과', details: { remaining_krw: 1000 } } }));
        return res.writeHead(201).end(JSON.stringify({ reservation_id: 'rsv_1', trade_id: b.trade_id, status: 'reserved', amount_krw: b.amount_krw, remaining_krw: 1000 - b.amount_krw }));
      }
      if (req.url?.startsWith('/api/v1/entitlements/changes')) return res.end(JSON.stringify({ entitlements: [], next_cursor: 'c2' }));
      if (req.url === '/api/v1/entitlements/bulk') return res.end(JSON.stringify({ entitlements: [{ user_id: 'a' }] }));
      res.writeHead(401).end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'no' } }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('sends the API key and the wire names, and maps refusals to typed errors', async () => {
    const c = new EngineClient({ baseUrl: base, apiKey: 'smts_sk_test' });
    const r = await c.reserve({ userId: 'usr_1', tradeId: 't1', amountKrw: 400 });
    expect(r).toMatchObject({ reservation_id: 'rsv_1', remaining_krw: 600 });
    expect(seen.at(-1)).toMatchObject({ auth: 'Bearer smts_sk_test', body: JSON.stringify({ user_id: 'usr_1', trade_id: 't1', amount_krw: 400 }) });
    const err = await c.reserve({ userId: 'usr_1', tradeId: 't2', amountKrw: 5000 }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineApiError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 409, details: { remaining_krw: 1000 }, isRefusal: true });
    expect(await c.changesSince('c1', 10)).toEqual({ entitlements: [], next_cursor: 'c2' });
    expect(seen.at(-1)!.url).toBe('/api/v1/entitlements/changes?cursor=c1&limit=10');
    expect(await c.getEntitlementsBulk(['a'])).toEqual([{ user_id: 'a' }]);
    await expect(c.getEntitlements('usr/x')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(seen.at(-1)!.url).toBe('/api/v1/entitlements/usr%2Fx');
  });

  it('a service that does not answer is NETWORK_ERROR', async () => {
    const c = new EngineClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', timeoutMs: 2_000 });
    await expect(c.getEntitlements('u')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: null });
  });
});
