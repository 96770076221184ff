import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type IdempotencyClaim =
  /**
   * This request holds the key; `claimedAt` is its lease token (renew, complete and release
   * only while it is still ours). `takeover`: an earlier holder's lease ran out without an
   * answer (its process died); `firstClaimedAt` is when that earlier request started.
   */
  | { state: 'new'; claimedAt: Date; takeover: boolean; firstClaimedAt: Date }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_flight' }
  | { state: 'mismatch' };

/**
 * Incoming `Idempotency-Key` records: one per (user, key), with the request's hash and our
 * answer. A claim without an answer is a lease of `leaseMs` from `claimed_at`: the holder
 * renews it while it works; once it runs out (the holder died), a later request with the same
 * key and body takes the key over with compare-and-set on `claimed_at` (docs/faults.md).
 */
export class IdempotencyRepository {
  readonly leaseMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    opts: { leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  async claim(userId: string, key: string, requestHash: string, at: Date): Promise<IdempotencyClaim> {
    for (let round = 0; round < 3; round++) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({ user_id: userId, key, request_hash: requestHash, response_status: null, response_body: null, created_at: at, claimed_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) return { state: 'new', claimedAt: at, takeover: false, firstClaimedAt: at };
      const row = await this.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!row) continue; // released meanwhile: claim again
      if (row.request_hash !== requestHash) return { state: 'mismatch' };
      if (row.response_status !== null) return { state: 'replay', status: row.response_status, body: row.response_body };
      if (row.claimed_at.getTime() + this.leaseMs > at.getTime()) return { state: 'in_flight' };
      // The holder's lease ran out without an answer: take over, unless someone else just did.
      const taken = await this.db
        .updateTable('idempotency_keys')
        .set({ claimed_at: at })
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .where('response_status', 'is', null)
        .where('claimed_at', '=', row.claimed_at)
        .returning('key')
        .executeTakeFirst();
      if (taken) return { state: 'new', claimedAt: at, takeover: true, firstClaimedAt: row.created_at };
    }
    return { state: 'in_flight' };
  }

  /** Extends the lease of the holder whose token is `claimedAt`; returns the new token, or null if the key was taken over. */
  async renew(userId: string, key: string, claimedAt: Date, at: Date): Promise<Date | null> {
    const r = await this.db
      .updateTable('idempotency_keys')
      .set({ claimed_at: at })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .where('claimed_at', '=', claimedAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0 ? at : null;
  }

  /** Stores the answer, if the claim is still ours; false when another request took the key over. */
  async complete(userId: string, key: string, claimedAt: Date, status: number, body: unknown): Promise<boolean> {
    const r = await this.db
      .updateTable('idempotency_keys')
      .set({ response_status: status, response_body: JSON.stringify(body) })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .where('claimed_at', '=', claimedAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A request that failed before an answer worth keeping: let the key be used again (if still ours). */
  async release(userId: string, key: string, claimedAt: Date): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .where('claimed_at', '=', claimedAt)
      .execute();
  }
}
