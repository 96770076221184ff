import { CompiledQuery, sql } from 'kysely';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/load-config.ts';
import { compose, stopwatch } from '../src/composition.ts';
import { createApiKey } from '../src/use-cases/engine-access.ts';
import { createDb } from '../src/storage/create-db.ts';
import { BENCH_PREPARED, freshPostgresDatabase } from './pg-database.ts';
import { startChild } from './processes.ts';
import { cannon } from './cannon.ts';
import { pacedGet } from './paced-get.ts';
import { CORES, diffCpu, perOperation, postgresPids, sampleCpu } from './cpu-budget.ts';
import { percentile } from './stats.ts';

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
/**
 * BENCH_ONLY=pairs|reads: only the reservation + commit pairs, or only the reads (HTTP floor,
 * reads, their open loops), with the service as BENCH_ONLY_PROCESSES processes (default 1): to
 * profile or trace one part.
 */
const ONLY = process.env.BENCH_ONLY;
const ONLY_PAIRS = ONLY === 'pairs';
const ONLY_READS = ONLY === 'reads';
const ONLY_PROCESSES = Number(process.env.BENCH_ONLY_PROCESSES ?? 1);
/** Unmeasured reservation + commit pairs before the measured ones (BENCH_PAIRS_WARMUP_SECONDS, default 3). */
const PAIRS_WARMUP_SECONDS = Number(process.env.BENCH_PAIRS_WARMUP_SECONDS ?? 3);
/** Rounds of the open loops at half the read rate (BENCH_OPEN_LOOP_ROUNDS, default 3). */
const OPEN_LOOP_ROUNDS = Number(process.env.BENCH_OPEN_LOOP_ROUNDS ?? 3);

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

