import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { TimelineCursor, TimelineEntry, TimelineSource } from '../../domain/console-store.ts';

/**
 * The per-user timeline (issue 14.3) is a list of sources, each one query over its own table:
 * `rows` returns the user's newest `limit` entries strictly before the cursor, `count` all of
 * them. KyselyConsoleRepository.timeline merges the sources in time order. To add a source
 * (the admin audit log, consents), add its name to TIMELINE_SOURCES in domain/console-store.ts
 * and one entry here.
 *
 * Order: newest first by the instant (truncated to milliseconds, what a JS Date holds) and then by
 * `source:id` in byte order (COLLATE "C", the order JavaScript compares strings in).
 */
export interface TimelineQuery {
  rows(db: Kysely<any>, userId: string, before: TimelineCursor | undefined, limit: number): Promise<TimelineEntry[]>;
  count(db: Kysely<any>, userId: string): Promise<number>;
}

const ts = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : ts(v).toISOString());
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = (v: unknown): unknown => (typeof v === 'string' ? safeParse(v) : v ?? null);
function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** `at` and `id` are SQL expressions of the source's table; the key is `<source>:<id>`. */
function page(source: TimelineSource, at: RawBuilder<unknown>, id: RawBuilder<unknown>, before: TimelineCursor | undefined, limit: number) {
  const atMs = sql`date_trunc('milliseconds', ${at})`;
  const key = sql`(${source} || ':' || ${id}::text) COLLATE "C"`;
  const where = before ? sql`AND (${atMs} < ${before.at}::timestamptz OR (${atMs} = ${before.at}::timestamptz AND ${key} < ${before.key}))` : sql``;
  return { where, order: sql`ORDER BY ${atMs} DESC, ${key} DESC LIMIT ${limit}` };
}

async function countOf(db: Kysely<any>, query: RawBuilder<{ n: number | string }>): Promise<number> {
  const { rows } = await query.execute(db);
  return Number(rows[0]?.n ?? 0);
}

