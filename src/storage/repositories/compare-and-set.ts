import { sql, type Kysely, type QueryCreator, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { AuditEvent } from '../../domain/repositories.ts';

/** Tables whose rows move through a state machine (a `status` column checked against a transition table). */
export type StatusTableName = 'payments' | 'subscriptions' | 'refunds' | 'billing_cycles';

/** Where a table's transitions are audited; tables missing here keep no audit rows. */
const AUDIT_TABLES = {
  payments: { table: 'payment_events', owner: 'payment_id' },
  subscriptions: { table: 'subscription_events', owner: 'subscription_id' },
} as const satisfies Partial<Record<StatusTableName, { table: keyof Database; owner: string }>>;

type Status<T extends StatusTableName> = Selectable<Database[T]> extends { status: infer S } ? S : never;

export interface StatusMove<T extends StatusTableName> {
  id: string;
  from: Status<T>;
  to: Status<T>;
  at: Date;
  /** Other columns written with the new status (`status` and `updated_at` are added). */
  set?: Record<string, unknown>;
  /** The audit row (tables with one): its type (default `transition`) and data. */
  event?: { type?: string; data?: unknown };
  /**
   * Columns to return as they were before the change, as `before_<column>`. The row is then
   * locked by a subquery of the same statement, so no separate locking read is needed.
   */
  before?: readonly string[];
  /**
   * Other writes of the same statement (data-modifying CTEs, after `moved`); one that selects
   * from `moved` writes only when the row moved.
   */
  also?: readonly StatementPart[];
  /** The row's version (`xmin::text`) as read: moves it only if unchanged since (not with `before`). */
  version?: string;
}

/** A named data-modifying CTE to run in another write's statement. */
export interface StatementPart {
  name: string;
  body: RawBuilder<unknown>;
}

/** `q` with `parts` added as CTEs. */
export function withParts<Q extends { with: (...args: never[]) => unknown }>(q: Q, parts: readonly StatementPart[]): Q {
  let r = q;
  // Kysely types a CTE body as a query builder; a raw body compiles as written, so it brings its parentheses.
  for (const part of parts) r = (r.with as (name: string, body: () => unknown) => Q)(part.name, () => sql`(${part.body})`);
  return r;
}

export type MovedRow<T extends StatusTableName> = Selectable<Database[T]> & Record<`before_${string}`, unknown>;

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * An audit row on its own (not a status move's): selected from its parent row, so none is written
 * without the parent (the audit tables keep no foreign key, migration 0028); throws then.
 */
export async function insertAuditRow(db: Kysely<Database> | Transaction<Database>, parent: keyof typeof AUDIT_TABLES, id: string, e: AuditEvent): Promise<void> {
  const audit = AUDIT_TABLES[parent];
  const r = await sql`INSERT INTO ${sql.table(audit.table)} (${sql.ref(audit.owner)}, type, from_status, to_status, data, created_at)
    SELECT id, ${e.type}, ${e.from}, ${e.to}, ${json(e.data)}::jsonb, ${e.at}::timestamptz FROM ${sql.table(parent)} WHERE id = ${id}`.execute(db);
  if (Number(r.numAffectedRows ?? 0) !== 1) throw new Error(`${parent} row ${id} not found for its audit row`);
}

/**
 * The one compare-and-set on a status: moves row `id` of `table` from `from` to `to`, only if its
 * status is still `from`, and writes the transition's audit row (payments, subscriptions) in the
 * same statement. `assertTransition` (the table's transition check) runs first. Returns the
 * updated row, or undefined when another writer got there first. One statement, one round trip.
 */
export async function compareAndSetStatus<T extends StatusTableName>(
  db: Kysely<Database> | Transaction<Database>,
  table: T,
  assertTransition: (id: string, from: Status<T>, to: Status<T>) => void,
  m: StatusMove<T>,
): Promise<MovedRow<T> | undefined> {
  assertTransition(m.id, m.from, m.to);
  // The table is a parameter, so the query is built untyped; the result is typed by the table.
  const q = db as unknown as Kysely<any>;
  const name: string = table;
  const set: Record<string, unknown> = { ...m.set, status: m.to, updated_at: m.at };
  const before = m.before;
  if (before && m.version !== undefined) throw new Error('compareAndSetStatus: version and before do not go together');
  const update = (qb: QueryCreator<any>) =>
    before
      ? qb
          .updateTable(name)
          .from((eb) => eb.selectFrom(name).select(['id', ...before]).where('id', '=', m.id).forUpdate().as('b'))
          .set(set)
          .whereRef(`${name}.id`, '=', 'b.id')
          .where(`${name}.status`, '=', m.from)
          .returningAll(name)
          .returning(before.map((c) => `b.${c} as before_${c}`))
      : qb
          .updateTable(name)
          .set(set)
          .where('id', '=', m.id)
          .where('status', '=', m.from)
          .$if(m.version !== undefined, (u) => u.where(sql`xmin::text`, '=', m.version))
          .returningAll();

  const audit = (AUDIT_TABLES as Partial<Record<StatusTableName, { table: string; owner: string }>>)[table];
  if (!audit) {
    if (m.also?.length) throw new Error(`compareAndSetStatus: ${table} keeps no audit rows; 'also' needs one`);
    return (await update(q).executeTakeFirst()) as MovedRow<T> | undefined;
  }
  const r = await withParts(q.with('moved', (w) => update(w)), m.also ?? [])
    .with('audit', (w) =>
      w
        .insertInto(audit.table)
        .columns([audit.owner, 'type', 'from_status', 'to_status', 'data', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('moved')
            .select([
              'moved.id',
              sql<string>`${m.event?.type ?? 'transition'}::text`.as('type'),
              sql<string>`${m.from}::text`.as('from_status'),
              sql<string>`${m.to}::text`.as('to_status'),
              sql<string>`${json(m.event?.data)}::jsonb`.as('data'),
              sql<Date>`${m.at}::timestamptz`.as('created_at'),
            ]),
        ),
    )
    .selectFrom('moved')
    .selectAll()
    .executeTakeFirst();
  return r as MovedRow<T> | undefined;
}
