import { sql, type Kysely } from 'kysely';
import { Agent, request } from 'undici';

/**
 * Seeding for renewal runs (bench and the multi-process test): billing keys registered at the
 * KakaoPay sandbox over its wire API (a 0-won subscription-CID checkout each), then users and
 * due subscriptions written in bulk with SQL `generate_series`.
 */

const SECRET = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';
const agent = new Agent({ connections: 512, pipelining: 1, keepAliveTimeout: 30_000 });

async function post(url: string, body: unknown, auth = true): Promise<any> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: SECRET } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.body.json()) as any;
  if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}

/** Registers one SID per user id at the KakaoPay sandbox; returns them in the same order. */
export async function registerKakaoPaySids(baseUrl: string, userIds: readonly string[], concurrency = 256): Promise<string[]> {
  const sids = new Array<string>(userIds.length);
  let next = 0;
  async function lane() {
    for (;;) {
      const i = next++;
      if (i >= userIds.length) return;
      const userId = userIds[i];
      const ready = await post(`${baseUrl}/online/v1/payment/ready`, {
        cid: 'TCSUBSCRIP',
        partner_order_id: `seed-${userId}`,
        partner_user_id: userId,
        item_name: 'ShowMeTheStock 자동결제 등록',
        quantity: 1,
        total_amount: 0,
        tax_free_amount: 0,
        vat_amount: 0,
        approval_url: 'http://127.0.0.1:1/ok',
        cancel_url: 'http://127.0.0.1:1/cancel',
        fail_url: 'http://127.0.0.1:1/fail',
      });
      const auth = await post(`${baseUrl}/__sandbox/tids/${ready.tid}/authorize`, { action: 'approve', method: 'CARD' }, false);
      const approved = await post(`${baseUrl}/online/v1/payment/approve`, {
        cid: 'TCSUBSCRIP',
        tid: ready.tid,
        partner_order_id: `seed-${userId}`,
        partner_user_id: userId,
        pg_token: auth.pg_token,
        total_amount: 0,
      });
      sids[i] = approved.sid;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, userIds.length) }, lane));
  return sids;
}

export const seedUserId = (prefix: string, i: number) => `usr_${prefix}${i}`;

export interface SeedOptions {
  prefix: string;
  count: number;
  /** Billing keys by position (1-based i → sids[i - 1]); null: a placeholder key. */
  sids: readonly string[] | null;
  planId: string;
  priceKrw: number;
  periodMs: number;
  /** End of the current period (= the renewal's start). */
  periodEnd: Date;
  /** When the worker must look next (due: ≤ now). */
  nextRenewalAt: Date;
  /**
   * Also write each next period's cycle with its notice already sent (as the worker does a
   * week before the charge), so that a run measures the charge step alone.
   */
  withCycles?: boolean;
  noticeLeadMs?: number;
}

/** Users and active, auto-renewing KakaoPay subscriptions, `count` of each, in chunks. */
export async function seedSubscriptions(db: Kysely<any>, o: SeedOptions): Promise<void> {
  const chunk = 100_000;
  const start = new Date(o.periodEnd.getTime() - o.periodMs);
  for (let from = 1; from <= o.count; from += chunk) {
    const to = Math.min(o.count, from + chunk - 1);
    const keys = o.sids ? o.sids.slice(from - 1, to) : null;
    await sql`INSERT INTO users (id, email, password_hash, role, external_subject, created_at)
      SELECT 'usr_' || ${o.prefix}::text || i, NULL, NULL, 'user', NULL, ${start}::timestamptz
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(db);
    await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew,
        current_period_start, current_period_end, created_at, updated_at, next_renewal_at, agreed_price_krw)
      SELECT 'sub_' || ${o.prefix}::text || i, 'usr_' || ${o.prefix}::text || i, ${o.planId}::text, 'active', 'kakaopay',
        ${keys ? sql`(${keys}::text[])[i - ${from}::int + 1]` : sql`'seed-key-' || i`}, true,
        ${start}::timestamptz, ${o.periodEnd}::timestamptz, ${start}::timestamptz, ${start}::timestamptz,
        ${o.nextRenewalAt}::timestamptz, ${o.priceKrw}::bigint
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(db);
    if (o.withCycles) {
      await sql`INSERT INTO billing_cycles (id, subscription_id, plan_id, period_start, period_end, amount_krw, status,
          attempt_count, next_attempt_at, notice_sent_at, created_at, updated_at)
        SELECT 'cyc_' || ${o.prefix}::text || i, 'sub_' || ${o.prefix}::text || i, ${o.planId}::text, ${o.periodEnd}::timestamptz,
          ${new Date(o.periodEnd.getTime() + o.periodMs)}::timestamptz, ${o.priceKrw}::bigint, 'scheduled', 0,
          ${o.periodEnd}::timestamptz, ${new Date(o.periodEnd.getTime() - (o.noticeLeadMs ?? 7 * 86_400_000))}::timestamptz,
          ${start}::timestamptz, ${start}::timestamptz
        FROM generate_series(${from}::int, ${to}::int) AS i`.execute(db);
    }
  }
  await sql`ANALYZE subscriptions`.execute(db);
}
