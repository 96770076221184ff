import type { Subscription } from '../records.ts';
import type { NewEngineEvent } from './engine-events.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

export interface ReservationRecord {
  id: string;
  userId: string;
  tradeId: string;
  periodStart: Date;
  amountKrw: number;
  committedKrw: number | null;
  status: 'reserved' | 'committed' | 'released' | 'expired';
  createdAt: Date;
  expiresAt: Date;
}

/** One user's rows the entitlement answer is made of (usage of the cap period asked for). */
export interface EntitlementRow {
  userId: string;
  subscription: Subscription | null;
  usedKrw: number;
  reservedKrw: number;
  version: number;
}

export interface UsageMonth {
  usedKrw: number;
  threshold80At: Date | null;
  threshold100At: Date | null;
}

/**
 * Storage of the trading engine's access (storage/repositories/engine-repository.ts). Usage and
 * reservation changes run inside `transaction`, after `lockUsageMonth` (the lock order: the
 * user's usage row of the cap month, then reservations).
 */
export interface EngineStore {
  transaction<T>(fn: (store: EngineStore) => Promise<T>): Promise<T>;
  insertApiKey(k: { id: string; name: string; scopes: string[]; prefix: string; keyHash: string; createdAt: Date }): Promise<ApiKeyRecord>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: Date): Promise<ApiKeyRecord | undefined>;
  expireApiKey(id: string, at: Date, replacedBy: string): Promise<void>;
  touchApiKey(id: string, at: Date): Promise<void>;
  entitlementRows(userIds: readonly string[], periodStart: Date, now: Date): Promise<EntitlementRow[]>;
  changedUsers(after: { xid: string; position: number }, limit: number): Promise<{ userIds: string[]; last: { xid: string; position: number } | null }>;
  lockUsageMonth(userId: string, periodStart: Date): Promise<UsageMonth>;
  /**
   * One statement: locks (creating if needed) the usage row of an existing user's cap period and
   * reads the user's subscription and outbox version; undefined when there is no such user.
   */
  lockUsageWithSubscription(userId: string, periodStart: Date): Promise<{ usage: UsageMonth; subscription: Subscription | null } | undefined>;
  /**
   * One statement, run after `lockUsageWithSubscription`: the reservation already made under
   * (user, trade id) if any; else expires the user's lapsed reservations, sums the live ones of the
   * cap period and inserts the new reservation when `allowed` and
   * `usedKrw + live + amountKrw <= limitKrw` (null: no limit).
   */
  reserveWithinCap(
    x: Omit<ReservationRecord, 'committedKrw' | 'status'> & { usedKrw: number; limitKrw: number | null; allowed: boolean; now: Date },
  ): Promise<{ existing: ReservationRecord | undefined; inserted: ReservationRecord | undefined; liveReservedKrw: number }>;
  /** One statement: locks (creating if needed) the usage row of the reservation's user and cap period; undefined when no such reservation. */
  lockUsageOfReservation(id: string): Promise<UsageMonth | undefined>;
  /** One statement: the reservation, locked, and the entitlement rows of its user in its cap period. */
  reservationWithEntitlement(id: string, now: Date): Promise<{ reservation: ReservationRecord; row: EntitlementRow } | undefined>;
  /**
   * One statement: commits a reserved reservation with `amountKrw`, adds it to the usage row (and
   * the threshold stamps), and records a use of the paid feature when the amount is positive.
   */
  commitUsage(x: { id: string; userId: string; periodStart: Date; amountKrw: number; at: Date; thresholds: { t80?: Date; t100?: Date } }): Promise<void>;
  addUsage(userId: string, periodStart: Date, amountKrw: number, thresholds: { t80?: Date; t100?: Date }): Promise<number>;
  expireReservations(userId: string, now: Date): Promise<void>;
  reservedKrw(userId: string, periodStart: Date): Promise<number>;
  /** Marks the user's reservations past expiry as expired and sums the live ones of the cap month (one statement). */
  expireAndSumReserved(userId: string, periodStart: Date, now: Date): Promise<number>;
  findReservationByTrade(userId: string, tradeId: string): Promise<ReservationRecord | undefined>;
  findReservation(id: string, forUpdate?: boolean): Promise<ReservationRecord | undefined>;
  insertReservation(x: Omit<ReservationRecord, 'committedKrw' | 'status'>): Promise<ReservationRecord>;
  settleReservation(id: string, status: 'committed' | 'released' | 'expired', at: Date, committedKrw: number | null): Promise<void>;
  listReservations(userId: string, limit: number): Promise<ReservationRecord[]>;
  recordFeatureUse(userId: string, feature: string, at: Date, recordedBy: string): Promise<void>;
  appendEvents(events: readonly NewEngineEvent[]): Promise<void>;
}
