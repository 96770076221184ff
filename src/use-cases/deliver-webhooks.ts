import { Webhook } from 'standardwebhooks';
import type { Clock, IdGenerator } from '../domain/ports.ts';
import { engineWebhookBody, isDelivered, nextWebhookAttemptAt } from '../domain/engine/webhook-delivery.ts';
import type { ClaimedDelivery, WebhookSender, WebhookStore } from '../domain/engine/webhook-store.ts';
import type { Logger } from './context.ts';

export interface WebhookDeliveryDeps {
  webhooks: WebhookStore;
  sender: WebhookSender;
  ids: IdGenerator;
  logger: Logger;
  /** Real time for `webhook-timestamp`: receivers check it against their own clock (5 min tolerance). */
  wallClock: Clock;
  /** Monotonic ms for attempt durations. */
  stopwatch: () => number;
  settings: { leaseMs: number; batchSize: number };
}

export interface DeliverWebhooksResult {
  fannedOut: number;
  claimed: number;
  succeeded: number;
  failed: number;
  gaveUp: number;
}

/** The Standard Webhooks headers for one message; signed with every current secret (rotation overlap). */
export function signWebhook(secrets: string[], msgId: string, at: Date, body: string): Record<string, string> {
  const signature = secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(' ');
  return { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

/**
 * Task: fans new engine events out to the endpoints, then claims up to `batchSize` due deliveries
 * (leased, in order per user per endpoint), POSTs them side by side outside any transaction, and
 * logs each attempt. `webhook-id` is the event id, so a retry or a redelivery after a lost lease
 * carries the same id. Failures retry on the schedule in domain/engine/webhook-delivery.ts.
 */
export async function deliverWebhooks(deps: WebhookDeliveryDeps, now: Date, limit = deps.settings.batchSize): Promise<DeliverWebhooksResult> {
  const result: DeliverWebhooksResult = { fannedOut: 0, claimed: 0, succeeded: 0, failed: 0, gaveUp: 0 };
  for (;;) {
    const n = await deps.webhooks.fanOut(now, 500);
    result.fannedOut += n;
    if (n < 500) break;
  }
  const leaseToken = deps.ids.next('lease');
  const claimed = await deps.webhooks.claimDue(now, limit, new Date(now.getTime() + deps.settings.leaseMs), leaseToken);
  result.claimed = claimed.length;
  // Sent side by side; the outcomes of the whole batch are recorded in one transaction (the lease,
  // longer than the send timeout, covers the wait for the slowest).
  const outcomes = await Promise.all(claimed.map((d) => sendOne(deps, d, now)));
  const settled = await deps.webhooks.recordAttempts(outcomes);
  for (const o of outcomes) {
    const d = o.delivery;
    if (!settled.has(d.id)) {
      deps.logger.warn({ delivery_id: d.id }, 'webhook delivery lease lost before the outcome was recorded');
      continue;
    }
    if (o.status === 'succeeded') result.succeeded++;
    else if (o.status === 'failed') {
      result.gaveUp++;
      deps.logger.error({ delivery_id: d.id, endpoint_id: d.endpointId, event_id: d.eventId, err: o.attempt.error }, 'webhook delivery given up');
    } else result.failed++;
  }
  return result;
}

async function sendOne(deps: WebhookDeliveryDeps, d: ClaimedDelivery, now: Date) {
  const body = JSON.stringify(engineWebhookBody({ id: d.eventId, userId: d.userId, seq: d.seq, type: d.eventType, payload: d.payload, occurredAt: d.occurredAt }));
  const headers = signWebhook(d.secrets, d.eventId, deps.wallClock.now(), body);
  const started = deps.stopwatch();
  const sent = await deps.sender.send(d.url, headers, body);
  const durationMs = Math.max(0, Math.round(deps.stopwatch() - started));
  const ok = sent.statusCode !== null && isDelivered(sent.statusCode);
  let status: 'succeeded' | 'pending' | 'failed' = 'succeeded';
  let nextAttemptAt: Date | null = null;
  if (!ok) {
    nextAttemptAt = nextWebhookAttemptAt(d.attempts, d.firstAttemptAt ?? now, now);
    status = nextAttemptAt ? 'pending' : 'failed';
  }
  const attempt = { deliveryId: d.id, attempt: d.attempts, attemptedAt: now, statusCode: sent.statusCode, durationMs, error: sent.error };
  return { delivery: d, attempt, leaseToken: d.leaseToken, status, nextAttemptAt };
}
