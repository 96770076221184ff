import { sql, type Kysely, type Transaction } from 'kysely';
import type { RateLimitCount, RateLimitHit } from '../../domain/repositories.ts';
import type { Database } from '../schema.ts';
import { parseInt8 } from '../create-db.ts';

const PRUNE_EVERY = 500;

/**
 * The statement that counts one hit of `key` (insert, or add one, or start a new window when the
 * old one ended) and returns `hits` and `window_ends_at` (`hitOf` reads them); also run inside
 * another statement (the checkout start's first read).
 */
export function countHit(db: Kysely<Database> | Transaction<Database>, h: RateLimitHit) {
  const ends = new Date(h.now.getTime() + h.windowMs);
  return db
    .insertInto('rate_limit_counters')
    .values({ key: h.key, hits: 1, window_ends_at: ends })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`CASE WHEN rate_limit_counters.window_ends_at <= ${h.now} THEN 1 ELSE rate_limit_counters.hits + 1 END`,
        window_ends_at: sql<Date>`CASE WHEN rate_limit_counters.window_ends_at <= ${h.now} THEN ${ends} ELSE rate_limit_counters.window_ends_at END`,
      }),
    )
    .returning(['hits', 'window_ends_at']);
}

export function hitOf(row: { hits: number | string; window_ends_at: Date | string }): RateLimitCount {
  return { hits: parseInt8(row.hits), windowEndsAt: new Date(row.window_ends_at) };
}

/**
 * Fixed-window hit counters in PostgreSQL, shared by every replica. One
 * statement counts a hit atomically: insert, or add one (or start a new window
 * when the old one ended), and return the result.
 */
export class RateLimitRepository {
  private readonly db: Kysely<Database>;
  private calls = 0;

  constructor(db: Kysely<any>) {
    this.db = db as Kysely<Database>;
  }

  /** Counts one hit of `key`; returns the hits in the current window and when it ends. */
  async hit(key: string, windowMs: number, now: Date): Promise<{ hits: number; windowEndsAt: Date }> {
    if (++this.calls % PRUNE_EVERY === 0) await this.db.deleteFrom('rate_limit_counters').where('window_ends_at', '<', now).execute();
    return hitOf(await countHit(this.db, { key, windowMs, now }).executeTakeFirstOrThrow());
  }

  /** The current window of `key` without counting (0 hits when none is open). */
  async read(key: string, now: Date): Promise<{ hits: number; windowEndsAt: Date | null }> {
    const row = await this.db.selectFrom('rate_limit_counters').select(['hits', 'window_ends_at']).where('key', '=', key).executeTakeFirst();
    if (!row || new Date(row.window_ends_at).getTime() <= now.getTime()) return { hits: 0, windowEndsAt: null };
    return { hits: Number(row.hits), windowEndsAt: new Date(row.window_ends_at) };
  }
}
