import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import type { Clock } from '../domain/ports.ts';
import { capPeriodOf, engineEventPayload, entitlementOf, reservationIdOf, reservationOwnerOf, type EntitlementState } from '../domain/engine/entitlements.ts';
import type { NewEngineEvent } from '../domain/engine/engine-events.ts';
import type { ApiKeyRecord, EngineStore, EntitlementRow, ReservationRecord } from '../domain/engine/engine-store.ts';
import type { Subscription } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import type { EntitlementCache } from './entitlement-cache.ts';

/** Scopes an engine API key can hold. */
export const API_KEY_SCOPES = ['entitlements:read', 'usage:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const API_KEY_PREFIX = 'smts_sk_';

export interface EngineDeps {
  engine: EngineStore;
  /** Wall-clock time for API keys (rotation overlap, last use); the test clock does not move it. */
  wallClock: Clock;
  /** How long a reservation holds part of the cap unless committed or released (business clock). */
  reservationTtlMs: number;
  /**
   * Verified keys by hash, reused for a few seconds so a read costs one query; revoke and rotate
   * in this process clear it, other processes see a revocation within `keyCacheMs`.
   */
  keyCache?: { ms: number; entries: Map<string, { key: ApiKeyRecord; untilMs: number }> };
  /** Entitlement rows and subscriptions served without a query (use-cases/entitlement-cache.ts). */
  entitlementCache?: EntitlementCache;
  /** Told about a failed write of a key's last use (it is written off the request path). */
  onBackgroundError?: (err: unknown) => void;
}

const KEY_CACHE_MAX = 1000;

/** Forgets cached keys (after a revocation or rotation). */
export function clearApiKeyCache(deps: EngineDeps): void {
  deps.keyCache?.entries.clear();
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new key: `smts_sk_` and 192 random bits (from the id source), shown once; only its hash is stored. */
export async function createApiKey(ctx: UseCaseContext, deps: EngineDeps, input: { name: string; scopes: string[] }) {
  const scopes = [...new Set(input.scopes)];
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || scopes.length === 0) {
    throw new AppError('VALIDATION_FAILED', '알 수 없는 권한 범위입니다.', { scopes: unknown, allowed: API_KEY_SCOPES });
  }
  const secret = [ctx.ids.next('k'), ctx.ids.next('k')].map((id) => id.slice(2)).join('');
  const key = `${API_KEY_PREFIX}${secret}`;
  const record = await deps.engine.insertApiKey({
    id: ctx.ids.next('key'),
    name: input.name,
    scopes,
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    keyHash: hashKey(key),
    createdAt: deps.wallClock.now(),
  });
  return { record, key };
}

/**
 * The key in `Authorization: Bearer smts_sk_…`, checked for `scope`. Unknown, revoked or
 * expired → 401 UNAUTHENTICATED; a live key without the scope → 403 FORBIDDEN.
 */
export async function authenticateApiKey(deps: EngineDeps, authorization: string | undefined, scope: ApiKeyScope): Promise<ApiKeyRecord> {
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  if (!bearer || !bearer.startsWith(API_KEY_PREFIX)) throw new AppError('UNAUTHENTICATED', 'API 키가 필요합니다.');
  const now = deps.wallClock.now();
  const hash = hashKey(bearer);
  const cache = deps.keyCache;
  const hit = cache?.entries.get(hash);
  let k = hit && hit.untilMs > now.getTime() ? hit.key : undefined;
  if (!k) {
    k = await deps.engine.findApiKeyByHash(hash);
    if (k && cache && cache.ms > 0) {
      if (cache.entries.size >= KEY_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
      cache.entries.set(hash, { key: k, untilMs: now.getTime() + cache.ms });
    }
  }
  if (!k || k.revokedAt || (k.expiresAt && k.expiresAt <= now)) throw new AppError('UNAUTHENTICATED', '유효하지 않은 API 키입니다.');
  if (!k.scopes.includes(scope)) throw new AppError('FORBIDDEN', '이 API 키에는 해당 권한이 없습니다.', { scope });
  // The last use is written at most once a minute per key and process, off the request path.
  if (!k.lastUsedAt || now.getTime() - k.lastUsedAt.getTime() >= 60_000) {
    k.lastUsedAt = now;
    deps.engine.touchApiKey(k.id, now).catch((err) => deps.onBackgroundError?.(err));
  }
  return k;
}

/** A new key with the same name and scopes; the old one keeps working for `overlapSeconds`. */
export async function rotateApiKey(ctx: UseCaseContext, deps: EngineDeps, id: string, overlapSeconds: number) {
  return deps.engine.transaction(async (engine) => {
    const old = await engine.findApiKey(id);
    const now = deps.wallClock.now();
    if (!old || old.revokedAt || (old.expiresAt && old.expiresAt <= now)) throw new AppError('NOT_FOUND', 'API 키를 찾을 수 없습니다.', { id });
    const created = await createApiKey(ctx, { ...deps, engine }, { name: old.name, scopes: old.scopes });
    await engine.expireApiKey(old.id, new Date(now.getTime() + overlapSeconds * 1000), created.record.id);
    clearApiKeyCache(deps);
    return created;
  });
}

/** The entitlement answer (docs/trading-engine.md, "Entitlements"). */
export interface EntitlementAnswer extends EntitlementState {
  usedKrw: number;
  reservedKrw: number;
  remainingKrw: number | null;
  capPeriodStart: Date;
  capPeriodEnd: Date;
  version: number;
}

function answerOf(ctx: UseCaseContext, row: EntitlementRow, now: Date): EntitlementAnswer {
  const e = entitlementOf(row.userId, row.subscription, ctx.plans, now);
  const period = capPeriodOf(now);
  const remaining = e.monthlyLimitKrw === null ? null : Math.max(0, e.monthlyLimitKrw - row.usedKrw - row.reservedKrw);
  // Spelled out, not `{ ...e, usedKrw, … }`: on Node 20 optimized code gives every object made by a
  // spread plus properties a hidden class of its own (≈ 0.5 µs and a few hundred bytes of old
  // space each), so at thousands of reads a second the old space filled and major collections
  // stalled the service (docs/performance.md, "A spread that filled the old space").
  return {
    userId: e.userId,
    plan: e.plan,
    status: e.status,
    autoTradingEnabled: e.autoTradingEnabled,
    monthlyLimitKrw: e.monthlyLimitKrw,
    features: e.features,
    inGrace: e.inGrace,
    graceUntil: e.graceUntil,
    paidThrough: e.paidThrough,
    usedKrw: row.usedKrw,
    reservedKrw: row.reservedKrw,
    remainingKrw: remaining,
    capPeriodStart: period.start,
    capPeriodEnd: period.end,
    version: row.version,
  };
}

/** Entitlements of the users that exist among `userIds` (unknown ids are left out). */
export async function getEntitlements(ctx: UseCaseContext, deps: EngineDeps, userIds: readonly string[]): Promise<EntitlementAnswer[]> {
  const now = ctx.clock.now();
  const byId = await entitlementRowsOf(deps, [...new Set(userIds)], capPeriodOf(now).start, now);
  return userIds.filter((id, i) => byId.has(id) && userIds.indexOf(id) === i).map((id) => answerOf(ctx, byId.get(id)!, now));
}

/**
 * The users' rows from the cache, the others from the database (then cached); unknown users are
 * left out. Rows served past half their age are re-read behind the answer (EntitlementCache.ageing).
 */
async function entitlementRowsOf(deps: EngineDeps, userIds: readonly string[], periodStart: Date, now: Date): Promise<Map<string, EntitlementRow>> {
  const cache = deps.entitlementCache;
  const byId = new Map<string, EntitlementRow>();
  const missing: string[] = [];
  for (const id of userIds) {
    const hit = cache?.row(id, periodStart, now);
    if (hit) byId.set(id, hit);
    else missing.push(id);
  }
  const due = cache?.ageing(userIds) ?? [];
  if (due.length > 0) cache!.refresh(due, (ids) => readRows(deps, ids, periodStart, now));
  if (missing.length === 0) return byId;
  for (const row of await readRows(deps, missing, periodStart, now)) byId.set(row.userId, row);
  return byId;
}

/** The users' rows from the database, stored in the cache unless a change of the user was announced meanwhile. */
async function readRows(deps: EngineDeps, userIds: readonly string[], periodStart: Date, now: Date): Promise<EntitlementRow[]> {
  const cache = deps.entitlementCache;
  // By user id: a background re-read holds up to 500 users (an index search per row was quadratic).
  const tokens = new Map(cache ? userIds.map((id) => [id, cache.beginRead(id)]) : []);
  try {
    const rows = await deps.engine.entitlementRows(userIds, periodStart, now);
    if (cache) for (const row of rows) cache.store(tokens.get(row.userId) ?? null, row, periodStart);
    return rows;
  } finally {
    if (cache) for (const [id, token] of tokens) cache.abandon(token, id);
  }
}

/** The user's subscription and its version, from the cache unless `fresh`; undefined for an unknown user. */
async function subscriptionOf(
  deps: EngineDeps,
  userId: string,
  now: Date,
  fresh: boolean,
): Promise<{ subscription: Subscription | null; subscriptionVersion: string | null } | undefined> {
  const hit = fresh ? undefined : deps.entitlementCache?.subscription(userId);
  if (hit) return hit;
  if (fresh) deps.entitlementCache?.changed(userId, 's');
  return (await entitlementRowsOf(deps, [userId], capPeriodOf(now).start, now)).get(userId);
}

/** This process changed the user's usage: its cached row is dropped at once, the other processes are told soon. */
function usageChanged(deps: EngineDeps, userId: string): void {
  deps.entitlementCache?.usageChanged(userId);
}

/** Attempts at a reservation or commit whose subscription changed meanwhile, before giving up. */
const STALE_ATTEMPTS = 5;

/** What a step of `atCurrentSubscription` answers when its statement found the subscription changed. */
const STALE = Symbol('stale');

/**
 * Runs `step` with the user's subscription (cached), and again with it read afresh each time the
 * step's statement finds, under its lock, that the subscription has another version (`STALE`):
 * at most STALE_ATTEMPTS times, then SUBSCRIPTION_STATE_CONFLICT (with `details`). No
 * subscription row at all is `notFound`.
 */
async function atCurrentSubscription<T>(
  deps: EngineDeps,
  userId: string,
  now: Date,
  errors: { notFound: () => AppError; details: Record<string, unknown> },
  step: (sub: { subscription: Subscription | null; subscriptionVersion: string | null }) => Promise<T | typeof STALE>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const sub = await subscriptionOf(deps, userId, now, attempt > 1);
    if (!sub) throw errors.notFound();
    const r = await step(sub);
    if (r !== STALE) return r;
    if (attempt >= STALE_ATTEMPTS) throw new AppError('SUBSCRIPTION_STATE_CONFLICT', '구독이 변경되는 중입니다. 다시 시도해 주세요.', errors.details);
  }
}

export async function getEntitlement(ctx: UseCaseContext, deps: EngineDeps, userId: string): Promise<EntitlementAnswer> {
  const [a] = await getEntitlements(ctx, deps, [userId]);
  if (!a) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: userId });
  return a;
}

