import pg from 'pg';
import type { DbTarget } from '../src/storage/create-db.ts';

/**
 * Named (server-prepared) statements in every bench process, as in the service by default
 * (`DATABASE_PREPARED_STATEMENTS`); `BENCH_PREPARED=0` runs the whole bench without them.
 */
export const BENCH_PREPARED = process.env.BENCH_PREPARED !== '0';

/** The database of a bench child composed from its config: a pool of BENCH_POOL (else `defaultPool`) connections, and BENCH_PREPARED. */
export function benchDbTarget(target: DbTarget, defaultPool: number): DbTarget {
  return target.kind === 'postgres' ? { ...target, poolSize: Number(process.env.BENCH_POOL ?? defaultPool), preparedStatements: BENCH_PREPARED } : target;
}

/** A fresh PostgreSQL database for one bench run, dropped afterwards (kept with `BENCH_KEEP_DB=1`, to inspect). */
export async function freshPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      if (process.env.BENCH_KEEP_DB === '1') {
        console.error(`BENCH_KEEP_DB=1: database ${name} kept`);
        return;
      }
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
