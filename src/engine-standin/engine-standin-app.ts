import Fastify, { type FastifyInstance } from 'fastify';
import { EngineApiError, EngineClient, verifyWebhook, WebhookSignatureError, type EngineWebhook } from '../engine-client/index.ts';

/**
 * The local stand-in of the trading engine (issue 10 item 5): receives the billing service's
 * webhooks, verifies them with the typed client, keeps the last ones in memory, shows them on a
 * Korean page, and places a reservation + commit through the client from a form. Loopback only;
 * started by `npm start` (dev/local-stack.ts). Never part of a deployment.
 */
export interface EngineStandinOptions {
  port: number;
  host?: string;
  /** The billing service the client talks to. */
  billingUrl: string;
  /** Kept this many webhooks (newest first). */
  keep?: number;
}

export interface ReceivedEngineWebhook {
  receivedAt: string;
  verified: boolean;
  error: string | null;
  webhook: EngineWebhook | null;
  webhookId: string;
}

export interface TradeResult {
  at: string;
  ok: boolean;
  text: string;
}

export interface EngineStandin {
  url: string;
  /** Where webhooks are to be sent. */
  webhookUrl: string;
  received: ReceivedEngineWebhook[];
  trades: TradeResult[];
  /** Sets the signing secrets (read per webhook, so a rotation is picked up) and the API key, once the stack has made them. */
  configure(c: { secrets?: () => Promise<string[]>; apiKey?: string | null }): void;
  close(): Promise<void>;
}

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const won = (n: unknown): string => (typeof n === 'number' ? `${n.toLocaleString('ko-KR')}원` : n === null ? '무제한' : '-');

export async function startEngineStandin(opts: EngineStandinOptions): Promise<EngineStandin> {
  const keep = opts.keep ?? 200;
  const received: ReceivedEngineWebhook[] = [];
  const trades: TradeResult[] = [];
  let secrets: () => Promise<string[]> = async () => [];
  let client: EngineClient | null = null;
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  // Signatures cover the exact bytes: keep the body as received.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.post('/webhooks', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const headers = req.headers as Record<string, string>;
    let entry: ReceivedEngineWebhook;
    let error = 'no secret configured';
    let webhook: EngineWebhook | null = null;
    for (const s of await secrets()) {
      try {
        webhook = verifyWebhook(raw, headers, s);
        break;
      } catch (err) {
        error = err instanceof WebhookSignatureError ? err.message : String(err);
      }
    }
    entry = { receivedAt: new Date().toISOString(), verified: webhook !== null, error: webhook ? null : error, webhook, webhookId: headers['webhook-id'] ?? '' };
    received.unshift(entry);
    if (received.length > keep) received.length = keep;
    if (!webhook) return reply.status(400).send({ error: 'invalid signature' });
    return reply.status(204).send();
  });

  app.get('/api/webhooks', async () => ({ received }));

  app.post('/trade', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const at = new Date().toISOString();
    if (!client) trades.unshift({ at, ok: false, text: 'API 키가 없습니다: 청구 서비스에 엔진용 API 키가 만들어지지 않았습니다.' });
    else {
      const amount = Number(b.amount_krw);
      const tradeId = b.trade_id?.trim() || `trade_${Date.now()}`;
      try {
        const r = await client.reserve({ userId: String(b.user_id ?? '').trim(), tradeId, amountKrw: amount });
        const c = await client.commit(r.reservation_id, amount);
        trades.unshift({ at, ok: true, text: `예약 ${r.reservation_id} → 확정 ${won(c.amount_krw ?? amount)} (남은 한도 ${won(c.remaining_krw ?? r.remaining_krw)})` });
      } catch (err) {
        const text =
          err instanceof EngineApiError
            ? err.code === 'LIMIT_EXCEEDED'
              ? `한도 초과로 거절되었습니다 (${err.message})`
              : err.code === 'AUTO_TRADING_DISABLED'
                ? `자동매매를 쓸 수 없는 사용자입니다 (${err.message})`
                : `${err.code}: ${err.message}`
            : String(err);
        trades.unshift({ at, ok: false, text });
      }
    }
    if (trades.length > 50) trades.length = 50;
    return reply.redirect('/', 303);
  });

  app.get('/', async (_req, reply) => {
    const rows = received
      .map((r) => {
        const d = r.webhook?.data;
        return `<tr><td>${esc(r.receivedAt.replace('T', ' ').slice(0, 19))}</td><td>${r.verified ? '✅ 확인' : `❌ ${esc(r.error)}`}</td>
<td><code>${esc(r.webhookId)}</code></td><td>${esc(r.webhook?.type)}</td><td><code>${esc(d?.user_id)}</code></td><td>${esc(d?.seq)}</td>
<td>${esc(d?.plan)}</td><td>${d ? (d.auto_trading_enabled ? '가능' : '불가') : ''}</td><td>${d ? won(d.limit ?? null) : ''}</td></tr>`;
      })
      .join('\n');
    const tradeRows = trades.map((t) => `<li class="${t.ok ? 'ok' : 'bad'}">${esc(t.at.replace('T', ' ').slice(0, 19))} ${esc(t.text)}</li>`).join('\n');
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>자동매매 엔진 (로컬 대역)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;font-size:.9rem;text-align:left}
.ok{color:#0a6b2d}.bad{color:#b00020}form{margin:1rem 0;padding:1rem;border:1px solid #ddd}label{margin-right:1rem}</style></head><body>
<h1>자동매매 엔진 (로컬 대역)</h1>
<p>청구 서비스가 보낸 웹훅을 받아 서명을 확인하고 보여 줍니다. 새로고침하면 최신 목록이 보입니다. 받은 웹훅 ${received.length}건.</p>
<h2>주문 한도 예약 + 확정</h2>
<form method="post" action="/trade">
<label>사용자 ID <input name="user_id" required size="30"></label>
<label>금액(원) <input name="amount_krw" type="number" min="1" step="1" required value="100000"></label>
<label>거래 ID <input name="trade_id" placeholder="비우면 자동"></label>
<button type="submit">예약 후 확정</button>
<p>API 키: ${client ? '설정됨' : '없음'}</p>
</form>
<ul>${tradeRows}</ul>
<h2>받은 웹훅</h2>
<table><thead><tr><th>받은 시각</th><th>서명</th><th>webhook-id</th><th>종류</th><th>사용자</th><th>순번</th><th>요금제</th><th>자동매매</th><th>월 한도</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9">아직 받은 웹훅이 없습니다.</td></tr>'}</tbody></table>
</body></html>`;
  });

  await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    webhookUrl: `${url}/webhooks`,
    received,
    trades,
    configure(c) {
      if (c.secrets) secrets = c.secrets;
      if (c.apiKey !== undefined) client = c.apiKey ? new EngineClient({ baseUrl: opts.billingUrl, apiKey: c.apiKey }) : null;
    },
    close: () => app.close(),
  };
}