interface FeedCursor {
  xid: string;
  position: number;
}
const START: FeedCursor = { xid: '0', position: 0 };

function decodeCursor(c: string | undefined): FeedCursor {
  if (!c) return START;
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (typeof v.x === 'string' && /^\d{1,20}$/.test(v.x) && Number.isSafeInteger(v.p) && v.p >= 0) return { xid: v.x, position: v.p };
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', '커서가 올바르지 않습니다.', { cursor: c });
}

const encodeCursor = (c: FeedCursor) => Buffer.from(JSON.stringify({ x: c.xid, p: c.position })).toString('base64url');

/** Entitlements of every user with an event after `cursor` (each once, as they are now), and the next cursor. */
export async function entitlementChanges(ctx: UseCaseContext, deps: EngineDeps, cursor: string | undefined, limit: number) {
  const from = decodeCursor(cursor);
  const page = await deps.engine.changedUsers(from, limit);
  const entitlements = await getEntitlements(ctx, deps, page.userIds);
  return { entitlements, nextCursor: encodeCursor(page.last ?? from) };
}

export interface ReservationAnswer {
  reservation: ReservationRecord;
  remainingKrw: number | null;
  replayed: boolean;
}

/**
 * Holds `amountKrw` of the user's monthly cap for a trade. The user's usage row of the cap
 * period is locked first, so concurrent reservations queue and never pass the cap together.
 * Idempotent by (user, trade_id): the same request answers the same reservation (`replayed`);
 * another amount under the same trade_id is IDEMPOTENCY_KEY_REUSED.
 */
