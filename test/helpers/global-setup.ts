import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateToLatest } from '../../src/storage/migrate.ts';

/**
 * PGlite's initdb costs seconds; a migrated template is made once per run and
 * every test file loads a copy of it (under a second).
 */
export default async function setup() {
  if (process.env.DATABASE_URL) return postgresSetup(process.env.DATABASE_URL);
  const dir = mkdtempSync(join(tmpdir(), 'smts-pglite-'));
  const client = await PGlite.create();
  const db = new Kysely<any>({ dialect: new PGliteDialect(client) });
  await migrateToLatest(db);
  const dump = await client.dumpDataDir('none');
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.destroy();
  process.env.TEST_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * PostgreSQL: every test file makes its own schema, named `t_<run>_<random>`. The schemas are
 * dropped here, when the whole run is over, not when each file closes: a query still in flight from
 * a closing stack (a background loop, a request answered late) would otherwise meet a schema that
 * is gone and fail whichever test happens to be running then.
 */
async function postgresSetup(url: string) {
  const run = randomBytes(3).toString('hex');
  process.env.TEST_SCHEMA_RUN = run;
  return async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`t\\_${run}\\_%`]);
      for (const r of rows) await c.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
    } finally {
      await c.end();
    }
  };
}
