import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type DbHandle } from '../../src/storage/create-db.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';

export interface TestDb extends DbHandle {
  /** Empties every table (between tests). */
  reset(): Promise<void>;
  label: string;
  /** PostgreSQL only: the pool's application_name (unique per test file), to find its backends. */
  applicationName?: string;
  /** PostgreSQL only: the file's schema. */
  schema?: string;
}

/**
 * One database per test file: with DATABASE_URL, a fresh schema in that
 * PostgreSQL database (dropped at close); otherwise an in-memory PGlite
 * loaded from the migrated template made by global-setup.
 */
export async function createTestDb(opts: { poolSize?: number } = {}): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  let handle: DbHandle;
  let label: string;
  let applicationName: string | undefined;
  let schemaName: string | undefined;
  let drop = async () => {};
  if (url) {
    // Named for the run so global-setup drops it when the run ends (see there why not at close).
    const run = process.env.TEST_SCHEMA_RUN;
    const schema = run ? `t_${run}_${randomBytes(6).toString('hex')}` : `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    applicationName = `smts-test-${schema}`;
    schemaName = schema;
    handle = await createDb({ kind: 'postgres', url, searchPath: schema, poolSize: opts.poolSize ?? 10, applicationName });
    await migrateToLatest(handle.db, schema);
    label = `postgres:${schema}`;
    // Inside a vitest run the schema outlives the file (dropped by global-setup's teardown).
    if (run) drop = async () => {};
    else drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
  } else {
    const template = process.env.TEST_PGLITE_TEMPLATE;
    handle = await createDb({
      kind: 'pglite',
      dataDir: null,
      ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}),
    });
    if (!template) await migrateToLatest(handle.db);
    label = 'pglite';
  }
  return {
    ...handle,
    label,
    applicationName,
    schema: schemaName,
    async reset() {
      const tables = await sql<{ tablename: string }>`
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename NOT LIKE 'kysely_%'`.execute(handle.db);
      if (tables.rows.length === 0) return;
      const list = tables.rows.map((t) => `"${t.tablename}"`).join(', ');
      await sql.raw(`TRUNCATE ${list} RESTART IDENTITY CASCADE`).execute(handle.db);
    },
    async close() {
      await handle.close();
      await drop();
    },
  };
}
