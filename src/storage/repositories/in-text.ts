import { sql, type RawBuilder } from 'kysely';

/**
 * A constant of the code (a state or kind a query is about) written into the statement's text
 * instead of sent as a parameter. Statements are prepared on PostgreSQL (src/storage/create-db.ts),
 * and PostgreSQL may run a prepared statement with a generic plan, made without the parameters'
 * values: in such a plan `status = $1` cannot use a partial index `WHERE status = 'pending'`, and a
 * queue's claim reads the whole table (test/integration/generic-plans.test.ts). Never for a value
 * that came from outside.
 */
export function inText<T extends string>(value: T): RawBuilder<T> {
  return sql.lit(value);
}

/** `inText` for each value of an `in` list. */
export function allInText<const T extends string>(values: readonly T[]): RawBuilder<T>[] {
  return values.map((v) => inText(v));
}
