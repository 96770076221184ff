import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhookDeliveryAttemptsTable, WebhookEndpointsTable } from '../schema.ts';
import { parseInt8 } from '../create-db.ts';
import type { WebhookDeliveryStatus } from '../../domain/engine/webhook-delivery.ts';
import type {
  ClaimedDelivery,
  DeliveryFilter,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookStore,
} from '../../domain/engine/webhook-store.ts';

export type { ClaimedDelivery, DeliveryFilter, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../domain/engine/webhook-store.ts';

type EndpointRow = Selectable<WebhookEndpointsTable>;
/** A delivery with its event's type (`SELECT d.*, e.type`). */
type DeliveryRow = Selectable<WebhookDeliveriesTable> & { type: string };
type AttemptRow = Selectable<WebhookDeliveryAttemptsTable>;

const ts = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const tsOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : ts(v));
/** A time that may be PostgreSQL's `infinity` (a parked delivery's next attempt: PARKED): null then. */
const finiteOrNull = (v: unknown): Date | null => {
  const t = tsOrNull(v);
  return t && Number.isFinite(t.getTime()) ? t : null;
};

/**
 * The next attempt of a delivery whose endpoint is disabled: never, until the endpoint is enabled
 * (then: now). No claim reads such a delivery and the idle probe does not count it, however long
 * the endpoint stays off and however many events queue for it.
 */
const PARKED = sql`'infinity'::timestamptz`;
/** `d`'s endpoint is disabled (`d`: an alias of webhook_deliveries). */
const endpointDisabled = (d: string) => sql`EXISTS (SELECT 1 FROM webhook_endpoints off WHERE off.id = ${sql.ref(`${d}.endpoint_id`)} AND off.disabled_at IS NOT NULL)`;

function endpointOf(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description ?? null,
    secret: r.secret,
    previousSecret: r.previous_secret ?? null,
    previousSecretExpiresAt: tsOrNull(r.previous_secret_expires_at),
    disabledAt: tsOrNull(r.disabled_at),
    createdAt: ts(r.created_at),
    updatedAt: ts(r.updated_at),
  };
}

function deliveryOf(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    userId: r.user_id,
    seq: parseInt8(r.seq),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: finiteOrNull(r.next_attempt_at),
    firstAttemptAt: tsOrNull(r.first_attempt_at),
    lastAttemptAt: tsOrNull(r.last_attempt_at),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error ?? null,
    succeededAt: tsOrNull(r.succeeded_at),
    createdAt: ts(r.created_at),
    eventType: r.type,
  };
}

/**
 * Storage of webhook endpoints, deliveries and their attempt log (0012-webhooks). Plain SQL: the
 * claim's ordering rule (one user's events in seq order per endpoint) reads best as SQL.
 */
