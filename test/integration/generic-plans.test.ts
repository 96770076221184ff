import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/storage/schema.ts';
import { PG_TYPES } from '../../src/storage/create-db.ts';
import { KyselyRenewalRepository } from '../../src/storage/repositories/renewal-repository.ts';
import { OperationsRepository } from '../../src/storage/repositories/operations-repository.ts';
import { KyselyRefundStore } from '../../src/storage/repositories/refund-store.ts';
import { KyselyConsoleRepository } from '../../src/storage/repositories/console-repository.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

/**
 * Statements are prepared on PostgreSQL (src/storage/create-db.ts), and PostgreSQL may run a
 * prepared statement with a generic plan: one made without the parameters' values. In such a
 * plan `status = $1` cannot use a partial index `WHERE status = 'pending'`, so a queue's claim
 * read the whole table: the notice claim took 42 ms a call over 30,000 sent notices in the
 * renewal bench. The states a queue query is about are constants of the code and are written
 * into the statement's text. Each query below is planned generically (`force_generic_plan`)
 * over a table of thousands of finished rows and must use its partial index.
 */
const url = process.env.DATABASE_URL;

describe.skipIf(!url)('queue queries under a generic plan (PostgreSQL)', () => {
  let db: TestDb;
  let logged: Kysely<Database>;
  let pool: pg.Pool;
  let queries: CompiledQuery[] = [];
  const now = new Date('2026-12-05T12:00:00Z');
  const N = 4000;

  beforeAll(async () => {
    db = await createTestDb();
    const t = now.toISOString();
    await sql`INSERT INTO users (id, created_at) SELECT 'u' || i, ${t}::timestamptz FROM generate_series(1, ${N}::int) i`.execute(db.db);
    await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start,
        current_period_end, created_at, updated_at, next_renewal_at, agreed_price_krw)
      SELECT 's' || i, 'u' || i, 'standard', 'active', 'kakaopay', 'key-' || i, true, ${t}::timestamptz, ${t}::timestamptz + interval '30 days',
        ${t}::timestamptz, ${t}::timestamptz, ${t}::timestamptz + interval '30 days', 29000 FROM generate_series(1, ${N}::int) i`.execute(db.db);
    // Thousands of finished rows and two open ones in each queue.
    await sql`INSERT INTO notices (id, user_id, subscription_id, kind, dedupe_key, subject, body, status, next_attempt_at, created_at, updated_at)
      SELECT 'n' || i, 'u' || i, 's' || i, 'renewal_receipt', 'd' || i, '제목', '본문', CASE WHEN i <= 2 THEN 'pending' ELSE 'sent' END,
        ${t}::timestamptz - interval '1 minute', ${t}::timestamptz, ${t}::timestamptz FROM generate_series(1, ${N}::int) i`.execute(db.db);
    await sql`INSERT INTO billing_key_revocations (id, subscription_id, provider, billing_key, reason, status, next_attempt_at, created_at, updated_at)
      SELECT 'r' || i, 's' || i, 'kakaopay', 'old-' || i, 'replaced', CASE WHEN i <= 2 THEN 'pending' ELSE 'done' END,
        ${t}::timestamptz - interval '1 minute', ${t}::timestamptz, ${t}::timestamptz FROM generate_series(1, ${N}::int) i`.execute(db.db);
    await sql`INSERT INTO billing_cycles (id, subscription_id, plan_id, period_start, period_end, amount_krw, status, next_attempt_at, created_at, updated_at)
      SELECT 'c' || i, 's' || i, 'standard', ${t}::timestamptz, ${t}::timestamptz + interval '30 days', 29000,
        CASE WHEN i <= 2 THEN 'retrying' ELSE 'paid' END, ${t}::timestamptz, ${t}::timestamptz, ${t}::timestamptz FROM generate_series(1, ${N}::int) i`.execute(db.db);
    await sql`INSERT INTO payments (id, user_id, subscription_id, provider, kind, plan_id, amount_krw, vat_krw, status, created_at, updated_at)
      SELECT 'p' || i, 'u' || i, 's' || i, 'kakaopay', 'renewal', 'standard', 29000, 2636, 'approved', ${t}::timestamptz, ${t}::timestamptz
      FROM generate_series(1, ${N}::int) i`.execute(db.db);
    // Every approved payment has its provider's transaction id, and a checkout its checkout id;
    // two subscriptions are past due (one still in grace, one over it).
    await sql`UPDATE payments SET provider_ref = 'T' || substr(id, 2), checkout_ref = CASE WHEN id IN ('p1', 'p2') THEN 'C' || substr(id, 2) END`.execute(db.db);
    await sql`UPDATE subscriptions SET status = 'past_due',
        grace_until = CASE id WHEN 's1' THEN ${t}::timestamptz + interval '1 day' ELSE ${t}::timestamptz - interval '1 day' END
      WHERE id IN ('s1', 's2')`.execute(db.db);
    await sql`INSERT INTO refunds (id, payment_id, kind, amount_krw, vat_krw, reason, requested_by, status, created_at, updated_at)
      SELECT 'f' || i, 'p' || i, 'admin', 1000, 90, 'test', 'admin', CASE WHEN i <= 2 THEN 'requested' ELSE 'succeeded' END,
        ${t}::timestamptz - interval '1 hour', ${t}::timestamptz - interval '1 hour' FROM generate_series(1, ${N}::int) i`.execute(db.db);
    await sql`ANALYZE`.execute(db.db);
    // The repositories on a Kysely that keeps every statement it sends, with its parameters.
    pool = new pg.Pool({
      connectionString: url,
      max: 1,
      options: `-c search_path=${db.schema}`,
      types: PG_TYPES,
    });
    logged = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (e) => {
        if (e.level === 'query') queries.push(e.query);
      },
    });
  });
  afterAll(async () => {
    await logged?.destroy();
    await db?.close();
  });

  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (v instanceof Date) return `'${v.toISOString()}'`;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    return `'${String(v).replace(/'/g, "''")}'`;
  };

  /** The generic plan of each statement `run` sent (as a prepared statement would get). */
  async function genericPlans(run: () => Promise<unknown>): Promise<string[]> {
    queries = [];
    await run();
    const sent = queries;
    const client = await pool.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      const plans: string[] = [];
      for (const [i, q] of sent.entries()) {
        await client.query(`PREPARE generic_${i} AS ${q.sql}`);
        const args = q.parameters.length ? `(${q.parameters.map(literal).join(', ')})` : '';
        const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE generic_${i}${args}`);
        plans.push(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
        await client.query(`DEALLOCATE generic_${i}`);
      }
      return plans;
    } finally {
      await client.query('RESET plan_cache_mode');
      client.release();
    }
  }

  // [what, its partial index, its table, the query (returns the rows it found)]
  const claims: [string, string, string, () => Promise<unknown[]>][] = [
    ['the notice claim', 'notices_pending_idx', 'notices', () => new KyselyRenewalRepository(logged).claimPendingNotices(now, 100)],
    ['the billing-key revocation claim', 'billing_key_revocations_pending_idx', 'billing_key_revocations', () => new KyselyRenewalRepository(logged).claimDueRevocations(now, 100)],
    ['the unsettled refunds query', 'refunds_unsettled_idx', 'refunds', () => new KyselyRefundStore(logged).listUnsettledRefunds(now, 100)],
  ];
  it.each(claims)('%s finds the two open rows through %s', async (_what, index, table, query) => {
    let found = 0;
    const [plan] = await genericPlans(async () => {
      found = (await query()).length;
    });
    expect(found).toBe(2);
    expect(plan).toContain(index);
    expect(plan).not.toContain(`Seq Scan on ${table}`);
  });

  it('the operations backlog counts pending notices and revocations through their partial indexes', async () => {
    const r = new OperationsRepository(logged);
    const plans = await genericPlans(() => r.backlog(now));
    const onNotices = plans.filter((p) => p.includes('notices'));
    const onRevocations = plans.filter((p) => p.includes('billing_key_revocations'));
    expect(onNotices.length).toBeGreaterThan(0);
    expect(onRevocations.length).toBeGreaterThan(0);
    for (const p of [...onNotices, ...onRevocations]) expect(p).not.toMatch(/Seq Scan on (notices|billing_key_revocations)/);
  });

  // The subscription index keeps only subscriptions that are not active (0027): a renewal's two
  // updates of an active subscription then write no entry in it.
  it.each([
    ['past due', { status: 'past_due' as const }, 2],
    ['in grace', { grace: 'in' as const }, 1],
    ['grace over', { grace: 'over' as const }, 1],
    ['canceled', { status: 'canceled' as const }, 0],
  ])('the console subscription list (%s) reads subscriptions through subscriptions_status_idx', async (_what, filter, n) => {
    const r = new KyselyConsoleRepository(logged);
    let total = -1;
    const plans = await genericPlans(async () => {
      total = (await r.listSubscriptions({ ...filter, now }, { limit: 20, offset: 0 })).total;
    });
    expect(total).toBe(n);
    const onSubs = plans.filter((p) => /on subscriptions\b/.test(p) && !p.includes('subscriptions_pkey'));
    expect(onSubs.length).toBeGreaterThan(0);
    for (const p of onSubs) {
      expect(p).toContain('subscriptions_status_idx');
      expect(p).not.toMatch(/Seq Scan on subscriptions/);
    }
  });

  it.each([
    ['a provider transaction id', 'T17', 'p17'],
    ['a checkout id', 'C2', 'p2'],
  ])('the console search finds a payment by %s through an index, without knowing the provider', async (_what, q, paymentId) => {
    const r = new KyselyConsoleRepository(logged);
    let refs: (string | null)[] = [];
    const plans = await genericPlans(async () => {
      refs = (await r.searchUsers(q, { limit: 20, offset: 0 })).rows.map((h) => h.matchedRef);
    });
    expect(refs).toEqual([paymentId]);
    for (const p of plans) expect(p).not.toMatch(/Seq Scan on payments/);
  });

  it('the console dunning queue reads retrying cycles through billing_cycles_retrying_idx', async () => {
    const r = new KyselyConsoleRepository(logged);
    const plans = await genericPlans(() => r.dunningQueue({ limit: 20, offset: 0 }));
    const onCycles = plans.filter((p) => p.includes('billing_cycles'));
    expect(onCycles.length).toBeGreaterThan(0);
    for (const p of onCycles) expect(p).not.toMatch(/Seq Scan on billing_cycles/);
  });
});