export const TIMELINE_QUERIES: Record<TimelineSource, TimelineQuery> = {
  payment: {
    async rows(db, userId, before, limit) {
      const p = page('payment', sql`p.created_at`, sql`p.id`, before, limit);
      const { rows } = await sql<any>`SELECT p.* FROM payments p WHERE p.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'payment',
        id: r.id,
        at: ts(r.created_at),
        type: r.kind,
        status: r.status,
        amountKrw: Number(r.amount_krw),
        detail: {
          provider: r.provider,
          plan_id: r.plan_id,
          provider_ref: r.provider_ref ?? r.checkout_ref ?? null,
          refunded_krw: Number(r.refunded_krw),
          approved_at: isoOrNull(r.approved_at),
          period_start: isoOrNull(r.period_start),
          period_end: isoOrNull(r.period_end),
          failure_code: r.failure_code,
        },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM payments WHERE user_id = ${userId}`),
  },
  refund: {
    async rows(db, userId, before, limit) {
      const p = page('refund', sql`r.created_at`, sql`r.id`, before, limit);
      const { rows } = await sql<any>`SELECT r.*, pay.provider FROM refunds r JOIN payments pay ON pay.id = r.payment_id
        WHERE pay.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'refund',
        id: r.id,
        at: ts(r.created_at),
        type: r.kind,
        status: r.status,
        amountKrw: Number(r.amount_krw),
        detail: { payment_id: r.payment_id, provider: r.provider, reason: r.reason, requested_by: r.requested_by, settled_at: isoOrNull(r.settled_at), failure_code: r.failure_code },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.user_id = ${userId}`),
  },
  // Subscription status changes and plan changes (plan_upgraded, downgrade_scheduled, …).
  subscription_event: {
    async rows(db, userId, before, limit) {
      const p = page('subscription_event', sql`e.created_at`, sql`e.id`, before, limit);
      const { rows } = await sql<any>`SELECT e.*, s.plan_id FROM subscription_events e JOIN subscriptions s ON s.id = e.subscription_id
        WHERE s.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'subscription_event',
        id: String(r.id),
        at: ts(r.created_at),
        type: r.type,
        status: r.to_status,
        amountKrw: null,
        detail: { subscription_id: r.subscription_id, from_status: r.from_status, to_status: r.to_status, data: json(r.data) },
      }));
    },
    count: (db, userId) =>
      countOf(db, sql`SELECT count(*) AS n FROM subscription_events e JOIN subscriptions s ON s.id = e.subscription_id WHERE s.user_id = ${userId}`),
  },
  notice: {
    async rows(db, userId, before, limit) {
      const p = page('notice', sql`n.created_at`, sql`n.id`, before, limit);
      const { rows } = await sql<any>`SELECT n.id, n.kind, n.subject, n.status, n.channel, n.recipient, n.attempts, n.sent_at, n.created_at
        FROM notices n WHERE n.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'notice',
        id: r.id,
        at: ts(r.created_at),
        type: r.kind,
        status: r.status,
        amountKrw: null,
        detail: { subject: r.subject, channel: r.channel, recipient: r.recipient, attempts: Number(r.attempts), sent_at: isoOrNull(r.sent_at) },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM notices WHERE user_id = ${userId}`),
  },
  webhook_delivery: {
    async rows(db, userId, before, limit) {
      const p = page('webhook_delivery', sql`d.created_at`, sql`d.id`, before, limit);
      const { rows } = await sql<any>`SELECT d.id, d.endpoint_id, d.event_id, d.status, d.attempts, d.last_status_code, d.succeeded_at, d.created_at, e.type
        FROM webhook_deliveries d JOIN engine_events e ON e.id = d.event_id WHERE d.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'webhook_delivery',
        id: r.id,
        at: ts(r.created_at),
        type: r.type,
        status: r.status,
        amountKrw: null,
        detail: {
          endpoint_id: r.endpoint_id,
          event_id: r.event_id,
          attempts: Number(r.attempts),
          last_status_code: numOrNull(r.last_status_code),
          succeeded_at: isoOrNull(r.succeeded_at),
        },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM webhook_deliveries WHERE user_id = ${userId}`),
  },
  usage: {
    async rows(db, userId, before, limit) {
      const p = page('usage', sql`u.occurred_at`, sql`u.id`, before, limit);
      const { rows } = await sql<any>`SELECT u.* FROM usage_events u WHERE u.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'usage',
        id: String(r.id),
        at: ts(r.occurred_at),
        type: r.feature,
        status: null,
        amountKrw: null,
        detail: { recorded_by: r.recorded_by },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM usage_events WHERE user_id = ${userId}`),
  },
  consent: {
    async rows(db, userId, before, limit) {
      const p = page('consent', sql`c.agreed_at`, sql`c.id`, before, limit);
      const { rows } = await sql<any>`SELECT c.* FROM consents c WHERE c.user_id = ${userId} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'consent',
        id: r.id,
        at: ts(r.agreed_at),
        type: r.document,
        status: null,
        amountKrw: null,
        detail: { version: r.version, payment_id: r.payment_id ?? null },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM consents WHERE user_id = ${userId}`),
  },
  // Staff actions about the user: on the user, or on a subscription/payment whose snapshot names them.
  admin_action: {
    async rows(db, userId, before, limit) {
      const p = page('admin_action', sql`a.created_at`, sql`a.id`, before, limit);
      const { rows } = await sql<any>`SELECT a.* FROM admin_audit_log a WHERE ${aboutUser(userId)} ${p.where} ${p.order}`.execute(db);
      return rows.map((r) => ({
        source: 'admin_action',
        id: r.id,
        at: ts(r.created_at),
        type: r.action,
        status: null,
        amountKrw: null,
        detail: { actor_user_id: r.actor_user_id, reason: r.reason ?? null, target_type: r.target_type, target_id: r.target_id },
      }));
    },
    count: (db, userId) => countOf(db, sql`SELECT count(*) AS n FROM admin_audit_log a WHERE ${aboutUser(userId)}`),
  },
};

function aboutUser(userId: string) {
  return sql`((a.target_type = 'user' AND a.target_id = ${userId}) OR a.after ->> 'user_id' = ${userId} OR a.before ->> 'user_id' = ${userId})`;
}

/** Entries' order in the timeline: newest first, then `source:id` descending (byte order). */
export function timelineKey(e: Pick<TimelineEntry, 'source' | 'id'>): string {
  return `${e.source}:${e.id}`;
}

export function compareTimeline(a: TimelineEntry, b: TimelineEntry): number {
  const d = b.at.getTime() - a.at.getTime();
  if (d !== 0) return d;
  const ka = timelineKey(a);
  const kb = timelineKey(b);
  return ka < kb ? 1 : ka > kb ? -1 : 0;
}