export class WebhookRepository implements WebhookStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertEndpoint(e: { id: string; url: string; description: string | null; secret: string; now: Date }): Promise<WebhookEndpoint> {
    const { rows } = await sql<EndpointRow>`INSERT INTO webhook_endpoints (id, url, description, secret, created_at, updated_at)
      VALUES (${e.id}, ${e.url}, ${e.description}, ${e.secret}, ${e.now}, ${e.now}) RETURNING *`.execute(this.db);
    return endpointOf(rows[0]);
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    const { rows } = await sql<EndpointRow>`SELECT * FROM webhook_endpoints ORDER BY created_at, id`.execute(this.db);
    return rows.map(endpointOf);
  }

  async getEndpoint(id: string): Promise<WebhookEndpoint | null> {
    const { rows } = await sql<EndpointRow>`SELECT * FROM webhook_endpoints WHERE id = ${id}`.execute(this.db);
    return rows[0] ? endpointOf(rows[0]) : null;
  }

  /**
   * Disables (parks its pending deliveries: PARKED) or enables (they are due now, and its users'
   * backoffs end) the endpoint, in one statement. A delivery in flight is parked when its attempt
   * is recorded (`recordAttempts`).
   */
  async setDisabled(id: string, disabledAt: Date | null, now: Date): Promise<WebhookEndpoint | null> {
    const { rows } = await sql<EndpointRow>`WITH ep AS (
        UPDATE webhook_endpoints SET disabled_at = ${disabledAt}, updated_at = ${now} WHERE id = ${id} RETURNING *
      ), moved AS (
        UPDATE webhook_deliveries d SET next_attempt_at = CASE WHEN ep.disabled_at IS NULL THEN ${now}::timestamptz ELSE ${PARKED} END
        FROM ep
        WHERE d.endpoint_id = ep.id AND d.status = 'pending' AND d.lease_token IS NULL
          AND CASE WHEN ep.disabled_at IS NULL THEN d.next_attempt_at = ${PARKED} ELSE d.next_attempt_at <> ${PARKED} END
      ), resumed AS (
        DELETE FROM webhook_backoffs b USING ep WHERE b.endpoint_id = ep.id AND ep.disabled_at IS NULL
      )
      SELECT * FROM ep`.execute(this.db);
    return rows[0] ? endpointOf(rows[0]) : null;
  }

  /** The new secret signs from now on; the old one keeps signing beside it until `overlapUntil`. */
  async rotateSecret(id: string, secret: string, overlapUntil: Date, now: Date): Promise<WebhookEndpoint | null> {
    const { rows } = await sql<EndpointRow>`UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ${overlapUntil},
      secret = ${secret}, updated_at = ${now} WHERE id = ${id} RETURNING *`.execute(this.db);
    return rows[0] ? endpointOf(rows[0]) : null;
  }

  /**
   * Turns up to `limit` not yet fanned-out events (rows of `engine_event_fanout`, oldest first)
   * into one pending delivery per endpoint (disabled endpoints too: they resume with the backlog
   * when enabled), taking them off the queue. One statement, so the claim never sees an event
   * taken without its deliveries. Returns the number of events taken.
   */
  async fanOut(now: Date, limit: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`WITH q AS (
        DELETE FROM engine_event_fanout
        WHERE position IN (SELECT position FROM engine_event_fanout ORDER BY position LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING event_id
      ), ev AS (
        SELECT e.id, e.user_id, e.seq FROM q JOIN engine_events e ON e.id = q.event_id
      ), ins AS (
        INSERT INTO webhook_deliveries (id, endpoint_id, event_id, user_id, seq, status, attempts, next_attempt_at, created_at)
        SELECT 'whd_' || substr(md5(ep.id || ':' || ev.id), 1, 24), ep.id, ev.id, ev.user_id, ev.seq, 'pending', 0,
          -- Behind a delivery of the same user waiting for its retry: due with it (see recordAttempts).
          CASE WHEN ep.disabled_at IS NULL THEN GREATEST(${now}::timestamptz, bo.until) ELSE ${PARKED} END, ${now}
        FROM ev CROSS JOIN webhook_endpoints ep
        LEFT JOIN webhook_backoffs bo ON bo.endpoint_id = ep.id AND bo.user_id = ev.user_id
        ON CONFLICT (endpoint_id, event_id) DO NOTHING
      )
      SELECT count(*)::int AS n FROM q`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Claims due deliveries `FOR UPDATE SKIP LOCKED` and leases them: `next_attempt_at` moves to
   * `leaseUntil` and `lease_token` marks the holder. A delivery is due only when no earlier event
   * of its user is still pending at the same endpoint (or not yet fanned out): seq n+1 waits for n.
   */
  async claimDue(now: Date, limit: number, leaseUntil: Date, leaseToken: string): Promise<ClaimedDelivery[]> {
    const { rows } = await sql`WITH parked AS (
        -- Due at a disabled endpoint (fanned out while it was being disabled, or a lease that ran
        -- out there): parked now, so that no later claim reads it again.
        UPDATE webhook_deliveries p SET next_attempt_at = ${PARKED}
        FROM webhook_endpoints off
        WHERE off.id = p.endpoint_id AND off.disabled_at IS NOT NULL AND p.status = 'pending' AND p.next_attempt_at <= ${now}
      ), due AS (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_endpoints ep ON ep.id = d.endpoint_id AND ep.disabled_at IS NULL
        WHERE d.status = 'pending' AND d.next_attempt_at <= ${now}
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
            WHERE p.endpoint_id = d.endpoint_id AND p.user_id = d.user_id AND p.status = 'pending' AND p.seq < d.seq)
          AND NOT EXISTS (SELECT 1 FROM engine_event_fanout f WHERE f.user_id = d.user_id AND f.seq < d.seq)
        ORDER BY d.next_attempt_at, d.seq
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_deliveries w SET next_attempt_at = ${leaseUntil}, lease_token = ${leaseToken}, attempts = w.attempts + 1,
          first_attempt_at = COALESCE(w.first_attempt_at, ${now}), last_attempt_at = ${now}
        FROM due WHERE w.id = due.id
        RETURNING w.*
      )
      SELECT c.*, e.type, e.payload, e.occurred_at, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at
      FROM claimed c JOIN engine_events e ON e.id = c.event_id JOIN webhook_endpoints ep ON ep.id = c.endpoint_id`.execute(this.db);
    return rows.map((r: any) => {
      const prevExpires = tsOrNull(r.previous_secret_expires_at);
      const secrets = [r.secret as string];
      if (r.previous_secret && prevExpires && prevExpires > now) secrets.push(r.previous_secret);
      return {
        ...deliveryOf(r),
        leaseToken: r.lease_token,
        url: r.url,
        secrets,
        payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
        occurredAt: ts(r.occurred_at),
      };
    });
  }

  /**
   * Logs an attempt and settles the delivery, if the caller still holds its lease (a dispatcher
   * whose lease ran out and was taken over must not overwrite the newer holder). `next` null with
   * `status: 'pending'` is not allowed: pass the next attempt time.
   */
  async recordAttempt(a: WebhookAttempt, leaseToken: string, outcome: { status: WebhookDeliveryStatus; nextAttemptAt: Date | null }): Promise<boolean> {
    return (await this.recordAttempts([{ attempt: a, leaseToken, ...outcome }])).has(a.deliveryId);
  }

  /**
   * `recordAttempt` for many deliveries in one transaction (one commit for a whole claimed batch).
   * Returns the ids whose outcome was recorded (the others' leases were lost). A delivery that
   * stays pending (its retry scheduled) takes the user's later deliveries at that endpoint to its
   * retry time: they may not be sent before it, and left due they would be read, and passed
   * over, by every claim until then (an outage's whole backlog at each claim). A delivery that
   * leaves pending (delivered, or given up) lets them go at once, also when that happens before
   * the retry time (a replay).
   */
  async recordAttempts(items: { attempt: WebhookAttempt; leaseToken: string; status: WebhookDeliveryStatus; nextAttemptAt: Date | null }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    return this.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO webhook_delivery_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error) VALUES ${sql.join(
        items.map(({ attempt: a }) => sql`(${a.deliveryId}, ${a.attempt}, ${a.attemptedAt}, ${a.statusCode}::int, ${a.durationMs}, ${a.error}::text)`),
      )}`.execute(trx);
      const values = sql.join(
        items.map(
          ({ attempt: a, leaseToken, status, nextAttemptAt }) =>
            sql`(${a.deliveryId}, ${leaseToken}, ${status}, ${nextAttemptAt}::timestamptz, ${a.statusCode}::int, ${a.error}::text, ${status === 'succeeded' ? a.attemptedAt : null}::timestamptz, ${a.attemptedAt}::timestamptz)`,
        ),
      );
      const { rows } = await sql<{ id: string }>`WITH settled AS (
          UPDATE webhook_deliveries d SET status = v.status,
            -- Still pending at an endpoint disabled meanwhile: parked (with the ones behind it, below).
            next_attempt_at = CASE WHEN v.status = 'pending' AND ${endpointDisabled('d')} THEN ${PARKED} ELSE COALESCE(v.next_at, d.next_attempt_at) END,
            lease_token = NULL,
            last_status_code = v.code, last_error = v.err, succeeded_at = v.ok_at
          FROM (VALUES ${values}) AS v(id, token, status, next_at, code, err, ok_at, at)
          WHERE d.id = v.id AND d.lease_token = v.token AND d.status = 'pending'
          RETURNING d.id, d.endpoint_id, d.user_id, d.seq, d.status, d.next_attempt_at, v.at
        ), behind AS (
          -- The user's later deliveries follow: to its retry time, or (delivered or given up) to now
          -- if they were waiting for a later retry (a replay delivered it early).
          UPDATE webhook_deliveries b SET next_attempt_at = r.follow_at
          FROM (SELECT *, CASE WHEN status = 'pending' THEN next_attempt_at ELSE at END AS follow_at FROM settled) r
          WHERE b.endpoint_id = r.endpoint_id AND b.user_id = r.user_id AND b.status = 'pending' AND b.seq > r.seq
            AND b.lease_token IS NULL
            AND CASE WHEN r.status = 'pending' THEN b.next_attempt_at < r.follow_at ELSE b.next_attempt_at > r.follow_at AND b.next_attempt_at <> ${PARKED} END
        ), waiting AS (
          INSERT INTO webhook_backoffs (endpoint_id, user_id, until)
          SELECT endpoint_id, user_id, next_attempt_at FROM settled WHERE status = 'pending'
          ON CONFLICT (endpoint_id, user_id) DO UPDATE SET until = excluded.until
        ), resumed AS (
          DELETE FROM webhook_backoffs w USING settled r
          WHERE r.status <> 'pending' AND w.endpoint_id = r.endpoint_id AND w.user_id = r.user_id
        )
        SELECT id FROM settled`.execute(trx);
      return new Set(rows.map((r) => r.id));
    });
  }

  async listDeliveries(f: DeliveryFilter): Promise<WebhookDelivery[]> {
    const { rows } = await sql<DeliveryRow>`SELECT d.*, e.type FROM webhook_deliveries d JOIN engine_events e ON e.id = d.event_id
      WHERE (${f.userId ?? null}::text IS NULL OR d.user_id = ${f.userId ?? null})
        AND (${f.endpointId ?? null}::text IS NULL OR d.endpoint_id = ${f.endpointId ?? null})
        AND (${f.status ?? null}::text IS NULL OR d.status = ${f.status ?? null})
        AND (${f.eventId ?? null}::text IS NULL OR d.event_id = ${f.eventId ?? null})
      ORDER BY d.created_at DESC, d.seq DESC, d.id LIMIT ${f.limit}`.execute(this.db);
    return rows.map(deliveryOf);
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const { rows } = await sql<DeliveryRow>`SELECT d.*, e.type FROM webhook_deliveries d JOIN engine_events e ON e.id = d.event_id WHERE d.id = ${id}`.execute(this.db);
    return rows[0] ? deliveryOf(rows[0]) : null;
  }

  async attemptsOf(deliveryIds: string[]): Promise<WebhookAttempt[]> {
    if (deliveryIds.length === 0) return [];
    const { rows } = await sql<AttemptRow>`SELECT * FROM webhook_delivery_attempts WHERE delivery_id IN (${sql.join(deliveryIds)}) ORDER BY id`.execute(this.db);
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      attempt: Number(r.attempt),
      attemptedAt: ts(r.attempted_at),
      statusCode: r.status_code === null ? null : Number(r.status_code),
      durationMs: Number(r.duration_ms),
      error: r.error ?? null,
    }));
  }

  /** Makes a delivery pending again, due now (parked if its endpoint is disabled), with a fresh retry schedule (its log stays). */
  async replayDelivery(id: string, now: Date): Promise<WebhookDelivery | null> {
    await sql`UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = CASE WHEN ${endpointDisabled('d')} THEN ${PARKED} ELSE ${now}::timestamptz END,
      lease_token = NULL, first_attempt_at = NULL, succeeded_at = NULL WHERE id = ${id}`.execute(this.db);
    return this.getDelivery(id);
  }

  /** Replays one event to every endpoint: existing deliveries become pending, missing ones are created. */
  async replayEvent(eventId: string, now: Date): Promise<WebhookDelivery[]> {
    await sql`INSERT INTO webhook_deliveries (id, endpoint_id, event_id, user_id, seq, status, attempts, next_attempt_at, created_at)
      SELECT 'whd_' || substr(md5(ep.id || ':' || e.id), 1, 24), ep.id, e.id, e.user_id, e.seq, 'pending', 0,
        CASE WHEN ep.disabled_at IS NULL THEN ${now}::timestamptz ELSE ${PARKED} END, ${now}
      FROM engine_events e CROSS JOIN webhook_endpoints ep WHERE e.id = ${eventId}
      ON CONFLICT (endpoint_id, event_id) DO UPDATE SET status = 'pending', next_attempt_at = excluded.next_attempt_at, lease_token = NULL,
        first_attempt_at = NULL, succeeded_at = NULL`.execute(this.db);
    return this.listDeliveries({ eventId, limit: 100 });
  }

  async eventExists(eventId: string): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM engine_events WHERE id = ${eventId}`.execute(this.db);
    return rows.length > 0;
  }
}
