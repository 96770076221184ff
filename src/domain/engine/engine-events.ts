/**
 * What the trading engine is told (issue 10): every change to a user's entitlements, written
 * to the `engine_events` outbox in the same transaction as the change itself and delivered
 * later, in order per user (`seq`), as signed webhooks.
 */
export const ENGINE_EVENT_TYPES = [
  'subscription.activated',
  'subscription.renewed',
  'subscription.plan_changed',
  'subscription.past_due',
  'subscription.canceled',
  'subscription.expired',
  'payment.refunded',
  'entitlements.updated',
  'usage.threshold_reached',
] as const;

export type EngineEventType = (typeof ENGINE_EVENT_TYPES)[number];

export interface NewEngineEvent {
  /** `evt_…`, from the id source; becomes the webhook's `webhook-id`. */
  id: string;
  userId: string;
  type: EngineEventType;
  /** JSON-serialisable body of the event (amounts in integer KRW). */
  payload: Record<string, unknown>;
  occurredAt: Date;
}

export interface EngineEvent extends NewEngineEvent {
  /** 1, 2, 3 … per user, without gaps: the order the engine must apply them in. */
  seq: number;
  /** Global insertion order (identity); not commit order, see the migration's note. */
  position: number;
  createdAt: Date;
}
