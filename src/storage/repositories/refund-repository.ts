import type { Kysely, Transaction } from 'kysely';
import type { UsageRecord, UsageStore } from '../../domain/payment/refund-store.ts';
import type { Database } from '../schema.ts';

export class KyselyUsageRepository implements UsageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordUsage(u: UsageRecord) {
    await this.db
      .insertInto('usage_events')
      .values({ user_id: u.userId, feature: u.feature, occurred_at: u.occurredAt, recorded_by: u.recordedBy })
      .execute();
  }

  async lastUsageSince(userId: string, since: Date) {
    const r = await this.db
      .selectFrom('usage_events')
      .selectAll()
      .where('user_id', '=', userId)
      .where('occurred_at', '>=', since)
      .orderBy('occurred_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { userId: r.user_id, feature: r.feature, occurredAt: r.occurred_at, recordedBy: r.recorded_by } : undefined;
  }
}
