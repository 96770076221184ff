import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: any;
  /** The status this receiver answered. */
  answered: number;
}

/**
 * A local webhook receiver for tests: records every request and answers what `respond` says
 * (default 204). `respond` may return a status (0: never answer) or [status, headers].
 */
export async function startWebhookReceiver(respond: (r: Omit<ReceivedWebhook, 'answered'>, n: number) => number | [number, Record<string, string>] = () => 204) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    let json: any = null;
    try {
      json = JSON.parse(body);
    } catch {
      /* not JSON */
    }
    const r = { path: req.url ?? '/', headers, body, json };
    const a = respond(r, received.length);
    const [status, extra] = Array.isArray(a) ? a : [a, {}];
    received.push({ ...r, answered: status });
    // 0: no answer at all (the sender waits until it gives up or dies).
    if (status === 0) return;
    res.writeHead(status, extra).end(status >= 400 ? 'nope' : '');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    received,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
