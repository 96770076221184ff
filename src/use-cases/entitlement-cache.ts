import { randomUUID } from 'node:crypto';
import type { Subscription } from '../domain/records.ts';
import type { EntitlementRow } from '../domain/engine/engine-store.ts';

/**
 * Where changes to entitlements are announced (storage: PostgreSQL LISTEN 'entitlements', the
 * NOTIFY sent by the triggers of migration 0021 from the transaction of the change). `start`
 * resolves when listening; `onState(false)` means notifications may have been missed.
 */
export interface EntitlementChangeFeed {
  start(onChange: (kind: 's' | 'u', userId: string) => void, onState: (listening: boolean) => void): Promise<() => Promise<void>>;
  /** Tells the other processes that these users' usage changed (committed). */
  announce(userIds: readonly string[]): Promise<void>;
}

export interface CachedSubscription {
  subscription: Subscription | null;
  /** The subscription row's version (xmin); null without a subscription. */
  subscriptionVersion: string | null;
}

interface RowEntry {
  row: EntitlementRow;
  periodStartMs: number;
  /** Business time at which a counted reservation expires (the row's reserved_krw changes then). */
  validUntilMs: number;
  storedAtMs: number;
}

/**
 * Entitlement rows and subscriptions of users, in this process (docs/trading-engine.md,
 * "Performance"). An entry is dropped when its user's change is announced: at once for a change
 * made by this process (the use cases call `usageChanged`, the event writer `pending` before
 * commit); for a subscription or outbox change committed anywhere when its NOTIFY arrives (sent
 * by the changing transaction); for usage changed by another process when that process's batched
 * announcement arrives (every `announceMs`). Nothing is served while the feed is not listening
 * (not yet started, or its connection lost: everything is forgotten then); no subscription
 * outlives `maxAgeMs` and no usage `usageMaxAgeMs` (the bound if an announcement is lost with its
 * process). A read stores what it read only if no change of that user was announced meanwhile.
 */
export class EntitlementCache {
  private readonly rows = new Map<string, RowEntry>();
  private readonly subs = new Map<string, CachedSubscription & { storedAtMs: number }>();
  /** The read allowed to store, per user: a change announced meanwhile removes it. */
  private readonly reading = new Map<string, symbol>();
  /** Users with a local write not yet committed (or its NOTIFY not yet seen), until a wall time. */
  private readonly pendingUntil = new Map<string, number>();
  private listening = false;
  private starting: Promise<void> | null = null;
  private stop: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(
    private readonly opts: {
      feed: EntitlementChangeFeed | null;
      maxAgeMs: number;
      maxEntries?: number;
      /** Wall-clock milliseconds (entry age and pending marks). */
      wallNow?: () => number;
      /** How long a local write's mark lasts without its NOTIFY (a rolled-back write never sends one). */
      pendingMs?: number;
      /** The longest a row's usage is served (default `maxAgeMs`). */
      usageMaxAgeMs?: number;
      /** How often this process announces its usage changes to the others (default 20 ms). */
      announceMs?: number;
      /**
       * A row served at this age or older is re-read behind the answer (default: half its max
       * age), so that a user who is read often never waits for the row's expiry.
       */
      refreshAfterMs?: number;
      /** How long due re-reads are gathered into one (default 10 ms). */
      refreshBatchMs?: number;
    },
  ) {}

  /** Users whose usage this process changed since the last announcement. */
  private readonly outgoing = new Set<string>();
  private announceTimer: NodeJS.Timeout | null = null;
  private announcing: Promise<void> | null = null;

  /** The longest a row's usage is served. */
  private get usageMaxAgeMs(): number {
    return this.opts.usageMaxAgeMs ?? this.opts.maxAgeMs;
  }

  private wall(): number {
    return this.opts.wallNow ? this.opts.wallNow() : Date.now();
  }

  /** Starts listening on first use; until then (and whenever the feed is down) nothing is cached. */
  private ensureStarted(): boolean {
    if (this.listening) return true;
    if (!this.opts.feed || this.starting || this.closed || this.opts.maxAgeMs <= 0) return false;
    this.starting = this.opts.feed
      .start(
        (kind, userId) => this.changed(userId, kind),
        (on) => {
          this.clear();
          this.listening = on;
        },
      )
      .then(
        (stop) => {
          if (this.closed) return void stop();
          this.stop = stop;
        },
        () => {
          // Not listening: the cache stays off until a later read tries again.
        },
      )
      .finally(() => {
        this.starting = null;
      });
    return false;
  }

  /** Starts the feed now and waits until it listens (tests, warm-up). */
  async ready(): Promise<void> {
    this.ensureStarted();
    await this.starting;
  }

  get active(): boolean {
    return this.listening;
  }

