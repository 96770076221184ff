import { sql, type Kysely } from 'kysely';

// Batches of the trading engine's writes (issue 10, "Numbers"): reservations, or commits, that
// arrive together are sent as ONE statement, one transaction, one durable commit
// (storage/repositories/engine-write-batcher.ts). Each item runs the single function of 0021
// (engine_reserve / engine_commit) unchanged, so it answers what it would have answered alone
// after the items before it. Items run ordered by (user, cap period, arrival): every batch takes
// the users' usage rows in the same order (no deadlock between batches) and one user's items
// keep their arrival order. The answer is a jsonb array, one result per item, in the items' order.
// An item that raises fails the whole batch (rolled back); the caller then runs the items one by one.
/** `name`(p_items jsonb): `call` (the single function on item `v_item.v`) for each item, in lock order. */
const many = (name: string, call: string) =>
  sql.raw(`CREATE FUNCTION ${name}(p_items jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
    DECLARE
      v_item record;
      v_out jsonb[] := array_fill(NULL::jsonb, ARRAY[jsonb_array_length(p_items)]);
    BEGIN
      FOR v_item IN SELECT x.value AS v, x.n::int AS n FROM jsonb_array_elements(p_items) WITH ORDINALITY AS x(value, n)
          ORDER BY x.value ->> 'user' COLLATE "C", (x.value ->> 'period')::timestamptz, x.n LOOP
        v_out[v_item.n] := ${call};
      END LOOP;
      RETURN to_jsonb(v_out);
    END $$`);

const statements = [
  // p_items: [{user, trade, id, period, amount, created, expires, now, version, limit, allowed}, …]
  many(
    'engine_reserve_many',
    `engine_reserve(v_item.v ->> 'user', v_item.v ->> 'trade', v_item.v ->> 'id',
      (v_item.v ->> 'period')::timestamptz, (v_item.v ->> 'amount')::bigint, (v_item.v ->> 'created')::timestamptz,
      (v_item.v ->> 'expires')::timestamptz, (v_item.v ->> 'now')::timestamptz, v_item.v ->> 'version',
      (v_item.v ->> 'limit')::bigint, (v_item.v ->> 'allowed')::boolean)`,
  ),
  // p_items: [{id, user, period, amount, now, version, limit, events}, …]; `period` (the
  // reservation's cap period, as the caller knows it) only orders the items.
  many(
    'engine_commit_many',
    `engine_commit(v_item.v ->> 'id', v_item.v ->> 'user', (v_item.v ->> 'amount')::bigint,
      (v_item.v ->> 'now')::timestamptz, v_item.v ->> 'version', (v_item.v ->> 'limit')::bigint, v_item.v -> 'events')`,
  ),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS engine_commit_many(jsonb)`.execute(db);
  await sql`DROP FUNCTION IF EXISTS engine_reserve_many(jsonb)`.execute(db);
}
