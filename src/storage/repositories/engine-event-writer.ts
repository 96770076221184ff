import { sql, type Kysely, type Transaction } from 'kysely';
import type { IdGenerator } from '../../domain/ports.ts';
import type { PlanCatalog } from '../../domain/plans.ts';
import type { Subscription } from '../../domain/records.ts';
import type { NewEngineEvent } from '../../domain/engine/engine-events.ts';
import { engineEventPayload, engineEventTypeOf, entitlementOf } from '../../domain/engine/entitlements.ts';
import type { Database } from '../schema.ts';

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
  ) {}

  /** The events a change means (none, or the change's event and `entitlements.updated`). */
  eventsFor(before: SubscriptionSnapshot | undefined, after: SubscriptionSnapshot, cause: string, at: Date, data?: unknown): NewEngineEvent[] {
    const type = engineEventTypeOf(before, after, cause);
    if (!type) return [];
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
 * Appends many events in two statements: each user's sequence row is bumped once by the
 * number of its events (rows locked in user id order, so concurrent batches cannot deadlock),
 * then all events are inserted with consecutive seqs in the order given.
 */
export async function appendEngineEvents(db: Db, events: readonly NewEngineEvent[]): Promise<void> {
  if (events.length === 0) return;
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.userId, (counts.get(e.userId) ?? 0) + 1);
  const users = [...counts.keys()].sort();
  const bumped = await db
    .insertInto('engine_event_sequences')
    .values(users.map((u) => ({ user_id: u, last_seq: counts.get(u)! })))
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seq: sql<number>`engine_event_sequences.last_seq + excluded.last_seq` }))
    .returning(['user_id', 'last_seq'])
    .execute();
  const next = new Map(bumped.map((r) => [r.user_id, Number(r.last_seq) - counts.get(r.user_id)! + 1]));
  await db
    .insertInto('engine_events')
    .values(
      events.map((e) => {
        const seq = next.get(e.userId)!;
        next.set(e.userId, seq + 1);
        return {
          id: e.id,
          user_id: e.userId,
          seq,
          type: e.type,
          payload: JSON.stringify(e.payload),
          occurred_at: e.occurredAt,
          created_at: e.occurredAt,
        };
      }),
    )
    .execute();
}
