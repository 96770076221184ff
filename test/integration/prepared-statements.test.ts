import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDb, READS_NO_TABLE, type DbHandle } from '../../src/storage/create-db.ts';

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

  it('a plain multi-row INSERT … VALUES reads no table, so it is prepared (one that reads or returns rows is not), and so is a text marked READS_NO_TABLE', async () => {
    await admin.query(`CREATE TABLE ${schema}.notes (id int PRIMARY KEY, body text NOT NULL)`);
    await sql`INSERT INTO notes (id, body) VALUES (${1}, ${'a'}), (${2}, ${'b'}) ON CONFLICT (id) DO NOTHING`.execute(h.db);
    await sql`INSERT INTO notes (id, body) VALUES (${3}, ${'c'}), (${4}, ${'d'}) RETURNING id`.execute(h.db);
    await sql`INSERT INTO notes (id, body) SELECT x, 'e' FROM (VALUES (${5}::int), (${6}::int)) AS v (x)`.execute(h.db);
    const r = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO notes%'`.execute(h.db);
    expect(r.rows.map((x) => x.statement)).toEqual([expect.stringContaining('ON CONFLICT (id) DO NOTHING')]);
    expect(((await sql<{ n: number }>`SELECT count(*)::int AS n FROM notes`.execute(h.db)).rows[0]!.n)).toBe(6);
    // Code that knows a list-shaped statement reads no table says so first in its text.
    await sql`${sql.raw(READS_NO_TABLE)}SELECT x FROM (VALUES (${7}::int), (${8}::int)) AS w (x)`.execute(h.db);
    const marked = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '/* reads no table */%AS w (x)'`.execute(h.db);
    expect(marked.rows[0]!.n).toBe(1);
  });

  it('at most 100 list-shaped texts are prepared (a batch text per length must not crowd out the rest)', async () => {
    const own = await createDb({ kind: 'postgres', url: url!, searchPath: schema, poolSize: 1 });
    try {
      await sql`CREATE TABLE many (id int PRIMARY KEY)`.execute(own.db);
      let id = 0;
      for (let rows = 2; rows <= 121; rows++) {
        await sql`INSERT INTO many (id) VALUES ${sql.join(Array.from({ length: rows }, () => sql`(${++id})`))}`.execute(own.db);
      }
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO many%'`.execute(own.db);
      expect(r.rows[0]!.n).toBe(100);
      // A single statement after them still gets its name.
      await sql`SELECT id FROM many WHERE id = ${1}`.execute(own.db);
      const one = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT id FROM many%'`.execute(own.db);
      expect(one.rows[0]!.n).toBe(1);
    } finally {
      await own.close();
    }
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
