import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

/**
 * The entitlements NOTIFY of a subscription UPDATE (migrations 0021, 0022, 0024): every column
 * the engine's answer may depend on notifies; the renewal schedule (`next_renewal_at`,
 * `updated_at`, written by every lease and wake-up of the renewal worker) does not. The columns
 * are read from the catalog, so a column added later without its place in the trigger's
 * condition fails here.
 */
const QUIET = new Set(['next_renewal_at', 'updated_at']);
const T = '2026-12-05T00:00:00Z';

let db: TestDb;
let heard: string[] = [];
let stop: () => Promise<void>;
let sentinels = 0;

beforeAll(async () => {
  db = await createTestDb();
  stop = await db.listen('entitlements', (p) => heard.push(p), () => {});
}, 60_000);
afterAll(async () => {
  await stop?.();
  await db?.close();
});

/** Everything notified by the writes committed so far (notifications arrive in commit order). */
async function heardSoFar(): Promise<string[]> {
  const mark = `s:sentinel-${++sentinels}`;
  await sql`SELECT pg_notify('entitlements', ${mark})`.execute(db.db);
  const until = Date.now() + 5_000;
  while (!heard.includes(mark) && Date.now() < until) await new Promise((ok) => setTimeout(ok, 10));
  expect(heard).toContain(mark);
  const out = heard.filter((p) => !p.startsWith('s:sentinel-'));
  heard = [];
  return out;
}

async function subscriptionOf(user: string): Promise<void> {
  await sql`INSERT INTO users (id, created_at) VALUES (${user}, ${T}::timestamptz)`.execute(db.db);
  await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start,
      current_period_end, created_at, updated_at, next_renewal_at, agreed_price_krw)
    VALUES (${`sub-${user}`}, ${user}, 'standard', 'active', 'kakaopay', 'key', true, ${T}::timestamptz,
      ${T}::timestamptz + interval '30 days', ${T}::timestamptz, ${T}::timestamptz, ${T}::timestamptz + interval '29 days', 29000)`.execute(db.db);
}

/** An expression giving `column` (of type `type`) another value than it has. */
function changed(column: string, type: string, user: string) {
  if (column === 'status') return sql`'past_due'`;
  if (column === 'user_id') return sql`${`${user}-other`}::text`;
  const c = sql.ref(column);
  if (type === 'text') return sql`coalesce(${c}, '') || 'x'`;
  if (type === 'bigint' || type === 'integer') return sql`coalesce(${c}, 0) + 1`;
  if (type === 'boolean') return sql`NOT coalesce(${c}, false)`;
  if (type.startsWith('timestamp')) return sql`coalesce(${c}, ${T}::timestamptz) + interval '1 second'`;
  throw new Error(`no changed value for ${column} (${type}): add one here`);
}

describe('entitlements NOTIFY of subscription updates', () => {
  it('an update of any column but the renewal schedule notifies its user; a schedule-only update does not', async () => {
    const columns = (
      await sql<{ column_name: string; data_type: string }>`
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'subscriptions' ORDER BY ordinal_position`.execute(db.db)
    ).rows;
    expect(columns.map((c) => c.column_name)).toEqual(expect.arrayContaining([...QUIET, 'status', 'plan_id', 'current_period_end']));
    const loud = columns.filter((c) => !QUIET.has(c.column_name));

    for (const c of loud) await subscriptionOf(`u-${c.column_name}`);
    await subscriptionOf('u-quiet');
    await sql`INSERT INTO users (id, created_at) VALUES ('u-user_id-other', ${T}::timestamptz)`.execute(db.db);
    await heardSoFar(); // the inserts' own notifications

    for (const c of loud) {
      const user = `u-${c.column_name}`;
      await sql`UPDATE subscriptions SET ${sql.ref(c.column_name)} = ${changed(c.column_name, c.data_type, user)}
        WHERE id = ${`sub-${user}`}`.execute(db.db);
    }
    await sql`UPDATE subscriptions SET next_renewal_at = next_renewal_at + interval '1 minute', updated_at = updated_at + interval '1 minute'
      WHERE id = 'sub-u-quiet'`.execute(db.db);
    const got = await heardSoFar();

    for (const c of loud) expect(got, c.column_name).toContain(`s:u-${c.column_name}`);
    expect(got).toContain('s:u-user_id-other'); // a subscription moved to another user tells both
    expect(got).not.toContain('s:u-quiet');
  });
});