/** Runs `op` in `loops` concurrent loops for `seconds`; returns ops/s and per-op latencies (ms). */
async function measure(op: (i: number) => Promise<void>, loops = CONCURRENCY, seconds = SECONDS): Promise<Measured> {
  const latencies: number[] = [];
  const c0 = await sample?.();
  const until = stopwatch() + seconds * 1000;
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

  const auth = { authorization: `Bearer ${key}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const user = (i: number) => `usr_bench_${(i % USERS) + 1}`;
  const userPaths = Array.from({ length: USERS }, (_, i) => `/api/v1/entitlements/${user(i)}`);
  const db = await createDb({ kind: 'postgres', url: pgdb.url, poolSize: CONCURRENCY, preparedStatements: BENCH_PREPARED });
  // CPU per operation: this load generator, the service's processes, and PostgreSQL's processes
  // that work for the bench's database (its backends, looked up at each sample, and the server's
  // background ones).
  const dbName = new URL(pgdb.url).pathname.slice(1);
  let servicePids: number[] = [];
  sample = async () => {
    const pids = await postgresPids((text, params) => db.db.executeQuery<{ pid: number }>(CompiledQuery.raw(text, params)), dbName);
    return sampleCpu({ service: servicePids, postgres: pids });
  };
  const dbRead = await measure(async (i) => {
    await sql`SELECT id, role FROM users WHERE id = ${user(i)}`.execute(db.db);
  });
  const dbUpdate = await measure(async (i) => {
    await sql`UPDATE users SET role = role WHERE id = ${user(i)}`.execute(db.db);
  });
  // Those updates left tens of thousands of dead rows: vacuumed now, not by an autovacuum worker
  // that would take one of the 2 cores in the middle of a later figure.
  await sql`VACUUM users`.execute(db.db);

  /**
   * The API figures against the service run as `processes` processes sharing one port
   * (bench/service-process.ts): the HTTP floor (`GET /livez`) and entitlement reads (each user's
   * in turn) with autocannon as the load generator (bench/cannon.ts: little work per request, so
   * more of the 2 cores is left to the service); an open loop at half the read rate (undici, each
   * call started when due, latency counted from then); reservation + commit pairs.
   */
  async function apiFigures(processes: number) {
    service = await startChild('bench/service-process.ts', { DATABASE_URL: pgdb.url, BENCH_POOL: String(CONCURRENCY), BENCH_SERVICE_PROCESSES: String(processes) });
    servicePids = service.info.pids as number[];
    const http = new Pool(service.info.url as string, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
    async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const r = await http.request({ method, path, headers: body === undefined ? auth : json, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.body.text();
      return { status: r.statusCode, body: text ? JSON.parse(text) : null };
    }
    /** The service's own counters (its /metrics; one process's when there are several): statements sent to the database. */
    async function statements(): Promise<number> {
      const r = await http.request({ method: 'GET', path: '/metrics' });
      const text = await r.body.text();
      return Number(/^billing_db_statements_total(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text)?.[1] ?? NaN);
    }
    /** Statements per operation (one process only) and the service's CPU per operation (all its processes, from the CPU budget). */
    async function withCounters<T extends Measured>(ops: (m: T) => number, run: () => Promise<T>): Promise<T & { statements?: number; cpuMs: number }> {
      const st0 = await statements();
      const s0 = await sample!();
      const m = await run();
      const s1 = await sample!();
      const st1 = await statements();
      const n = ops(m);
      const cpu = perOperation(diffCpu(s1, s0), n);
      return { ...m, cpu, cpuMs: cpu.service, statements: processes === 1 ? (st1 - st0) / n : undefined };
    }
    // Warm-up (JIT, connections, cached key, every user's entitlements read by every connection,
    // so by every process, as an engine polling its users keeps them): not measured. autocannon's
    // connections walk the users in step, so a cold user is missed by most of them at once.
    await cannon({ url: service.info.url as string, paths: userPaths, headers: auth, connections: CONCURRENCY, seconds: 0, amount: USERS * CONCURRENCY });
    const read = async (i: number) => {
      const r = await call('GET', `/api/v1/entitlements/${user(i)}`);
      if (r.status !== 200) throw new Error(`entitlements ${r.status}`);
    };
    // The undici pool's connections too (the pairs below use them): opening them inside a measured
    // loop made its first second's calls wait for connections.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        for (let i = c; i < USERS; i += CONCURRENCY) await read(i);
      }),
    );
    const byCannon = (paths: string[]) => withCounters((m) => m.rate * SECONDS, () => cannon({ url: service!.info.url as string, paths, headers: auth, connections: CONCURRENCY, seconds: SECONDS }));
    const skipped = { rate: NaN, p50: NaN, p99: NaN, cpuMs: undefined };
    const floor = ONLY_PAIRS ? skipped : await byCannon(['/livez']);
    const reads = ONLY_PAIRS ? skipped : await byCannon(userPaths);
    // Open loops at half the read rate (bench/paced-get.ts: its own thread and plain sockets, each
    // call counted from when it was due): the reads, and the same loop on the HTTP floor, the tail
    // latency this generator, machine and HTTP stack give a request that does nothing.
    const atHalf = (paths: string[]) =>
      withCounters(
        (m) => m.rate * SECONDS,
        () => pacedGet({ url: service!.info.url as string, paths, headers: auth, rate: Math.max(1, reads.rate / 2), seconds: SECONDS, connections: CONCURRENCY }),
      );
    // In OPEN_LOOP_ROUNDS alternating rounds: a single stall of the machine (10–40 ms, seen on
    // /livez as often as on the reads) decides a 3-second round's p99, so one round says little.
    const readsAtHalf: Awaited<ReturnType<typeof atHalf>>[] = [];
    const floorAtHalf: Awaited<ReturnType<typeof atHalf>>[] = [];
    for (let r = 0; r < (ONLY_PAIRS ? 0 : OPEN_LOOP_ROUNDS); r++) {
      readsAtHalf.push(await atHalf(userPaths));
      floorAtHalf.push(await atHalf(['/livez']));
    }
    let trade = 0;
    const pair = async (i: number) => {
      const r = await call('POST', '/api/v1/usage/reservations', { user_id: user(i), trade_id: `bench-${processes}-${++trade}`, amount_krw: 10_000 });
      if (r.status !== 201) throw new Error(`reserve ${r.status} ${JSON.stringify(r.body)}`);
      const c = await call('POST', `/api/v1/usage/reservations/${r.body.reservation_id}/commit`, { amount_krw: 10_000 });
      if (c.status !== 200) throw new Error(`commit ${c.status}`);
    };
    // Warm-up of the pairs' own path (not measured), as the reads had theirs: each service process
    // compiles the reservation and commit code on first use, and in a 3-second round that JIT work
    // was 12% (one process) to 20% (two, each compiling its own) of the service's CPU (perf, 12-06).
    if (!ONLY_READS) await measure(pair, CONCURRENCY, PAIRS_WARMUP_SECONDS);
    const pairs = ONLY_READS ? skipped : await withCounters((m) => m.rate * SECONDS, () => measure(pair));
    await http.close();
    await service.stop();
    service = null;
    return { floor, reads, readsAtHalf, floorAtHalf, pairs };
  }
  const one = await apiFigures(ONLY ? ONLY_PROCESSES : 1);
  const two = ONLY ? one : await apiFigures(2);
  sample = null;
  await db.close();

  const line = (name: string, m: Measured & { statements?: number; cpuMs?: number; lateP99?: number }) =>
    `${name.padEnd(40)} ${String(Math.round(m.rate)).padStart(7)}/s   p50 ${round(m.p50)} ms   p99 ${round(m.p99)} ms` +
    (m.lateP99 === undefined ? '' : ` (the load generator itself got to 1% of calls ≥ ${round(m.lateP99)} ms late)`) +
    (m.statements === undefined ? '' : `   db statements/op ${m.statements < 0.1 ? m.statements.toFixed(3) : round(m.statements)}`) +
    (m.cpuMs === undefined ? '' : `   service CPU ${m.cpuMs.toFixed(2)} ms/op`) +
    (m.cpu ? `\n${''.padEnd(42)}CPU ms/op: all ${m.cpu.total} (client ${m.cpu.client}, service ${m.cpu.service}, postgres ${m.cpu.postgres}); machine busy ${Math.round(m.cpu.machineBusy * 100)}%; the ${CORES} cores allow ${Math.round((CORES * 1000) / m.cpu.total)}/s` : '');
  console.log(`\ntrading-engine API on PostgreSQL (${CONCURRENCY} concurrent, ${SECONDS}s each; service in its own process(es), HTTP keep-alive)`);
  console.log(line('limit: db one-row read', dbRead));
  console.log(line('limit: db one-row update', dbUpdate));
  for (const [n, f] of [[1, one], [2, two]] as const) {
    console.log(`service as ${n} process${n === 1 ? '' : 'es'}:`);
    console.log(line('limit: GET /livez (HTTP floor)', f.floor));
    console.log(line('GET /api/v1/entitlements/:id', f.reads));
    f.readsAtHalf.forEach((m, r) => {
      console.log(line(`  … open loop at half that rate (round ${r + 1})`, m));
      console.log(line(`  limit: the same open loop on GET /livez`, f.floorAtHalf[r]!));
    });
    if (f.readsAtHalf.length > 0) {
      const p99s = (ms: Measured[]) => ms.map((m) => m.p99).sort((a, b) => a - b);
      const show = (ms: Measured[]) => `${p99s(ms).map(round).join(' / ')} ms (median ${round(percentile(p99s(ms), 50))})`;
      console.log(`  open-loop p99 by round, ascending: reads ${show(f.readsAtHalf)}; GET /livez ${show(f.floorAtHalf)}`);
    }
    console.log(line('reservation + commit (pairs)', f.pairs));
    console.log(
      `ratios: entitlement reads / db reads = ${(f.reads.rate / dbRead.rate).toFixed(2)}, / HTTP floor = ${(f.reads.rate / f.floor.rate).toFixed(2)}; ` +
        `reservation+commit pairs / db updates = ${(f.pairs.rate / dbUpdate.rate).toFixed(2)}`,
    );
  }
  console.log('targets (issue 10): entitlement reads >= 10,000/s (p99 < 5 ms at half that); reservations + commits >= 2,000/s\n');
} finally {
  await (service as Awaited<ReturnType<typeof startChild>> | null)?.stop();
  await pgdb.drop();
}
