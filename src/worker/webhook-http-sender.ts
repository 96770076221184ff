import { Agent, request } from 'undici';
import type { WebhookSender, WebhookSendResult } from '../domain/engine/webhook-store.ts';

export type { WebhookSender, WebhookSendResult } from '../domain/engine/webhook-store.ts';

/**
 * Outbound webhook HTTP over undici: one keep-alive agent, a whole-request timeout, no redirects
 * (a 3xx answer is a failed attempt: the message goes only to the configured URL), and at most
 * 4 KiB of the answer read for the log.
 */
export class UndiciWebhookSender implements WebhookSender {
  private readonly agent: Agent;
  constructor(private readonly timeoutMs: number) {
    this.agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 10_000 });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<WebhookSendResult> {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ShowMeTheStock-Billing-Webhooks/1', ...headers },
        body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      let text = '';
      for await (const chunk of res.body) {
        if (text.length < 4096) text += Buffer.from(chunk).toString('utf8');
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return { statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}` };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { statusCode: null, error: `${e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : (e.code ?? e.name)}: ${e.message}`.slice(0, 500) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
