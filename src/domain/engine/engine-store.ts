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
  /** The subscription row's version (changes with every write of it); null without a subscription. */
  subscriptionVersion: string | null;
  /** When the first reservation counted in `reservedKrw` expires (the answer changes then); null when none. */
  reservedUntil: Date | null;
}

/** A reservation to make in one statement (`EngineStore.reserve`). */
export interface ReserveInput extends Omit<ReservationRecord, 'committedKrw' | 'status'> {
  now: Date;
  /** The cap computed from the subscription at `subscriptionVersion`. */
  subscriptionVersion: string | null;
  limitKrw: number | null;
  allowed: boolean;
}

export type ReserveResult =
  | { kind: 'no_user' }
  /** The subscription changed since `subscriptionVersion`: nothing was done. */
  | { kind: 'stale' }
  | { kind: 'done'; usedKrw: number; liveReservedKrw: number; existing: ReservationRecord | undefined; inserted: ReservationRecord | undefined };

/** A commit to make in one statement (`EngineStore.commit`). */
export interface CommitInput {
  id: string;
  /** The reservation's user, whose subscription at `subscriptionVersion` gave `limitKrw`. */
  userId: string;
  /** The reservation's cap period, as the caller knows it (orders batched commits: lock order). */
  periodStart: Date;
  amountKrw: number;
  now: Date;
  subscriptionVersion: string | null;
  limitKrw: number | null;
  /** The 80% and 100% usage events, in that order, without `used_krw` (added by the store); written only when crossed now. */
  thresholdEvents: readonly [NewEngineEvent, NewEngineEvent] | readonly [];
}

export type CommitResult =
  | { kind: 'no_reservation' }
  /** Another user's reservation, or that user's subscription changed: nothing was done. */
  | { kind: 'stale'; userId: string | null }
  /** `committed`: done now; `unchanged`: nothing done (already settled, expired now, or the amount is above the reserved one). */
  | { kind: 'committed' | 'unchanged'; reservation: ReservationRecord; usedKrw: number; liveReservedKrw: number };

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
   * One statement and transaction: locks (creating if needed) an existing user's usage row of the cap
   * period; 'stale' when the subscription is no longer at `subscriptionVersion`; else the reservation
   * already made under (user, trade id) if any, or expires the user's lapsed reservations, sums the
   * live ones of the cap period and inserts the new one when `allowed` and
   * `used + live + amountKrw <= limitKrw` (null: no limit).
   */
  reserve(x: ReserveInput): Promise<ReserveResult>;
  /**
   * One statement and transaction: locks the usage row of the reservation's user and cap period, then
   * the reservation; expires it if it lapsed; commits a live one with `amountKrw` (≤ reserved), adds
   * it to the usage row with the threshold stamps, records a use of the paid feature when positive,
   * and appends the threshold events crossed now.
   */
  commit(x: CommitInput): Promise<CommitResult>;
  /** The reservation's user and cap period (no lock); they never change. */
  reservationOwner(id: string): Promise<{ userId: string; periodStart: Date } | undefined>;
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
