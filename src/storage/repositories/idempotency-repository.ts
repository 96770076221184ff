import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type IdempotencyClaim =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_flight' }
  | { state: 'mismatch' };

/** Incoming `Idempotency-Key` records: one per (user, key), with the request's hash and our answer. */
export class IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(userId: string, key: string, requestHash: string, at: Date): Promise<IdempotencyClaim> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({ user_id: userId, key, request_hash: requestHash, response_status: null, response_body: null, created_at: at, claimed_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { state: 'new' };
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (row.request_hash !== requestHash) return { state: 'mismatch' };
    if (row.response_status === null) return { state: 'in_flight' };
    return { state: 'replay', status: row.response_status, body: row.response_body };
  }

  async complete(userId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ response_status: status, response_body: JSON.stringify(body) })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .execute();
  }

  /** A request that failed before an answer worth keeping: let the key be used again. */
  async release(userId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).where('response_status', 'is', null).execute();
  }
}
