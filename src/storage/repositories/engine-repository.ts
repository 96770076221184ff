import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { NewEngineEvent } from '../../domain/engine/engine-events.ts';
import type { Database } from '../schema.ts';
import type {
  ApiKeyRecord,
  CommitInput,
  CommitResult,
  EngineStore,
  EntitlementRow,
  ReservationRecord,
  ReserveInput,
  ReserveResult,
  UsageMonth,
} from '../../domain/engine/engine-store.ts';
import { toSubscription } from './billing-repository.ts';
import { appendEngineEvents } from './engine-event-writer.ts';
import { isDatabaseUnavailable } from '../database-errors.ts';
import { WriteBatcher } from './engine-write-batcher.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toKey(r: any): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    scopes: typeof r.scopes === 'string' ? JSON.parse(r.scopes) : r.scopes,
    prefix: r.prefix,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    expiresAt: r.expires_at ? new Date(r.expires_at) : null,
  };
}

/** A jsonb value: an object with PostgreSQL, a string with some drivers. */
const jsonOf = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

/** The usage events a commit may write ([] without a cap): their ids, types and payloads. */
const eventsOf = (x: CommitInput) => x.thresholdEvents.map((e) => ({ id: e.id, type: e.type, payload: e.payload }));

function toReservation(r: any): ReservationRecord {
  return {
    id: r.id,
    userId: r.user_id,
    tradeId: r.trade_id,
    periodStart: new Date(r.period_start),
    amountKrw: Number(r.amount_krw),
    committedKrw: r.committed_krw === null ? null : Number(r.committed_krw),
    status: r.status,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
  };
}

export interface EngineWriteBatching {
  /** Most reservations (or commits) sent as one statement. */
  maxBatch: number;
  /** Batches of each kind in flight at once in this process. */
  maxInFlight: number;
  /** Told about a batch statement that failed (its items then ran one by one, unless the connection was lost). */
  onBatchError?: (err: unknown) => void;
}

const DEFAULT_BATCHING: EngineWriteBatching = { maxBatch: 64, maxInFlight: 1 };

/** Storage of the trading engine's access: API keys, the monthly cap's usage, reservations, entitlement reads. */
export class EngineRepository implements EngineStore {
  /**
   * Concurrent reservations, and concurrent commits, outside a transaction go together as one
   * statement (engine_reserve_many / engine_commit_many, migration 0023; engine-write-batcher.ts).
   */
  private readonly batches?: { reserve: WriteBatcher<ReserveInput, unknown>; commit: WriteBatcher<CommitInput, unknown> };

  constructor(
    private readonly db: Db,
    batching: EngineWriteBatching | false = DEFAULT_BATCHING,
  ) {
    if (db.isTransaction || !batching) return;
    // A lost connection leaves a batch's outcome unknown: its requests fail, none runs again.
    const common = { ...batching, oneByOneAfter: (err: unknown) => !isDatabaseUnavailable(err) };
    this.batches = {
      reserve: new WriteBatcher({ ...common, one: (x) => this.reserveOne(x), many: (xs) => this.reserveMany(xs) }),
      commit: new WriteBatcher({ ...common, one: (x) => this.commitOne(x), many: (xs) => this.commitMany(xs) }),
    };
  }

