import { sql, type Kysely, type Transaction } from 'kysely';
import type { IdGenerator } from '../../domain/ports.ts';
import type { PlanCatalog } from '../../domain/plans.ts';
import type { Subscription } from '../../domain/records.ts';
import type { NewEngineEvent } from '../../domain/engine/engine-events.ts';
import { engineEventPayload, engineEventTypeOf, entitlementOf } from '../../domain/engine/entitlements.ts';
import type { Database } from '../schema.ts';
import { READS_NO_TABLE } from '../create-db.ts';
import type { StatementPart } from './compare-and-set.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type SubscriptionSnapshot = Pick<Subscription, 'id' | 'userId' | 'status' | 'planId' | 'currentPeriodEnd' | 'graceUntil'>;

/**
 * The one home of the trading engine's subscription events (docs/trading-engine.md, "Events").
 * The billing repository calls it for every subscription write that can change entitlements
 * (`transitionSubscription`, `insertSubscription`, the renewal worker's batch settlement), in the
 * transaction of the write: a change the engine cares about becomes its event followed by an
 * `entitlements.updated`, both with the entitlements after the change.
 */
export class EngineEventWriter {
  constructor(
    private readonly plans: PlanCatalog,
    private readonly ids: IdGenerator,
    /** Told, before the write commits, of a user whose entitlements it changes (the entitlement cache). */
    private readonly onChange?: (userId: string) => void,
  ) {}

  /** The events a change means (none, or the change's event and `entitlements.updated`). */
  eventsFor(before: SubscriptionSnapshot | undefined, after: SubscriptionSnapshot, cause: string, at: Date, data?: unknown): NewEngineEvent[] {
    const type = engineEventTypeOf(before, after, cause);
    if (!type) return [];
    this.onChange?.(after.userId);
    const e = entitlementOf(after.userId, after, this.plans, at);
    const common = {
      subscription_id: after.id,
      in_grace: e.inGrace,
      grace_until: e.graceUntil?.toISOString() ?? null,
      paid_through: e.paidThrough?.toISOString() ?? null,
    };
    const specific: Record<string, unknown> = { ...common, previous_status: before?.status ?? null };
    if (before && before.planId !== after.planId) Object.assign(specific, { previous_plan: before.planId, subscribed_plan: after.planId });
    if (type === 'payment.refunded') {
      const d = (data ?? {}) as Record<string, unknown>;
      Object.assign(specific, { payment_id: d.payment_id ?? null, refund_id: d.refund_id ?? null, ended_by_refund: cause === 'ended_by_refund' });
    }
    return [
      { id: this.ids.next('evt'), userId: after.userId, type, payload: engineEventPayload(e, specific), occurredAt: at },
      { id: this.ids.next('evt'), userId: after.userId, type: 'entitlements.updated', payload: engineEventPayload(e, { ...common, cause: type }), occurredAt: at },
    ];
  }
}

/**
 * Appends many events in one statement: each user's sequence row is bumped once by the number
 * of its events (rows locked in user id order, so concurrent batches cannot deadlock), and all
 * events are inserted with consecutive seqs, in the order given, from the bumped values.
 */
export async function appendEngineEvents(db: Db, events: readonly NewEngineEvent[]): Promise<void> {
  if (events.length === 0) return;
  const [bumped, inserted] = engineEventParts(events);
  // Its VALUES, the sequences' upsert (by their key) and the CTE it returns: prepared (create-db.ts).
  await sql`${sql.raw(READS_NO_TABLE)}WITH ${sql.ref(bumped!.name)} AS (${bumped!.body}) ${inserted!.body}`.execute(db);
}

/** `appendEngineEvents` as parts of another statement (none for no events). */
export function engineEventParts(events: readonly NewEngineEvent[]): StatementPart[] {
  if (events.length === 0) return [];
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.userId, (counts.get(e.userId) ?? 0) + 1);
  const users = [...counts.keys()].sort();
  const seen = new Map<string, number>();
  // k: the event's place among its user's events (1-based); n: that user's count. seq = last_seq - n + k.
  const rows = events.map((e, i) => {
    const k = (seen.get(e.userId) ?? 0) + 1;
    seen.set(e.userId, k);
    return sql`(${i}::int, ${e.id}::text, ${e.userId}::text, ${k}::int, ${counts.get(e.userId)!}::int, ${e.type}::text, ${JSON.stringify(e.payload)}::jsonb, ${e.occurredAt}::timestamptz)`;
  });
  return [
    {
      name: 'bumped',
      body: sql`INSERT INTO engine_event_sequences (user_id, last_seq)
      VALUES ${sql.join(users.map((u) => sql`(${u}, ${counts.get(u)!}::bigint)`))}
      ON CONFLICT (user_id) DO UPDATE SET last_seq = engine_event_sequences.last_seq + excluded.last_seq
      RETURNING user_id, last_seq`,
    },
    {
      name: 'engine_rows',
      body: sql`INSERT INTO engine_events (id, user_id, seq, type, payload, occurred_at, created_at)
    SELECT v.id, v.user_id, b.last_seq - v.n + v.k, v.type, v.payload, v.at, v.at
    FROM (VALUES ${sql.join(rows)}) AS v(i, id, user_id, k, n, type, payload, at)
    JOIN bumped b ON b.user_id = v.user_id
    ORDER BY v.i`,
    },
  ];
}
