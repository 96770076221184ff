import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDb, type DbHandle } from '../../src/storage/create-db.ts';

/**
 * Named (prepared) statements are on by default on PostgreSQL. A prepared statement whose result
 * columns change under it (a migration adds a column to a table read with `SELECT *` while the
 * service runs) fails in PostgreSQL with "cached plan must not change result type". The service
 * must carry on: outside a transaction the statement did not run, so it is sent again under a
 * fresh name; inside one the transaction fails once, and the next one works.
 */
const url = process.env.DATABASE_URL;

describe.skipIf(!url)('prepared statements on PostgreSQL', () => {
  const schema = `t_prep_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;
  let h: DbHandle;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.things (id int PRIMARY KEY, name text NOT NULL)`);
    await admin.query(`INSERT INTO ${schema}.things VALUES (1, 'one'), (2, 'two')`);
    // One connection, so every query below meets the statement prepared before.
    h = await createDb({ kind: 'postgres', url: url!, searchPath: schema, poolSize: 1 });
  });
  afterAll(async () => {
    await h?.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  const byId = (id: number) => sql<Record<string, unknown>>`SELECT * FROM things WHERE id = ${id}`.execute(h.db);

  it('are prepared by default: the server holds them', async () => {
    await byId(1);
    await byId(2);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'select * from things%' OR statement LIKE 'SELECT * FROM things%'`.execute(h.db);
    expect(r.rows[0]!.n).toBe(1);
  });

  it('batch statements (a list of parameters, several VALUES rows) run unnamed, planned with their values', async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    await sql`SELECT id FROM things WHERE id IN (${sql.join(ids)})`.execute(h.db);
    await sql`SELECT x FROM (VALUES (${1}::int), (${2}::int), (${3}::int)) AS v (x)`.execute(h.db);
    await sql`SELECT x FROM (VALUES (${1}::int, ${2}::int)) AS v (x, y) WHERE x = ${1}`.execute(h.db);
    const r = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`.execute(h.db);
    const texts = r.rows.map((x) => x.statement);
    expect(texts.some((t) => t.includes('IN ('))).toBe(false);
    expect(texts.some((t) => t.includes('), ('))).toBe(false);
    // A single row of VALUES is not a list: it is prepared.
    expect(texts.some((t) => t.includes('AS v (x, y)'))).toBe(true);
  });

  it('a column added under a prepared SELECT *: the next call outside a transaction succeeds with the new column', async () => {
    expect((await byId(1)).rows[0]).toEqual({ id: 1, name: 'one' });
    await admin.query(`ALTER TABLE ${schema}.things ADD COLUMN color text NOT NULL DEFAULT 'red'`);
    expect((await byId(1)).rows[0]).toEqual({ id: 1, name: 'one', color: 'red' });
    expect((await byId(2)).rows[0]).toEqual({ id: 2, name: 'two', color: 'red' });
  });

  it('inside a transaction the first attempt fails (its transaction is aborted), the next succeeds', async () => {
    const inTx = () =>
      h.db.transaction().execute(async (tx) => {
        const r = await sql<Record<string, unknown>>`SELECT * FROM things WHERE id = ${2} FOR UPDATE`.execute(tx);
        return r.rows[0];
      });
    expect(await inTx()).toEqual({ id: 2, name: 'two', color: 'red' });
    await admin.query(`ALTER TABLE ${schema}.things ADD COLUMN size int NOT NULL DEFAULT 3`);
    await expect(inTx()).rejects.toThrow(/cached plan must not change result type/);
    expect(await inTx()).toEqual({ id: 2, name: 'two', color: 'red', size: 3 });
    // The connection is still usable outside a transaction too.
    expect((await byId(1)).rows[0]).toEqual({ id: 1, name: 'one', color: 'red', size: 3 });
  });

  it('can be turned off (a transaction-pooling proxy): nothing is prepared', async () => {
    const off = await createDb({ kind: 'postgres', url: url!, searchPath: schema, poolSize: 1, preparedStatements: false });
    try {
      await sql`SELECT * FROM things WHERE id = ${1}`.execute(off.db);
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(off.db);
      expect(r.rows[0]!.n).toBe(0);
    } finally {
      await off.close();
    }
  });
});
