import { sql } from 'kysely';
import { loadConfig } from '../src/config/load-config.ts';
import { compose, stopwatch } from '../src/composition.ts';
import { buildApp } from '../src/http/build-app.ts';
import { createApiKey, getEntitlement } from '../src/use-cases/engine-access.ts';
import { freshPostgresDatabase } from './pg-database.ts';

/**
 * Trading-engine API figures on PostgreSQL (issue 10), each beside the database's own rate for
 * one-row reads and updates measured in the same run with the same concurrency:
 * entitlement reads/s (p50/p99) and reservations + commits/s, over HTTP on a local port.
 * Figures only; nothing is asserted. `npx tsx bench/engine.ts` (BENCH_SECONDS, BENCH_CONCURRENCY).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const USERS = 1000;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number) => Math.round(n * 10) / 10;

/** Runs `op` in `CONCURRENCY` loops for SECONDS; returns ops/s and per-op latencies (ms). */
async function measure(op: (i: number) => Promise<void>): Promise<{ rate: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const until = stopwatch() + SECONDS * 1000;
  let n = 0;
  const start = stopwatch();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (stopwatch() < until) {
        const t = stopwatch();
        await op(n++);
        latencies.push(stopwatch() - t);
      }
    }),
  );
  const elapsed = (stopwatch() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const pgdb = await freshPostgresDatabase('bench_engine');
try {
  const config = loadConfig({ ...process.env, APP_ENV: 'local', DATABASE_URL: pgdb.url, LOG_LEVEL: 'silent', RENEWAL_WORKER_IN_PROCESS: 'false' });
  const services = await compose(config, { providers: [] });
  const app = await buildApp(services, { webDir: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const db = services.db.db;
  const now = services.ctx.clock.now();
  await sql`INSERT INTO users (id, email, password_hash, role, external_subject, created_at)
    SELECT 'usr_bench_' || g, 'bench' || g || '@example.com', NULL, 'user', NULL, ${now}::timestamptz FROM generate_series(1, ${USERS}) g`.execute(db);
  await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start, current_period_end,
      pending_plan_id, canceled_at, ended_at, created_at, updated_at)
    SELECT 'sub_bench_' || g, 'usr_bench_' || g, 'pro', 'active', 'kakaopay', NULL, false, ${now}::timestamptz,
      ${new Date(now.getTime() + 30 * 86_400_000)}::timestamptz, NULL, NULL, NULL, ${now}::timestamptz, ${now}::timestamptz
    FROM generate_series(1, ${USERS}) g`.execute(db);
  const { key } = await createApiKey(services.ctx, services.engine, { name: 'bench', scopes: ['entitlements:read', 'usage:write'] });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const user = (i: number) => `usr_bench_${(i % USERS) + 1}`;

  const dbRead = await measure(async (i) => {
    await sql`SELECT id, role FROM users WHERE id = ${user(i)}`.execute(db);
  });
  const dbUpdate = await measure(async (i) => {
    await sql`UPDATE users SET role = role WHERE id = ${user(i)}`.execute(db);
  });
  const healthz = await measure(async () => {
    const r = await fetch(`${url}/healthz`);
    await r.arrayBuffer();
  });
  const direct = await measure(async (i) => {
    await getEntitlement(services.ctx, services.engine, user(i));
  });
  const reads = await measure(async (i) => {
    const r = await fetch(`${url}/api/v1/entitlements/${user(i)}`, { headers: { authorization: headers.authorization } });
    if (r.status !== 200) throw new Error(`entitlements ${r.status}`);
    await r.arrayBuffer();
  });
  let trade = 0;
  const pairs = await measure(async (i) => {
    const r = await fetch(`${url}/api/v1/usage/reservations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ user_id: user(i), trade_id: `bench-${++trade}`, amount_krw: 10_000 }),
    });
    const body = (await r.json()) as { reservation_id: string };
    if (r.status !== 201) throw new Error(`reserve ${r.status} ${JSON.stringify(body)}`);
    const c = await fetch(`${url}/api/v1/usage/reservations/${body.reservation_id}/commit`, { method: 'POST', headers, body: JSON.stringify({ amount_krw: 10_000 }) });
    if (c.status !== 200) throw new Error(`commit ${c.status}`);
    await c.arrayBuffer();
  });

  const line = (name: string, m: { rate: number; p50: number; p99: number }) =>
    `${name.padEnd(34)} ${String(Math.round(m.rate)).padStart(7)}/s   p50 ${round(m.p50)} ms   p99 ${round(m.p99)} ms`;
  console.log(`\ntrading-engine API on PostgreSQL (${CONCURRENCY} concurrent, ${SECONDS}s each, HTTP on a local port)`);
  console.log(line('db: one-row read', dbRead));
  console.log(line('db: one-row update', dbUpdate));
  console.log(line('GET /healthz (HTTP floor)', healthz));
  console.log(line('entitlement read without HTTP', direct));
  console.log(line('GET /api/v1/entitlements/:id', reads));
  console.log(line('reservation + commit (pairs)', pairs));
  console.log(`ratios: entitlement reads / db reads = ${round(reads.rate / dbRead.rate * 100)}%; ` +
    `reservation+commit pairs / db updates = ${round(pairs.rate / dbUpdate.rate * 100)}%`);
  console.log('targets (issue 10): entitlement reads >= 10,000/s (p99 < 5 ms at half that); reservations + commits >= 2,000/s\n');
  await app.close();
  await services.close();
} finally {
  await pgdb.drop();
}
