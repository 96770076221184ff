import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import type { Clock } from '../domain/ports.ts';
import { capPeriodOf, engineEventPayload, entitlementOf, type EntitlementState } from '../domain/engine/entitlements.ts';
import type { ApiKeyRecord, EngineStore, EntitlementRow, ReservationRecord } from '../domain/engine/engine-store.ts';
import type { UseCaseContext } from './context.ts';

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
  if (!k.lastUsedAt || now.getTime() - k.lastUsedAt.getTime() >= 60_000) {
    await deps.engine.touchApiKey(k.id, now);
    k.lastUsedAt = now;
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
  return { ...e, usedKrw: row.usedKrw, reservedKrw: row.reservedKrw, remainingKrw: remaining, capPeriodStart: period.start, capPeriodEnd: period.end, version: row.version };
}

/** Entitlements of the users that exist among `userIds` (unknown ids are left out). */
export async function getEntitlements(ctx: UseCaseContext, deps: EngineDeps, userIds: readonly string[]): Promise<EntitlementAnswer[]> {
  const now = ctx.clock.now();
  const rows = await deps.engine.entitlementRows([...new Set(userIds)], capPeriodOf(now).start, now);
  const byId = new Map(rows.map((r) => [r.userId, r]));
  return userIds.filter((id, i) => byId.has(id) && userIds.indexOf(id) === i).map((id) => answerOf(ctx, byId.get(id)!, now));
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

const THRESHOLDS = [
  { pct: 80, key: 't80' as const, field: 'threshold80At' as const },
  { pct: 100, key: 't100' as const, field: 'threshold100At' as const },
];

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
  // Two statements in the transaction: the usage row's lock (with the subscription), then the
  // check against the cap and the insert, on a snapshot taken after the lock.
  return deps.engine.transaction(async (engine) => {
    const locked = await engine.lockUsageWithSubscription(input.userId, period.start);
    if (!locked) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
    const { usage } = locked;
    const e = entitlementOf(input.userId, locked.subscription, ctx.plans, now);
    const r = await engine.reserveWithinCap({
      id: ctx.ids.next('rsv'),
      userId: input.userId,
      tradeId: input.tradeId,
      periodStart: period.start,
      amountKrw: input.amountKrw,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.reservationTtlMs),
      usedKrw: usage.usedKrw,
      limitKrw: e.monthlyLimitKrw,
      allowed: e.autoTradingEnabled,
      now,
    });
    const reserved = r.liveReservedKrw;
    if (r.existing) {
      if (r.existing.amountKrw !== input.amountKrw) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', '같은 거래 ID로 다른 금액을 예약할 수 없습니다.', {
          trade_id: input.tradeId,
          reserved_krw: r.existing.amountKrw,
        });
      }
      return { reservation: r.existing, remainingKrw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, reserved), replayed: true };
    }
    if (!e.autoTradingEnabled) {
      throw new AppError('AUTO_TRADING_DISABLED', '현재 플랜에서는 자동매매를 이용할 수 없습니다.', { plan: e.plan, status: e.status });
    }
    if (!r.inserted) {
      throw new AppError('LIMIT_EXCEEDED', '이번 달 자동매매 한도를 초과합니다.', {
        limit_krw: e.monthlyLimitKrw,
        used_krw: usage.usedKrw,
        reserved_krw: reserved,
        remaining_krw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, reserved),
        requested_krw: input.amountKrw,
      });
    }
    return { reservation: r.inserted, remainingKrw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, reserved + input.amountKrw), replayed: false };
  });
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
  // Three statements in the transaction (four when a threshold is crossed): the usage row's lock,
  // the reservation (locked) with its user's entitlement rows, and the commit with its usage.
  return deps.engine.transaction(async (engine) => {
    const usage = await engine.lockUsageOfReservation(id);
    const found = usage ? await engine.reservationWithEntitlement(id, now) : undefined;
    if (!usage || !found) throw new AppError('NOT_FOUND', '예약을 찾을 수 없습니다.', { reservation_id: id });
    const { reservation: r, row } = found;
    const e = entitlementOf(r.userId, row.subscription, ctx.plans, now);
    if (r.status === 'committed') {
      if (r.committedKrw !== amountKrw) throw new AppError('IDEMPOTENCY_KEY_REUSED', '이미 다른 금액으로 확정된 예약입니다.', { committed_krw: r.committedKrw });
      return { reservation: r, remainingKrw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, row.reservedKrw), replayed: true };
    }
    if (r.status === 'reserved' && r.expiresAt <= now) await engine.settleReservation(r.id, 'expired', now, null);
    if (r.status !== 'reserved' || r.expiresAt <= now) {
      throw new AppError('RESERVATION_NOT_ACTIVE', '만료되었거나 해제된 예약입니다.', { status: r.status === 'reserved' ? 'expired' : r.status });
    }
    if (amountKrw > r.amountKrw) throw new AppError('VALIDATION_FAILED', '확정 금액이 예약 금액보다 큽니다.', { reserved_krw: r.amountKrw });
    const limit = e.monthlyLimitKrw;
    const crossed: { t80?: Date; t100?: Date } = {};
    const events = [];
    const used = usage.usedKrw + amountKrw;
    for (const t of THRESHOLDS) {
      if (limit && limit > 0 && !usage[t.field] && used * 100 >= limit * t.pct) {
        crossed[t.key] = now;
        events.push({
          id: ctx.ids.next('evt'),
          userId: r.userId,
          type: 'usage.threshold_reached' as const,
          payload: engineEventPayload(e, { threshold_pct: t.pct, used_krw: used, cap_period_start: r.periodStart.toISOString() }),
          occurredAt: now,
        });
      }
    }
    // Settles the reservation, adds the usage and records the paid feature's use (청약철회).
    await engine.commitUsage({ id: r.id, userId: r.userId, periodStart: r.periodStart, amountKrw, at: now, thresholds: crossed });
    await engine.appendEvents(events);
    // Read after the usage lock, so it still counts this reservation, now committed.
    const reserved = Math.max(0, row.reservedKrw - r.amountKrw);
    return { reservation: { ...r, status: 'committed' as const, committedKrw: amountKrw }, remainingKrw: remainingOf(limit, used, reserved), replayed: false };
  });
}

/** Gives the reservation's amount back to the cap. Releasing again answers the same. */
export async function releaseReservation(ctx: UseCaseContext, deps: EngineDeps, id: string) {
  const now = ctx.clock.now();
  return deps.engine.transaction(async (engine) => {
    const { usage, reservation: r } = await loadForSettlement(engine, id);
    if (r.status === 'committed') throw new AppError('RESERVATION_NOT_ACTIVE', '이미 확정된 예약입니다.', { status: r.status });
    if (r.status === 'reserved') await engine.settleReservation(r.id, 'released', now, null);
    const [row] = await engine.entitlementRows([r.userId], r.periodStart, now);
    const e = entitlementOf(r.userId, row!.subscription, ctx.plans, now);
    return { reservation: { ...r, status: r.status === 'reserved' ? ('released' as const) : r.status }, remainingKrw: remainingOf(e.monthlyLimitKrw, usage.usedKrw, row!.reservedKrw) };
  });
}
