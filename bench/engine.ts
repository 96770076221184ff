import { CompiledQuery, sql } from 'kysely';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/load-config.ts';
import { compose, stopwatch } from '../src/composition.ts';
import { createApiKey } from '../src/use-cases/engine-access.ts';
import { createDb } from '../src/storage/create-db.ts';
import { freshPostgresDatabase } from './pg-database.ts';
import { startChild } from './processes.ts';
import { cannon } from './cannon.ts';
import { CORES, diffCpu, perOperation, postgresPids, sampleCpu } from './cpu-budget.ts';

/**
 * Trading-engine API figures on PostgreSQL (issue 10), each beside its limit measured in the same
 * run with the same concurrency: the database's own rate for one-row reads and updates (from this
 * process, a pool of CONCURRENCY connections) and the HTTP floor (`GET /livez` of the same
 * service). The service runs in its own process (bench/service-process.ts); this process only
 * generates load, over keep-alive connections. Figures only; nothing is asserted.
 * The HTTP floor and the entitlement reads are driven by autocannon (bench/cannon.ts), the
 * reservation pairs by undici (each commit needs its reservation's id); every figure comes with
 * its CPU budget (bench/cpu-budget.ts). `npx tsx bench/engine.ts` (BENCH_SECONDS, BENCH_CONCURRENCY).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const USERS = 1000;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number) => Math.round(n * 10) / 10;

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  /** CPU ms per operation of every process of the run (bench/cpu-budget.ts) and how busy the machine was. */
  cpu?: ReturnType<typeof perOperation>;
}

/** Samples the CPU of this process, the service and PostgreSQL's processes for the bench's database (set once they exist). */
let sample: (() => Promise<ReturnType<typeof sampleCpu>>) | null = null;

/** Runs `op` in `loops` concurrent loops for SECONDS; returns ops/s and per-op latencies (ms). */
async function measure(op: (i: number) => Promise<void>, loops = CONCURRENCY): Promise<Measured> {
  const latencies: number[] = [];
  const c0 = await sample?.();
  const until = stopwatch() + SECONDS * 1000;
  let n = 0;
  const start = stopwatch();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (stopwatch() < until) {
        const t = stopwatch();
        await op(n++);
        latencies.push(stopwatch() - t);
      }
    }),
  );
  const elapsed = (stopwatch() - start) / 1000;
  const c1 = await sample?.();
  latencies.sort((a, b) => a - b);
  const cpu = c0 && c1 ? perOperation(diffCpu(c1, c0), latencies.length) : undefined;
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu };
}