export async function reserveUsage(
  ctx: UseCaseContext,
  deps: EngineDeps,
  input: { userId: string; tradeId: string; amountKrw: number },
): Promise<ReservationAnswer> {
  const now = ctx.clock.now();
  const period = capPeriodOf(now);
  // One statement (engine_reserve, migration 0021; concurrent ones go as one, 0023): it locks the
  // user's usage row of the cap period, then checks against the cap computed here, from the
  // subscription at the version it still has under the lock (else 'stale': read it again and retry).
  const id = reservationIdOf(ctx.ids.next('rsv'), input.userId, period.start);
  const userNotFound = () => new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  const { r, e } = await atCurrentSubscription(deps, input.userId, now, { notFound: userNotFound, details: { user_id: input.userId } }, async (sub) => {
    const e = entitlementOf(input.userId, sub.subscription, ctx.plans, now);
    const r = await deps.engine.reserve({
      id,
      userId: input.userId,
      tradeId: input.tradeId,
      periodStart: period.start,
      amountKrw: input.amountKrw,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.reservationTtlMs),
      now,
      subscriptionVersion: sub.subscriptionVersion,
      limitKrw: e.monthlyLimitKrw,
      allowed: e.autoTradingEnabled,
    });
    return r.kind === 'stale' ? STALE : { r, e };
  });
  if (r.kind === 'no_user') throw userNotFound();
  usageChanged(deps, input.userId);
  const reserved = r.liveReservedKrw;
  if (r.existing) {
    if (r.existing.amountKrw !== input.amountKrw) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', '같은 거래 ID로 다른 금액을 예약할 수 없습니다.', {
        trade_id: input.tradeId,
        reserved_krw: r.existing.amountKrw,
      });
    }
    return { reservation: r.existing, remainingKrw: remainingOf(e.monthlyLimitKrw, r.usedKrw, reserved), replayed: true };
  }
  if (!e.autoTradingEnabled) {
    throw new AppError('AUTO_TRADING_DISABLED', '현재 플랜에서는 자동매매를 이용할 수 없습니다.', { plan: e.plan, status: e.status });
  }
  if (!r.inserted) {
    throw new AppError('LIMIT_EXCEEDED', '이번 달 자동매매 한도를 초과합니다.', {
      limit_krw: e.monthlyLimitKrw,
      used_krw: r.usedKrw,
      reserved_krw: reserved,
      remaining_krw: remainingOf(e.monthlyLimitKrw, r.usedKrw, reserved),
      requested_krw: input.amountKrw,
    });
  }
  return { reservation: r.inserted, remainingKrw: remainingOf(e.monthlyLimitKrw, r.usedKrw, reserved + input.amountKrw), replayed: false };
}

