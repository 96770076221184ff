import type { WebhookDeliveryStatus } from './webhook-delivery.ts';

/** A configured receiver of the engine events. `secret` is the `whsec_…` signing secret. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  userId: string;
  seq: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** null: parked, its endpoint disabled (due when it is enabled). */
  nextAttemptAt: Date | null;
  firstAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  succeededAt: Date | null;
  createdAt: Date;
  eventType: string;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery extends WebhookDelivery {
  leaseToken: string;
  url: string;
  secrets: string[];
  payload: Record<string, unknown>;
  occurredAt: Date;
}

export interface WebhookAttempt {
  deliveryId: string;
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface DeliveryFilter {
  userId?: string;
  endpointId?: string;
  status?: WebhookDeliveryStatus;
  eventId?: string;
  limit: number;
}

/** What one POST to an endpoint came to. `statusCode` null: no answer (refused, timeout, reset). */
export interface WebhookSendResult {
  statusCode: number | null;
  error: string | null;
}

export interface WebhookSender {
  /** POSTs `body` to `url` with `headers`; never throws. Redirects are not followed. */
  send(url: string, headers: Record<string, string>, body: string): Promise<WebhookSendResult>;
  close(): Promise<void>;
}


/**
 * Storage of webhook endpoints, deliveries and their attempt log, as the webhook use cases see it
 * (implemented by storage/repositories/webhook-repository.ts).
 */
export interface WebhookStore {
  insertEndpoint(e: { id: string; url: string; description: string | null; secret: string; now: Date }): Promise<WebhookEndpoint>;
  listEndpoints(): Promise<WebhookEndpoint[]>;
  getEndpoint(id: string): Promise<WebhookEndpoint | null>;
  setDisabled(id: string, disabledAt: Date | null, now: Date): Promise<WebhookEndpoint | null>;
  rotateSecret(id: string, secret: string, overlapUntil: Date, now: Date): Promise<WebhookEndpoint | null>;
  /** Turns new engine events into one delivery per endpoint; returns how many events it took. */
  fanOut(now: Date, limit: number): Promise<number>;
  /** Claims due deliveries (one user's events in seq order per endpoint) under a lease. */
  claimDue(now: Date, limit: number, leaseUntil: Date, leaseToken: string): Promise<ClaimedDelivery[]>;
  recordAttempt(a: WebhookAttempt, leaseToken: string, outcome: { status: WebhookDeliveryStatus; nextAttemptAt: Date | null }): Promise<boolean>;
  /** Records a batch's outcomes in one transaction; returns the delivery ids whose lease still held. */
  recordAttempts(items: { attempt: WebhookAttempt; leaseToken: string; status: WebhookDeliveryStatus; nextAttemptAt: Date | null }[]): Promise<Set<string>>;
  listDeliveries(f: DeliveryFilter): Promise<WebhookDelivery[]>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  attemptsOf(deliveryIds: string[]): Promise<WebhookAttempt[]>;
  replayDelivery(id: string, now: Date): Promise<WebhookDelivery | null>;
  replayEvent(eventId: string, now: Date): Promise<WebhookDelivery[]>;
  eventExists(eventId: string): Promise<boolean>;
}