  async transaction<T>(fn: (repo: EngineStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new EngineRepository(trx)));
  }

  // API keys

  async insertApiKey(k: { id: string; name: string; scopes: string[]; prefix: string; keyHash: string; createdAt: Date }): Promise<ApiKeyRecord> {
    const r = await sql`INSERT INTO api_keys (id, name, scopes, prefix, key_hash, created_at)
      VALUES (${k.id}, ${k.name}, ${JSON.stringify(k.scopes)}::jsonb, ${k.prefix}, ${k.keyHash}, ${k.createdAt}::timestamptz) RETURNING *`.execute(this.db);
    return toKey(r.rows[0]);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const r = await sql`SELECT * FROM api_keys WHERE key_hash = ${keyHash}`.execute(this.db);
    return r.rows[0] ? toKey(r.rows[0]) : undefined;
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const r = await sql`SELECT * FROM api_keys WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? toKey(r.rows[0]) : undefined;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const r = await sql`SELECT * FROM api_keys ORDER BY created_at DESC, id`.execute(this.db);
    return r.rows.map(toKey);
  }

  async revokeApiKey(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const r = await sql`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${at}::timestamptz) WHERE id = ${id} RETURNING *`.execute(this.db);
    return r.rows[0] ? toKey(r.rows[0]) : undefined;
  }

  /** Sets when a rotated key stops working (never later than an expiry it already has). */
  async expireApiKey(id: string, at: Date, replacedBy: string): Promise<void> {
    await sql`UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, ${at}::timestamptz), ${at}::timestamptz), replaced_by = ${replacedBy}
      WHERE id = ${id}`.execute(this.db);
  }

  /** Records a use, at most once a minute per key (reads stay cheap). */
  async touchApiKey(id: string, at: Date): Promise<void> {
    await sql`UPDATE api_keys SET last_used_at = ${at}::timestamptz
      WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < ${new Date(at.getTime() - 60_000)}::timestamptz)`.execute(this.db);
  }

  // Entitlement reads

  /** Users that exist among `userIds`, with their subscription, usage in the period and outbox version. */
  async entitlementRows(userIds: readonly string[], periodStart: Date, now: Date): Promise<EntitlementRow[]> {
    if (userIds.length === 0) return [];
    const r = await sql<any>`SELECT u.id AS uid, to_jsonb(s.*) AS sub, s.xmin::text AS sub_version, COALESCE(um.used_krw, 0) AS used_krw,
        COALESCE(q.last_seq, 0) AS version, rs.reserved_krw, rs.reserved_until
      FROM users u
      CROSS JOIN LATERAL (SELECT COALESCE(SUM(r.amount_krw), 0) AS reserved_krw, MIN(r.expires_at) AS reserved_until FROM usage_reservations r
          WHERE r.user_id = u.id AND r.period_start = ${periodStart}::timestamptz AND r.status = 'reserved' AND r.expires_at > ${now}::timestamptz) rs
      LEFT JOIN subscriptions s ON s.user_id = u.id
      LEFT JOIN usage_months um ON um.user_id = u.id AND um.period_start = ${periodStart}::timestamptz
      LEFT JOIN engine_event_sequences q ON q.user_id = u.id
      WHERE u.id IN (${sql.join(userIds.map((id) => sql`${id}`))})`.execute(this.db);
    return r.rows.map((row) => ({
      userId: row.uid,
      subscription: row.sub ? toSubscription(subscriptionFromJson(row.sub)) : null,
      usedKrw: Number(row.used_krw),
      reservedKrw: Number(row.reserved_krw),
      version: Number(row.version),
      subscriptionVersion: row.sub_version ?? null,
      reservedUntil: row.reserved_until ? new Date(row.reserved_until) : null,
    }));
  }

  /**
   * The change feed's page: users whose events committed after the cursor, in (xid, position)
   * order, only from transactions older than every one still running (see 0011-engine-access).
   */
  async changedUsers(after: { xid: string; position: number }, limit: number): Promise<{ userIds: string[]; last: { xid: string; position: number } | null }> {
    const r = await sql<{ user_id: string; xid: string; position: string }>`SELECT user_id, xid::text AS xid, position FROM engine_events
      WHERE (xid, position) > (${after.xid}::xid8, ${after.position}::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY xid, position LIMIT ${limit}`.execute(this.db);
    const last = r.rows.at(-1);
    return {
      userIds: [...new Set(r.rows.map((x) => x.user_id))],
      last: last ? { xid: last.xid, position: Number(last.position) } : null,
    };
  }

  // Usage and reservations

  /** Locks (creating if needed) the user's usage row of the cap period; every change of usage or reservations takes it first. */
  async lockUsageMonth(userId: string, periodStart: Date): Promise<UsageMonth> {
    const r = await sql<any>`INSERT INTO usage_months (user_id, period_start) VALUES (${userId}, ${periodStart}::timestamptz)
      ON CONFLICT (user_id, period_start) DO UPDATE SET used_krw = usage_months.used_krw
      RETURNING used_krw, threshold_80_at, threshold_100_at`.execute(this.db);
    const row = r.rows[0];
    return { usedKrw: Number(row.used_krw), threshold80At: row.threshold_80_at, threshold100At: row.threshold_100_at };
  }

  async reserve(x: ReserveInput): Promise<ReserveResult> {
    const o = jsonOf(this.batches ? await this.batches.reserve.run(x) : await this.reserveOne(x));
    if (!o.found) return { kind: 'no_user' };
    if (o.stale) return { kind: 'stale' };
    return {
      kind: 'done',
      usedKrw: Number(o.used),
      liveReservedKrw: Number(o.live),
      existing: o.existing ? toReservation(o.existing) : undefined,
      inserted: o.inserted ? toReservation(o.inserted) : undefined,
    };
  }

  /** engine_reserve's answer (jsonb). */
  private async reserveOne(x: ReserveInput): Promise<unknown> {
    const r = await sql<{ r: unknown }>`SELECT engine_reserve(${x.userId}, ${x.tradeId}, ${x.id}, ${x.periodStart}::timestamptz, ${x.amountKrw}::bigint,
      ${x.createdAt}::timestamptz, ${x.expiresAt}::timestamptz, ${x.now}::timestamptz, ${x.subscriptionVersion}::text, ${x.limitKrw}::bigint,
      ${x.allowed}::boolean) AS r`.execute(this.db);
    return r.rows[0]!.r;
  }

  /** engine_reserve's answers (jsonb), one per item, from one statement. */
  private async reserveMany(xs: readonly ReserveInput[]): Promise<unknown[]> {
    const items = xs.map((x) => ({
      user: x.userId,
      trade: x.tradeId,
      id: x.id,
      period: x.periodStart.toISOString(),
      amount: x.amountKrw,
      created: x.createdAt.toISOString(),
      expires: x.expiresAt.toISOString(),
      now: x.now.toISOString(),
      version: x.subscriptionVersion,
      limit: x.limitKrw,
      allowed: x.allowed,
    }));
    return this.many(sql`SELECT engine_reserve_many(${JSON.stringify(items)}::jsonb) AS r`);
  }

  async commit(x: CommitInput): Promise<CommitResult> {
    const o = jsonOf(this.batches ? await this.batches.commit.run(x) : await this.commitOne(x));
    if (!o.found) return { kind: 'no_reservation' };
    if (o.stale) return { kind: 'stale', userId: o.user_id ?? null };
    return { kind: o.committed ? 'committed' : 'unchanged', reservation: toReservation(o.reservation), usedKrw: Number(o.used), liveReservedKrw: Number(o.live) };
  }

  /** engine_commit's answer (jsonb). */
  private async commitOne(x: CommitInput): Promise<unknown> {
    const r = await sql<{ r: unknown }>`SELECT engine_commit(${x.id}, ${x.userId}, ${x.amountKrw}::bigint, ${x.now}::timestamptz,
      ${x.subscriptionVersion}::text, ${x.limitKrw}::bigint, ${JSON.stringify(eventsOf(x))}::jsonb) AS r`.execute(this.db);
    return r.rows[0]!.r;
  }

  /** engine_commit's answers (jsonb), one per item, from one statement. */
  private async commitMany(xs: readonly CommitInput[]): Promise<unknown[]> {
    const items = xs.map((x) => ({
      id: x.id,
      user: x.userId,
      period: x.periodStart.toISOString(),
      amount: x.amountKrw,
      now: x.now.toISOString(),
      version: x.subscriptionVersion,
      limit: x.limitKrw,
      events: eventsOf(x),
    }));
    return this.many(sql`SELECT engine_commit_many(${JSON.stringify(items)}::jsonb) AS r`);
  }

  /** The jsonb array a batch function answers. */
  private async many(statement: RawBuilder<{ r: unknown }>): Promise<unknown[]> {
    const r = await statement.execute(this.db);
    const out = jsonOf(r.rows[0]!.r);
    if (!Array.isArray(out)) throw new Error('a batch answered no array');
    return out;
  }

  async reservationOwner(id: string): Promise<{ userId: string; periodStart: Date } | undefined> {
    const r = await sql<{ user_id: string; period_start: Date }>`SELECT user_id, period_start FROM usage_reservations WHERE id = ${id}`.execute(this.db);
    const row = r.rows[0];
    return row ? { userId: row.user_id, periodStart: new Date(row.period_start) } : undefined;
  }

  async addUsage(userId: string, periodStart: Date, amountKrw: number, thresholds: { t80?: Date; t100?: Date }): Promise<number> {
    const r = await sql<any>`UPDATE usage_months SET used_krw = used_krw + ${amountKrw}::bigint,
        threshold_80_at = COALESCE(threshold_80_at, ${thresholds.t80 ?? null}::timestamptz),
        threshold_100_at = COALESCE(threshold_100_at, ${thresholds.t100 ?? null}::timestamptz)
      WHERE user_id = ${userId} AND period_start = ${periodStart}::timestamptz RETURNING used_krw`.execute(this.db);
    return Number(r.rows[0].used_krw);
  }

  /** Marks the user's reservations past their expiry as expired (they stop counting). */
  async expireReservations(userId: string, now: Date): Promise<void> {
    await sql`UPDATE usage_reservations SET status = 'expired', settled_at = ${now}::timestamptz
      WHERE user_id = ${userId} AND status = 'reserved' AND expires_at <= ${now}::timestamptz`.execute(this.db);
  }

  async expireAndSumReserved(userId: string, periodStart: Date, now: Date): Promise<number> {
    // The outer SELECT does not see the CTE's update (one snapshot), hence its own expiry filter.
    const r = await sql<any>`WITH expired AS (
        UPDATE usage_reservations SET status = 'expired', settled_at = ${now}::timestamptz
        WHERE user_id = ${userId} AND status = 'reserved' AND expires_at <= ${now}::timestamptz RETURNING id)
      SELECT COALESCE(SUM(amount_krw), 0) AS s FROM usage_reservations
      WHERE user_id = ${userId} AND period_start = ${periodStart}::timestamptz AND status = 'reserved' AND expires_at > ${now}::timestamptz`.execute(this.db);
    return Number(r.rows[0].s);
  }

  async reservedKrw(userId: string, periodStart: Date): Promise<number> {
    const r = await sql<any>`SELECT COALESCE(SUM(amount_krw), 0) AS s FROM usage_reservations
      WHERE user_id = ${userId} AND period_start = ${periodStart}::timestamptz AND status = 'reserved'`.execute(this.db);
    return Number(r.rows[0].s);
  }

  async findReservationByTrade(userId: string, tradeId: string): Promise<ReservationRecord | undefined> {
    const r = await sql`SELECT * FROM usage_reservations WHERE user_id = ${userId} AND trade_id = ${tradeId}`.execute(this.db);
    return r.rows[0] ? toReservation(r.rows[0]) : undefined;
  }

  async findReservation(id: string, forUpdate = false): Promise<ReservationRecord | undefined> {
    const r = forUpdate
      ? await sql`SELECT * FROM usage_reservations WHERE id = ${id} FOR UPDATE`.execute(this.db)
      : await sql`SELECT * FROM usage_reservations WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? toReservation(r.rows[0]) : undefined;
  }

  async insertReservation(x: Omit<ReservationRecord, 'committedKrw' | 'status'>): Promise<ReservationRecord> {
    const r = await sql`INSERT INTO usage_reservations (id, user_id, trade_id, period_start, amount_krw, status, created_at, expires_at)
      VALUES (${x.id}, ${x.userId}, ${x.tradeId}, ${x.periodStart}::timestamptz, ${x.amountKrw}::bigint, 'reserved', ${x.createdAt}::timestamptz, ${x.expiresAt}::timestamptz)
      RETURNING *`.execute(this.db);
    return toReservation(r.rows[0]);
  }

  async settleReservation(id: string, status: 'committed' | 'released' | 'expired', at: Date, committedKrw: number | null): Promise<void> {
    await sql`UPDATE usage_reservations SET status = ${status}, committed_krw = ${committedKrw}::bigint, settled_at = ${at}::timestamptz
      WHERE id = ${id} AND status = 'reserved'`.execute(this.db);
  }

  async listReservations(userId: string, limit: number): Promise<ReservationRecord[]> {
    const r = await sql`SELECT * FROM usage_reservations WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(this.db);
    return r.rows.map(toReservation);
  }

  /** A paid-feature use for 청약철회 (usage_events, as `POST /api/usage` records it). */
  async recordFeatureUse(userId: string, feature: string, at: Date, recordedBy: string): Promise<void> {
    await sql`INSERT INTO usage_events (user_id, feature, occurred_at, recorded_by) VALUES (${userId}, ${feature}, ${at}::timestamptz, ${recordedBy})`.execute(this.db);
  }

  async appendEvents(events: readonly NewEngineEvent[]): Promise<void> {
    await appendEngineEvents(this.db, events);
  }
}

/** `to_jsonb(subscriptions.*)` gives timestamps as strings and bigints as numbers. */
function subscriptionFromJson(j: Record<string, any>) {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    ...j,
    current_period_start: date(j.current_period_start),
    current_period_end: date(j.current_period_end),
    canceled_at: date(j.canceled_at),
    ended_at: date(j.ended_at),
    next_renewal_at: date(j.next_renewal_at),
    grace_until: date(j.grace_until),
    created_at: date(j.created_at),
    updated_at: date(j.updated_at),
    agreed_price_krw: j.agreed_price_krw === null || j.agreed_price_krw === undefined ? null : Number(j.agreed_price_krw),
    pending_price_krw: j.pending_price_krw === null || j.pending_price_krw === undefined ? null : Number(j.pending_price_krw),
  } as any;
}