function remainingOf(limit: number | null, used: number, reserved: number): number | null {
  return limit === null ? null : Math.max(0, limit - used - reserved);
}

async function loadForSettlement(engine: EngineStore, id: string) {
  const found = await engine.findReservation(id);
  if (!found) throw new AppError('NOT_FOUND', '예약을 찾을 수 없습니다.', { reservation_id: id });
  // Same lock order as reserve: the usage row, then the reservation.
  const usage = await engine.lockUsageMonth(found.userId, found.periodStart);
  const reservation = (await engine.findReservation(id, true))!;
  return { usage, reservation };
}

/**
 * Settles a reservation with the amount actually traded (≤ reserved): it becomes used in the
 * reservation's cap period, counts as use of the paid feature (청약철회), and crossing 80% or
 * 100% of the cap writes `usage.threshold_reached` once per user, month and threshold.
 * Committing again with the same amount answers the same; a released or expired reservation
 * is RESERVATION_NOT_ACTIVE.
 */
export async function commitReservation(ctx: UseCaseContext, deps: EngineDeps, id: string, amountKrw: number) {
  const now = ctx.clock.now();
  const owner = reservationOwnerOf(id) ?? (await deps.engine.reservationOwner(id));
  if (!owner) throw new AppError('NOT_FOUND', '예약을 찾을 수 없습니다.', { reservation_id: id });
  // One statement (engine_commit, migration 0021; concurrent ones go as one, 0023): the usage
  // row's lock, then the reservation's; the thresholds are checked against the cap computed here
  // from the subscription at the version it still has under the lock (else 'stale': read it again
  // and retry).
  const notFound = () => new AppError('NOT_FOUND', '예약을 찾을 수 없습니다.', { reservation_id: id });
  const { r, limit } = await atCurrentSubscription(deps, owner.userId, now, { notFound, details: { reservation_id: id } }, async (sub) => {
    const e = entitlementOf(owner.userId, sub.subscription, ctx.plans, now);
    const limit = e.monthlyLimitKrw;
    const thresholdEvents =
      limit && limit > 0
        ? ([80, 100].map((pct) => ({
            id: ctx.ids.next('evt'),
            userId: owner.userId,
            type: 'usage.threshold_reached' as const,
            // used_krw is added by the store: the usage after this commit.
            payload: engineEventPayload(e, { threshold_pct: pct, cap_period_start: owner.periodStart.toISOString() }),
            occurredAt: now,
          })) as [NewEngineEvent, NewEngineEvent])
        : ([] as const);
    const r = await deps.engine.commit({ id, userId: owner.userId, periodStart: owner.periodStart, amountKrw, now, subscriptionVersion: sub.subscriptionVersion, limitKrw: limit, thresholdEvents });
    return r.kind === 'stale' ? STALE : { r, limit };
  });
  if (r.kind === 'no_reservation') throw notFound();
  const res = r.reservation;
  if (r.kind === 'committed') {
    usageChanged(deps, owner.userId);
    // The live sum was taken before this reservation was committed.
    const reserved = Math.max(0, r.liveReservedKrw - res.amountKrw);
    return { reservation: res, remainingKrw: remainingOf(limit, r.usedKrw, reserved), replayed: false };
  }
  if (res.status === 'committed') {
    if (res.committedKrw !== amountKrw) throw new AppError('IDEMPOTENCY_KEY_REUSED', '이미 다른 금액으로 확정된 예약입니다.', { committed_krw: res.committedKrw });
    return { reservation: res, remainingKrw: remainingOf(limit, r.usedKrw, r.liveReservedKrw), replayed: true };
  }
  if (res.status !== 'reserved') {
    usageChanged(deps, owner.userId);
    throw new AppError('RESERVATION_NOT_ACTIVE', '만료되었거나 해제된 예약입니다.', { status: res.status });
  }
  throw new AppError('VALIDATION_FAILED', '확정 금액이 예약 금액보다 큽니다.', { reserved_krw: res.amountKrw });
}

/** Gives the reservation's amount back to the cap. Releasing again answers the same. */
export async function releaseReservation(ctx: UseCaseContext, deps: EngineDeps, id: string) {
  const now = ctx.clock.now();
  const answer = await deps.engine.transaction(async (engine) => {
    const { usage, reservation: r } = await loadForSettlement(engine, id);
    if (r.status === 'committed') throw new AppError('RESERVATION_NOT_ACTIVE', '이미 확정된 예약입니다.', { status: r.status });
    if (r.status === 'reserved') await engine.settleReservation(r.id, 'released', now, null);
    const [row] = await engine.entitlementRows([r.userId], r.periodStart, now);
    const e = entitlementOf(r.userId, row!.subscription, ctx.plans, now);
    return { reservation: { ...r, status: r.status === 'reserved' ? ('released' as const) : r.status }, remainingKrw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, row!.reservedKrw) };
  });
  usageChanged(deps, answer.reservation.userId);
  return answer;
}
