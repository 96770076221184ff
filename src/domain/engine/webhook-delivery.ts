/**
 * Webhook delivery of the engine outbox (issue 10; docs/trading-engine.md "Webhooks (delivery)").
 * Pure rules: the retry schedule and the message body. Storage and HTTP live elsewhere.
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits after the 1st, 2nd, … failed attempt; after the table, every 12 h. */
export const WEBHOOK_RETRY_DELAYS_MS = [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, HOUR, 6 * HOUR] as const;
export const WEBHOOK_RETRY_EVERY_MS = 12 * HOUR;
/** A delivery still failing this long after its first attempt is given up (`failed`). */
export const WEBHOOK_GIVE_UP_AFTER_MS = 3 * 24 * HOUR;

/**
 * When to try again after `attempts` failed attempts (1 = the first one failed), or null when the
 * delivery is given up: the next try would start more than 3 days after the first attempt.
 */
export function nextWebhookAttemptAt(attempts: number, firstAttemptAt: Date, now: Date): Date | null {
  const delay = WEBHOOK_RETRY_DELAYS_MS[attempts - 1] ?? WEBHOOK_RETRY_EVERY_MS;
  const next = new Date(now.getTime() + delay);
  return next.getTime() - firstAttemptAt.getTime() > WEBHOOK_GIVE_UP_AFTER_MS ? null : next;
}

/** The event as it travels: the Standard Webhooks body `{type, timestamp, data}`. */
export interface EngineWebhookBody {
  type: string;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown> & { user_id: string; seq: number; event_id: string };
}

export function engineWebhookBody(e: { id: string; userId: string; seq: number; type: string; payload: Record<string, unknown>; occurredAt: Date }): EngineWebhookBody {
  return {
    type: e.type,
    timestamp: e.occurredAt.toISOString(),
    data: { ...e.payload, user_id: e.userId, seq: e.seq, event_id: e.id },
  };
}

/** A 2xx answer is a delivery; anything else (3xx included: redirects are not followed) is a failure. */
export const isDelivered = (statusCode: number): boolean => statusCode >= 200 && statusCode < 300;