  private usable(userId: string): boolean {
    if (!this.ensureStarted()) return false;
    const pending = this.pendingUntil.get(userId);
    if (pending === undefined) return true;
    if (pending > this.wall()) return false;
    this.pendingUntil.delete(userId);
    return true;
  }

  row(userId: string, periodStart: Date, now: Date): EntitlementRow | undefined {
    const e = this.rows.get(userId);
    if (!e || !this.usable(userId)) return undefined;
    if (e.periodStartMs !== periodStart.getTime() || now.getTime() >= e.validUntilMs || this.wall() - e.storedAtMs >= this.usageMaxAgeMs) {
      this.rows.delete(userId);
      return undefined;
    }
    return e.row;
  }

  subscription(userId: string): CachedSubscription | undefined {
    const e = this.subs.get(userId);
    if (!e || !this.usable(userId)) return undefined;
    if (this.wall() - e.storedAtMs >= this.opts.maxAgeMs) {
      this.subs.delete(userId);
      return undefined;
    }
    return e;
  }

  /** Call before reading a user's rows from the database; pass the token to `store`. */
  beginRead(userId: string): symbol | null {
    if (!this.usable(userId)) return null;
    const token = Symbol(userId);
    this.reading.set(userId, token);
    return token;
  }

  store(token: symbol | null, row: EntitlementRow & { subscriptionVersion: string | null; reservedUntil: Date | null }, periodStart: Date): void {
    if (!token || this.reading.get(row.userId) !== token || !this.listening) return;
    this.reading.delete(row.userId);
    const now = this.wall();
    this.evict();
    this.rows.set(row.userId, {
      row,
      periodStartMs: periodStart.getTime(),
      validUntilMs: row.reservedUntil ? row.reservedUntil.getTime() : Number.POSITIVE_INFINITY,
      storedAtMs: now,
    });
    this.subs.set(row.userId, { subscription: row.subscription, subscriptionVersion: row.subscriptionVersion, storedAtMs: now });
  }

  /** Forgets a token that will not be stored (the read failed). */
  abandon(token: symbol | null, userId: string): void {
    if (token && this.reading.get(userId) === token) this.reading.delete(userId);
  }

  /** Users whose row is being re-read ahead of its expiry (one re-read per user at a time). */
  private readonly refreshing = new Set<string>();
  /** Re-reads in flight (`idle` and `close` wait for them). */
  private readonly background = new Set<Promise<void>>();

  /**
   * The users among `userIds` whose cached row (as `row` serves it) should be re-read now; each is
   * marked until its re-read (`refresh`) ends. Empty most of the time, and without allocating.
   */
  ageing(userIds: readonly string[]): readonly string[] {
    let due: string[] | null = null;
    const after = this.opts.refreshAfterMs ?? this.usageMaxAgeMs / 2;
    const now = this.wall();
    for (const id of userIds) {
      const e = this.rows.get(id);
      if (!e || now - e.storedAtMs < after || this.refreshing.has(id) || !this.usable(id)) continue;
      this.refreshing.add(id);
      (due ??= []).push(id);
    }
    return due ?? NONE;
  }

  /** Users due for a re-read, gathered for `refreshBatchMs` and re-read together. */
  private refreshQueue: string[] = [];
  private refreshTimer: NodeJS.Timeout | null = null;
  /** The latest caller's re-read (its clock and cap month; a row stored for another month is not served, see `row`). */
  private reread: ((userIds: readonly string[]) => Promise<unknown>) | null = null;