const pgdb = await freshPostgresDatabase('bench_engine');
let service: Awaited<ReturnType<typeof startChild>> | null = null;
try {
  // Schema, users, subscriptions and an API key, written from here; the service serves them.
  const config = loadConfig({ ...process.env, APP_ENV: 'local', DATABASE_URL: pgdb.url, LOG_LEVEL: 'silent' });
  const setup = await compose(config, { providers: [] });
  const now = setup.ctx.clock.now();
  await sql`INSERT INTO users (id, email, password_hash, role, external_subject, created_at)
    SELECT 'usr_bench_' || g, 'bench' || g || '@example.com', NULL, 'user', NULL, ${now}::timestamptz FROM generate_series(1, ${USERS}) g`.execute(setup.db.db);
  await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start, current_period_end,
      pending_plan_id, canceled_at, ended_at, created_at, updated_at)
    SELECT 'sub_bench_' || g, 'usr_bench_' || g, 'pro', 'active', 'kakaopay', NULL, false, ${now}::timestamptz,
      ${new Date(now.getTime() + 30 * 86_400_000)}::timestamptz, NULL, NULL, NULL, ${now}::timestamptz, ${now}::timestamptz
    FROM generate_series(1, ${USERS}) g`.execute(setup.db.db);
  const { key } = await createApiKey(setup.ctx, setup.engine, { name: 'bench', scopes: ['entitlements:read', 'usage:write'] });
  await setup.close();

  service = await startChild('bench/service-process.ts', { DATABASE_URL: pgdb.url, BENCH_POOL: String(CONCURRENCY) });
  const http = new Pool(service.info.url as string, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const auth = { authorization: `Bearer ${key}` };
  const json = { ...auth, 'content-type': 'application/json' };
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await http.request({ method, path, headers: body === undefined ? auth : json, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.body.text();
    return { status: r.statusCode, body: text ? JSON.parse(text) : null };
  }
  const user = (i: number) => `usr_bench_${(i % USERS) + 1}`;
  /** The service's own counters (its /metrics): CPU seconds and statements sent to the database (each a round trip). */
  async function counters(): Promise<{ cpu: number; statements: number }> {
    const r = await http.request({ method: 'GET', path: '/metrics' });
    const text = await r.body.text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { cpu: value('process_cpu_seconds_total'), statements: value('billing_db_statements_total') };
  }
  /** `measure` with the service's statements and CPU milliseconds per operation. */
  async function measured(op: (i: number) => Promise<void>): Promise<Measured & { statements: number; cpuMs: number }> {
    const c0 = await counters();
    const m = await measure(op);
    const c1 = await counters();
    const ops = m.rate * SECONDS;
    return { ...m, statements: (c1.statements - c0.statements) / ops, cpuMs: ((c1.cpu - c0.cpu) * 1000) / ops };
  }

  // Warm-up of the service (JIT, connections, cached key, every user's entitlements read once, as
  // an engine polling its users keeps them): not measured.
  for (let i = 0; i < USERS; i++) {
    await call('GET', '/livez');
    await call('GET', `/api/v1/entitlements/${user(i)}`);
  }
  const db = await createDb({ kind: 'postgres', url: pgdb.url, poolSize: CONCURRENCY });
  // CPU per operation: this load generator, the service, and PostgreSQL's processes that work for
  // the bench's database (its backends, looked up at each sample, and the server's background ones).
  const dbName = new URL(pgdb.url).pathname.slice(1);
  sample = async () => {
    const pids = await postgresPids((text, params) => db.db.executeQuery<{ pid: number }>(CompiledQuery.raw(text, params)), dbName);
    return sampleCpu({ service: service!.child.pid, postgres: pids });
  };
  const dbRead = await measure(async (i) => {
    await sql`SELECT id, role FROM users WHERE id = ${user(i)}`.execute(db.db);
  });
  const dbUpdate = await measure(async (i) => {
    await sql`UPDATE users SET role = role WHERE id = ${user(i)}`.execute(db.db);
  });
  // The HTTP floor (`GET /livez`) and entitlement reads (each user's in turn) with autocannon as
  // the load generator (bench/cannon.ts: little work per request, so more of the 2 cores is left
  // to the service); then an open loop at half the read rate, latencies corrected for
  // coordinated omission.
  const userPaths = Array.from({ length: USERS }, (_, i) => `/api/v1/entitlements/${user(i)}`);
  const viaCannon = async (paths: string[], overallRate?: number) => {
    const c0 = await counters();
    const s0 = await sample!();
    const r = await cannon({ url: service!.info.url as string, paths, headers: auth, connections: CONCURRENCY, seconds: SECONDS, overallRate });
    const s1 = await sample!();
    const c1 = await counters();
    const ops = r.rate * SECONDS;
    return { ...r, cpu: perOperation(diffCpu(s1, s0), ops), statements: (c1.statements - c0.statements) / ops, cpuMs: ((c1.cpu - c0.cpu) * 1000) / ops };
  };
  const floor = await viaCannon(['/livez']);
  const reads = await viaCannon(userPaths);
  const readsAtHalf = await viaCannon(userPaths, reads.rate / 2);
  let trade = 0;
  const pairs = await measured(async (i) => {
    const r = await call('POST', '/api/v1/usage/reservations', { user_id: user(i), trade_id: `bench-${++trade}`, amount_krw: 10_000 });
    if (r.status !== 201) throw new Error(`reserve ${r.status} ${JSON.stringify(r.body)}`);
    const c = await call('POST', `/api/v1/usage/reservations/${r.body.reservation_id}/commit`, { amount_krw: 10_000 });
    if (c.status !== 200) throw new Error(`commit ${c.status}`);
  });
  sample = null;
  await db.close();
  await http.close();

  const line = (name: string, m: Measured & { statements?: number; cpuMs?: number }) =>
    `${name.padEnd(40)} ${String(Math.round(m.rate)).padStart(7)}/s   p50 ${round(m.p50)} ms   p99 ${round(m.p99)} ms` +
    (m.statements === undefined ? '' : `   db statements/op ${round(m.statements)}   service CPU ${m.cpuMs!.toFixed(2)} ms/op`) +
    (m.cpu ? `\n${''.padEnd(42)}CPU ms/op: all ${m.cpu.total} (client ${m.cpu.client}, service ${m.cpu.service}, postgres ${m.cpu.postgres}); machine busy ${Math.round(m.cpu.machineBusy * 100)}%; the ${CORES} cores allow ${Math.round((CORES * 1000) / m.cpu.total)}/s` : '');
  console.log(`\ntrading-engine API on PostgreSQL (${CONCURRENCY} concurrent, ${SECONDS}s each; service in its own process, HTTP keep-alive)`);
  console.log(line('limit: db one-row read', dbRead));
  console.log(line('limit: db one-row update', dbUpdate));
  console.log(line('limit: GET /livez (HTTP floor)', floor));
  console.log(line('GET /api/v1/entitlements/:id', reads));
  console.log(line(`  … open loop at half that rate`, readsAtHalf));
  console.log(line('reservation + commit (pairs)', pairs));
  console.log(
    `ratios: entitlement reads / db reads = ${(reads.rate / dbRead.rate).toFixed(2)}, / HTTP floor = ${(reads.rate / floor.rate).toFixed(2)}; ` +
      `reservation+commit pairs / db updates = ${(pairs.rate / dbUpdate.rate).toFixed(2)}`,
  );
  console.log('targets (issue 10): entitlement reads >= 10,000/s (p99 < 5 ms at half that); reservations + commits >= 2,000/s\n');
} finally {
  await service?.stop();
  await pgdb.drop();
}
