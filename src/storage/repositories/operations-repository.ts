import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { MIGRATION_NAMES } from '../migrate.ts';
import { inText } from './in-text.ts';

/** Backlog figures for `/metrics` (gauges read at scrape time). Ages in seconds, 0 when empty. */
export interface BacklogFigures {
  /** Payments whose outcome at the provider is not known yet (timeouts), by provider. */
  unknownPayments: { provider: string; count: number; oldestAgeSeconds: number }[];
  /** Refunds not settled (requested or unknown). */
  unsettledRefunds: { count: number; oldestAgeSeconds: number };
  /** Renewal lag: how long the oldest due subscription step has been waiting (0 when none is due). */
  renewalLagSeconds: number;
  renewalsDue: number;
  /** Outbox queues: pending notices and billing-key revocations, with the age of the oldest due item. */
  outbox: { queue: 'notices' | 'billing_key_revocations'; pending: number; oldestAgeSeconds: number }[];
}

/**
 * History rows whose parent is missing, by table (a full scan of each: for audits and checks, not
 * for a request path). These tables have no foreign key to their parent since 0028 (their
 * writers derive each row from its parent in the same statement); a sound database has none.
 */
export const ORPHAN_ROWS_SQL = `SELECT 'payment_events' AS "table", count(*)::int AS n FROM payment_events e
    WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = e.payment_id)
  UNION ALL SELECT 'subscription_events', count(*)::int FROM subscription_events e
    WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.id = e.subscription_id)
  UNION ALL SELECT 'engine_events', count(*)::int FROM engine_events e
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)`;

/**
 * Operational reads and writes: readiness checks, worker heartbeats, the shared test-clock
 * offset and backlog figures. No business state changes here.
 */
export class OperationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Throws unless the database answers. */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  /** Migrations this build knows that the database has not applied (all of them when none ran). */
  async pendingMigrations(): Promise<string[]> {
    let applied: Set<string>;
    try {
      const r = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(this.db);
      applied = new Set(r.rows.map((x) => x.name));
    } catch {
      applied = new Set();
    }
    return MIGRATION_NAMES.filter((n) => !applied.has(n));
  }

  async beat(worker: { id: string; host: string; pid: number; startedAt: Date }, now: Date): Promise<void> {
    await this.db
      .insertInto('worker_heartbeats')
      .values({ worker_id: worker.id, host: worker.host, pid: worker.pid, started_at: worker.startedAt, beat_at: now })
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ beat_at: now }))
      .execute();
    // Workers that died without a goodbye leave a row; a day later it is only noise.
    await this.db.deleteFrom('worker_heartbeats').where('beat_at', '<', new Date(now.getTime() - 86_400_000)).execute();
  }

  async forgetWorker(workerId: string): Promise<void> {
    await this.db.deleteFrom('worker_heartbeats').where('worker_id', '=', workerId).execute();
  }

  /** The newest heartbeat of any worker, or null when none is recorded. */
  async lastBeat(): Promise<Date | null> {
    const r = await this.db.selectFrom('worker_heartbeats').select((eb) => eb.fn.max('beat_at').as('last')).executeTakeFirst();
    return r?.last ? new Date(r.last as Date) : null;
  }

  async liveWorkers(since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('worker_heartbeats')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('beat_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The sandbox test clock's offset in ms (0 when never moved). */
  async testClockOffset(): Promise<number> {
    const r = await this.db.selectFrom('test_clock').select('offset_ms').where('id', '=', 1).executeTakeFirst();
    return r ? Number(r.offset_ms) : 0;
  }

  async saveTestClockOffset(offsetMs: number, now: Date): Promise<void> {
    await this.db
      .insertInto('test_clock')
      .values({ id: 1, offset_ms: offsetMs, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ offset_ms: offsetMs, updated_at: now }))
      .execute();
  }

  /** `ORPHAN_ROWS_SQL`: the tables with rows whose parent is missing, and how many (empty when sound). */
  async orphanRows(): Promise<{ table: string; n: number }[]> {
    const r = await sql<{ table: string; n: number }>`${sql.raw(ORPHAN_ROWS_SQL)}`.execute(this.db);
    return r.rows.filter((x) => Number(x.n) > 0).map((x) => ({ table: x.table, n: Number(x.n) }));
  }

  async backlog(now: Date): Promise<BacklogFigures> {
    const age = (oldest: unknown) => (oldest ? Math.max(0, (now.getTime() - new Date(oldest as Date).getTime()) / 1000) : 0);
    const unknown = await this.db
      .selectFrom('payments')
      .select((eb) => ['provider', eb.fn.countAll<number>().as('n'), eb.fn.min('updated_at').as('oldest')])
      .where('status', '=', inText('unknown'))
      .groupBy('provider')
      .execute();
    const refunds = await sql<{ n: number; oldest: Date | null }>`
      SELECT count(*) AS n, min(updated_at) AS oldest FROM refunds WHERE status IN ('requested', 'unknown')`.execute(this.db);
    const due = await this.db
      .selectFrom('subscriptions')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('next_renewal_at').as('oldest')])
      .where('next_renewal_at', '<=', now)
      .executeTakeFirstOrThrow();
    const notices = await this.db
      .selectFrom('notices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', inText('pending'))
      .executeTakeFirstOrThrow();
    const noticesDue = await this.db
      .selectFrom('notices')
      .select((eb) => eb.fn.min('next_attempt_at').as('oldest'))
      .where('status', '=', inText('pending'))
      .where('next_attempt_at', '<=', now)
      .executeTakeFirstOrThrow();
    const revocations = await this.db
      .selectFrom('billing_key_revocations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', inText('pending'))
      .executeTakeFirstOrThrow();
    const revocationsDue = await this.db
      .selectFrom('billing_key_revocations')
      .select((eb) => eb.fn.min('next_attempt_at').as('oldest'))
      .where('status', '=', inText('pending'))
      .where('next_attempt_at', '<=', now)
      .executeTakeFirstOrThrow();
    return {
      unknownPayments: unknown.map((r) => ({ provider: r.provider, count: Number(r.n), oldestAgeSeconds: age(r.oldest) })),
      unsettledRefunds: { count: Number(refunds.rows[0]?.n ?? 0), oldestAgeSeconds: age(refunds.rows[0]?.oldest) },
      renewalLagSeconds: age(due.oldest),
      renewalsDue: Number(due.n),
      outbox: [
        { queue: 'notices', pending: Number(notices.n), oldestAgeSeconds: age(noticesDue.oldest) },
        { queue: 'billing_key_revocations', pending: Number(revocations.n), oldestAgeSeconds: age(revocationsDue.oldest) },
      ],
    };
  }
}