  /**
   * Re-reads the users' rows in the background with `reread` (which reads rows and `store`s them
   * with `beginRead` tokens): users due within `refreshBatchMs` (default 10 ms) are read in one
   * call of up to 500, so that rows stored together (an engine's warm-up) and so ageing together
   * cost a few statements, not one per user. A failure is not reported here: the row then ages
   * out, and the read that goes to the database after that meets the failure itself.
   */
  refresh(userIds: readonly string[], reread: (userIds: readonly string[]) => Promise<unknown>): void {
    this.refreshQueue.push(...userIds);
    this.reread = reread;
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => this.runRefresh(), this.opts.refreshBatchMs ?? 10);
    this.refreshTimer.unref?.();
  }

  private runRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const reread = this.reread;
    for (let i = 0; i < this.refreshQueue.length; i += REFRESH_BATCH) {
      const ids = this.refreshQueue.slice(i, i + REFRESH_BATCH);
      const run: Promise<void> = (reread ? reread(ids) : Promise.resolve())
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          for (const id of ids) this.refreshing.delete(id);
          this.background.delete(run);
        });
      this.background.add(run);
    }
    this.refreshQueue = [];
  }

  /** Resolves when no re-read is queued or in flight (tests; `close`). */
  async idle(): Promise<void> {
    if (this.refreshTimer) this.runRefresh();
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  private evict(): void {
    const max = this.opts.maxEntries ?? 100_000;
    while (this.rows.size >= max) this.rows.delete(this.rows.keys().next().value!);
    while (this.subs.size >= max) this.subs.delete(this.subs.keys().next().value!);
    if (this.pendingUntil.size >= max) this.pendingUntil.clear();
  }

  /** A change of the user's usage ('u') or subscription and outbox version ('s') committed or announced. */
  changed(userId: string, kind: 's' | 'u'): void {
    this.rows.delete(userId);
    this.reading.delete(userId);
    if (kind === 's') {
      this.subs.delete(userId);
      this.pendingUntil.delete(userId);
    }
  }

  /** This process changed (and committed) the user's usage: dropped here now, announced to the others soon. */
  usageChanged(userId: string): void {
    this.changed(userId, 'u');
    if (!this.opts.feed || this.closed) return;
    this.outgoing.add(userId);
    if (!this.announceTimer) {
      this.announceTimer = setTimeout(() => void this.flush(), this.opts.announceMs ?? 20);
      this.announceTimer.unref?.();
    }
  }

  /** Sends the pending usage announcement (one NOTIFY for the users changed since the last). */
  async flush(): Promise<void> {
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = null;
    await this.announcing;
    if (this.outgoing.size === 0 || !this.opts.feed) return;
    const users = [...this.outgoing];
    this.outgoing.clear();
    this.announcing = this.opts.feed.announce(users).catch(() => {
      // Lost: the other processes serve that usage until `usageMaxAgeMs` at most.
    });
    await this.announcing;
    this.announcing = null;
  }

  /**
   * A write of this process that changes the user's subscription, not yet committed: the user's
   * entries are not used (reads go to the database) until its NOTIFY arrives, or `pendingMs`.
   */
  pending(userId: string): void {
    this.changed(userId, 's');
    this.evict();
    this.pendingUntil.set(userId, this.wall() + (this.opts.pendingMs ?? 30_000));
  }

  clear(): void {
    // Running re-reads still finish, but their tokens are gone, so nothing they read is stored;
    // queued ones take their tokens when they start, as any read does.
    this.refreshing.clear();
    this.rows.clear();
    this.subs.clear();
    this.reading.clear();
    this.pendingUntil.clear();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.idle();
    this.closed = true;
    this.listening = false;
    await this.starting;
    await this.stop?.();
    this.clear();
  }
}

const NONE: readonly string[] = Object.freeze([]);
/** Users re-read in one statement at most (the bulk entitlements answer's own limit). */
const REFRESH_BATCH = 500;

/** The longest a subscription is served (a backstop: changes are announced, see the class). */
export const ENTITLEMENT_CACHE_MAX_AGE_MS = 60_000;
/** The longest usage is served (the bound when another process's announcement is lost). */
export const ENTITLEMENT_USAGE_MAX_AGE_MS = 30_000;

/** The NOTIFY channel of migration 0021's triggers; payloads are `s:<user id>` or `u:<user id>`. */
export const ENTITLEMENTS_CHANNEL = 'entitlements';

/** NOTIFY payloads are at most 8000 bytes: announcements are split into parts of this many users. */
const ANNOUNCE_USERS_PER_NOTIFY = 80;

/**
 * The change feed over a database handle's LISTEN/NOTIFY (storage/create-db.ts). Payloads:
 * `s:<user id>` from the triggers; `U:<process>:<JSON array of user ids>` from a process's usage
 * announcement (a process ignores its own).
 */
export function entitlementFeed(
  db: {
    listen(channel: string, onMessage: (payload: string) => void, onState: (listening: boolean) => void): Promise<() => Promise<void>>;
    notify(channel: string, payload: string): Promise<void>;
  },
  instance: string = randomUUID(),
): EntitlementChangeFeed {
  const own = `U:${instance}:`;
  return {
    start: (onChange, onState) =>
      db.listen(
        ENTITLEMENTS_CHANNEL,
        (payload) => {
          if (payload.startsWith('s:')) return onChange('s', payload.slice(2));
          if (!payload.startsWith('U:') || payload.startsWith(own)) return;
          try {
            const ids: unknown = JSON.parse(payload.slice(payload.indexOf(':', 2) + 1));
            if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') onChange('u', id);
          } catch {
            // Not ours.
          }
        },
        onState,
      ),
    async announce(userIds) {
      for (let i = 0; i < userIds.length; i += ANNOUNCE_USERS_PER_NOTIFY) {
        await db.notify(ENTITLEMENTS_CHANNEL, own + JSON.stringify(userIds.slice(i, i + ANNOUNCE_USERS_PER_NOTIFY)));
      }
    },
  };
}
