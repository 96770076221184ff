import type { Kysely, Transaction } from 'kysely';
import type { UsageRecord, UsageStore } from '../../domain/payment/refund-store.ts';
import type { RefundRepository, RefundUnitOfWork } from '../../domain/repositories.ts';
import type { Database } from '../schema.ts';
import type { EngineEventWriter } from './engine-event-writer.ts';
import { KyselyBillingRepository } from './billing-repository.ts';
import { KyselyRefundStore } from './refund-store.ts';

/** Refund rows plus the refund use cases' unit of work, opened by the billing repository's `transaction`. */
export class KyselyRefundRepository extends KyselyRefundStore implements RefundRepository {
  /** `engine`: handed to the billing repositories of its transactions (trading-engine events). */
  constructor(
    db: Kysely<Database> | Transaction<Database>,
    private readonly engine?: EngineEventWriter,
  ) {
    super(db);
  }

  transaction<T>(fn: (tx: RefundUnitOfWork) => Promise<T>): Promise<T> {
    return new KyselyBillingRepository(this.db, this.engine).transaction((billing) => fn({ billing, refunds: billing.refunds() }));
  }
}

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
