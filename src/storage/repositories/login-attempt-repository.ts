import type { Kysely } from 'kysely';
import {
  decideAttempt,
  releaseAttempt,
  type AttemptCounter,
  type LoginAttemptStore,
  type ThrottlePolicy,
} from '../../domain/login-throttle.ts';
import type { Database, LoginAttemptsTable } from '../schema.ts';

/** Rows untouched for this long are deleted now and then (their keys start over anyway). */
const PRUNE_AFTER_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY = 500;

function counterOf(row: LoginAttemptsTable): AttemptCounter {
  return {
    attempts: row.attempts,
    windowStartedAt: new Date(row.window_started_at),
    locks: row.locks,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * Login attempt counters in PostgreSQL, shared by every replica. Each attempt
 * locks its key's row (`FOR UPDATE`) for the read–decide–write, so parallel
 * attempts on one key are counted one after another.
 */
export class LoginAttemptRepository implements LoginAttemptStore {
  private readonly db: Kysely<Database>;
  private calls = 0;

  constructor(db: Kysely<any>) {
    this.db = db as Kysely<Database>;
  }

  async attempt(key: string, now: Date, policy: ThrottlePolicy): Promise<{ allowed: boolean; retryAfterMs: number }> {
    if (++this.calls % PRUNE_EVERY === 0) await this.prune(now);
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('login_attempts')
        .values({ key, attempts: 0, window_started_at: now, locks: 0, locked_until: null, updated_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await trx.selectFrom('login_attempts').selectAll().where('key', '=', key).forUpdate().executeTakeFirstOrThrow();
      // A row inserted just now (attempts 0, never updated) is a first sight.
      const current = row.attempts === 0 && row.locks === 0 && row.locked_until === null ? null : counterOf(row);
      const d = decideAttempt(current, now, policy);
      if (d.next !== current) {
        await trx
          .updateTable('login_attempts')
          .set({
            attempts: d.next.attempts,
            window_started_at: d.next.windowStartedAt,
            locks: d.next.locks,
            locked_until: d.next.lockedUntil,
            updated_at: d.next.updatedAt,
          })
          .where('key', '=', key)
          .execute();
      }
      return { allowed: d.allowed, retryAfterMs: d.retryAfterMs };
    });
  }

  async release(key: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_attempts').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
      if (!row) return;
      await trx.updateTable('login_attempts').set({ attempts: releaseAttempt(counterOf(row)).attempts }).where('key', '=', key).execute();
    });
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_attempts').where('key', '=', key).execute();
  }

  private async prune(now: Date): Promise<void> {
    const before = new Date(now.getTime() - PRUNE_AFTER_MS);
    await this.db
      .deleteFrom('login_attempts')
      .where('updated_at', '<', before)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .execute();
  }
}
