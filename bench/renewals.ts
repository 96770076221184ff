import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/load-config.ts';
import { compose, stopwatch } from '../src/composition.ts';
import { createDb, type DbHandle } from '../src/storage/create-db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { Agent, request } from 'undici';
import pg from 'pg';
import { startChild } from './processes.ts';
import { BENCH_PREPARED, freshPostgresDatabase } from './pg-database.ts';
import { registerKakaoPaySids, seedSubscriptions, seedUserId } from './renewal-seed.ts';
import { percentile } from './stats.ts';

/**
 * Renewal throughput: N due subscriptions (seeded with generate_series, each with a real SID
 * at the KakaoPay sandbox, which answers after `latency` ms), renewed by `workers` worker
 * processes on PostgreSQL (each: `loops` claim loops × `batch` charges in flight) or by the
 * in-process worker on PGlite. Prints renewals/s and p50/p99 per charge (charge + settle).
 * Then the idle tick: `idle` subscriptions of which none is due; prints the median tick and its
 * round trips (statements sent), beside the same run's `SELECT 1` round trip.
 * Figures only; nothing is asserted.
 *
 * In flight by default: 2 processes × 3 loops × 128 = 768 charges (`RENEWAL_LOOPS=3`,
 * `RENEWAL_BATCH_SIZE=128`). Each batch's claim and settlement transactions add about 100 ms to a
 * 50 ms charge, so with the service's defaults (2 loops × 64) the cores stayed 15–20% idle
 * (docs/performance.md, "2026-12-05"). `--loops 2 --batch 64` measures the service's defaults.
 */
export interface RenewalBenchOptions {
  db: 'pglite' | 'postgres';
  subs: number;
  idle: number;
  latencyMs: number;
  workers: number;
  loops: number;
  batch: number;
}

const DAY = 86_400_000;

const round = (n: number) => Math.round(n * 10) / 10;

interface Database {
  url: string | null;
  dataDir: string | null;
  open(): Promise<DbHandle>;
  drop(): Promise<void>;
}

async function freshDatabase(kind: 'pglite' | 'postgres'): Promise<Database> {
  if (kind === 'postgres') {
    const pg = await freshPostgresDatabase('bench_renewals');
    return { url: pg.url, dataDir: null, open: () => createDb({ kind: 'postgres', url: pg.url, poolSize: 8, preparedStatements: BENCH_PREPARED }), drop: pg.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'smts-bench-renewals-'));
  return {
    url: null,
    dataDir: dir,
    open: () => createDb({ kind: 'pglite', dataDir: join(dir, 'pglite') }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function envFor(d: Database, extra: Record<string, string>): Record<string, string> {
  return {
    ...(d.url ? { DATABASE_URL: d.url } : { DATABASE_URL: '', DATA_DIR: d.dataDir! }),
    APP_ENV: 'local',
    LOG_LEVEL: 'warn',
    SANDBOX_MODE: 'true',
    ...extra,
  };
}

/** BENCH_CPU_PROF=<part of a script name> profiles that child (as bench/processes.ts does). */
function profile(script: string): string[] {
  const want = process.env.BENCH_CPU_PROF;
  return want && script.includes(want) ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
}

function waitLine(child: ChildProcess, prefix: string): Promise<any> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.startsWith(`{"${prefix}"`)) return;
      try {
        resolve(JSON.parse(l)[prefix]);
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** CPU ms of a process so far (Linux /proc, user + system; 100 ticks a second), or null once it is gone. */
function procCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU of the PostgreSQL backends serving the bench database: samples them every 200 ms (the
 * database server must run on this machine). `stop` returns the CPU ms they used since `start`
 * (a backend's last < 200 ms before it exits are missed).
 */
async function backendCpu(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const base = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (into: Map<number, number>, keep: boolean) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    for (const { pid } of rows) {
      const ms = procCpuMs(pid);
      if (ms === null) continue;
      if (keep && !base.has(pid)) base.set(pid, 0);
      into.set(pid, ms);
    }
  };
  await sample(base, false);
  const lsn = async () => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
  const walFrom = await lsn();
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample(last, true);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    /** CPU ms of the database's backends, and the WAL written meanwhile (bytes, the whole server). */
    async stop(): Promise<{ cpuMs: number; walBytes: number }> {
      running = false;
      await loop;
      const walTo = await lsn();
      if (process.env.BENCH_WAL_RANGE === '1') console.error(`BENCH_WAL_RANGE: ${walFrom} ${walTo}`);
      const walBytes = Number((await client.query<{ n: string }>('SELECT pg_wal_lsn_diff($1, $2)::text AS n', [walTo, walFrom])).rows[0].n);
      await client.end();
      let ms = 0;
      for (const [pid, v] of last) ms += v - (base.get(pid) ?? 0);
      return { cpuMs: ms, walBytes };
    },
  };
}

const limitAgent = new Agent({ connections: 1024, pipelining: 1, keepAliveTimeout: 30_000 });

/**
 * The renewal's limits, measured in the same run with the same number in flight: (1) KakaoPay
 * subscription charges with the seeded SIDs straight to the sandbox (which answers after its
 * latency), nothing of ours between; (2) the database's one-row UPDATEs.
 */
async function renewalLimits(kakaoUrl: string, sids: readonly string[], userIds: readonly string[], d: Database, inFlight: number, seconds = 3) {
  let next = 0;
  let charges = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const i = next++ % sids.length;
        const res = await request(`${kakaoUrl}/online/v1/payment/subscription`, {
          method: 'POST',
          dispatcher: limitAgent,
          headers: { 'content-type': 'application/json', authorization: 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET' },
          body: JSON.stringify({
            cid: 'TCSUBSCRIP',
            sid: sids[i],
            partner_order_id: `limit-${next}`,
            partner_user_id: userIds[i],
            item_name: 'ShowMeTheStock 스탠다드 (30일)',
            quantity: 1,
            total_amount: 29000,
            tax_free_amount: 0,
            vat_amount: 2636,
          }),
        });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`limit charge → ${res.statusCode}`);
        charges++;
      }
    }),
  );
  const chargesPerSec = charges / ((performance.now() - t0) / 1000);
  const h = d.url ? await createDb({ kind: 'postgres', url: d.url, poolSize: Math.min(inFlight, 32), preparedStatements: BENCH_PREPARED }) : await d.open();
  await sql`CREATE TABLE IF NOT EXISTS bench_counters (id int PRIMARY KEY, n bigint NOT NULL)`.execute(h.db);
  const loops = d.url ? Math.min(inFlight, 32) : 1;
  await sql`INSERT INTO bench_counters SELECT g, 0 FROM generate_series(0, ${loops - 1}) g ON CONFLICT DO NOTHING`.execute(h.db);
  let updates = 0;
  const u0 = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async (_, k) => {
      while (performance.now() - u0 < seconds * 1000) {
        await sql`UPDATE bench_counters SET n = n + 1 WHERE id = ${k}`.execute(h.db);
        updates++;
      }
    }),
  );
  const updatesPerSec = updates / ((performance.now() - u0) / 1000);
  await h.close();
  return { chargesPerSec, updatesPerSec, dbConnections: loops };
}

export async function runRenewalBench(o: RenewalBenchOptions) {
  const sandboxes = await startChild('bench/sandboxes-process.ts', { SANDBOX_LATENCY_MS: String(o.latencyMs) });
  const kakaoUrl = sandboxes.info.kakaopay as string;
  const d = await freshDatabase(o.db);
  let children: ChildProcess[] = [];
  try {
    // Seed: a SID per user at the sandbox, then users and due subscriptions in SQL.
    let t = stopwatch();
    const seedHandle = await d.open();
    await migrateToLatest(seedHandle.db);
    const userIds = Array.from({ length: o.subs }, (_, i) => seedUserId('b', i + 1));
    const sids = await registerKakaoPaySids(kakaoUrl, userIds, 512);
    const periodEnd = new Date(Date.now() - 60_000);
    // The notice went out a week ago (its cycle exists): the run measures the charge step.
    await seedSubscriptions(seedHandle.db, {
      prefix: 'b',
      count: o.subs,
      sids,
      planId: 'standard',
      priceKrw: 29000,
      periodMs: 30 * DAY,
      periodEnd,
      nextRenewalAt: periodEnd,
      withCycles: true,
    });
    const seedMs = stopwatch() - t;

    const env = envFor(d, {
      KAKAOPAY_BASE_URL: kakaoUrl,
      NAVERPAY_BASE_URL: sandboxes.info.naverpay,
      RENEWAL_LOOPS: String(o.loops),
      RENEWAL_BATCH_SIZE: String(o.batch),
    });
    let durations: number[] = [];
    let elapsedMs: number;
    let inFlight: number;
    let statements = NaN;
    let workerCpuMs = NaN;
    let pgCpuMs = NaN;
    let walBytes = NaN;
    let sandboxCpuMs = NaN;
    if (o.db === 'postgres') {
      await seedHandle.close();
      children = Array.from({ length: o.workers }, () =>
        spawn(process.execPath, [...profile('bench/renewal-worker-process.ts'), '--import', 'tsx', 'bench/renewal-worker-process.ts'], {
          env: { ...process.env, ...env },
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      await Promise.all(children.map((c) => waitLine(c, 'ready')));
      const done = children.map((c) => waitLine(c, 'done'));
      const pgCpu = await backendCpu(d.url!);
      const sandboxCpu0 = procCpuMs(sandboxes.child.pid!) ?? NaN;
      t = stopwatch();
      for (const c of children) c.stdin!.write('go\n');
      const results = await Promise.all(done);
      elapsedMs = stopwatch() - t;
      sandboxCpuMs = (procCpuMs(sandboxes.child.pid!) ?? NaN) - sandboxCpu0;
      ({ cpuMs: pgCpuMs, walBytes } = await pgCpu.stop());
      durations = results.flatMap((r) => r.durations);
      statements = results.reduce((n, r) => n + r.statements, 0);
      workerCpuMs = results.reduce((n, r) => n + r.cpuMs, 0);
      inFlight = o.workers * o.loops * o.batch;
    } else {
      await seedHandle.close();
      const config = loadConfig(process.env, env);
      const services = await compose(config, { skipMigrations: true, measureCharges: true });
      t = stopwatch();
      while ((await services.renewals.runOnce()).claimed > 0);
      elapsedMs = stopwatch() - t;
      durations = services.renewals.chargeDurations;
      inFlight = o.batch;
      await services.close();
    }
    const check = await d.open();
    const approved = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE kind = 'renewal' AND status = 'approved'`.execute(check.db)).rows[0].n;
    const stats = (await (await fetch(`${kakaoUrl}/__sandbox/stats`)).json()) as { subscription: number };
    await check.close();
    durations.sort((a, b) => a - b);
    const limits = await renewalLimits(kakaoUrl, sids, userIds, d, inFlight);
    const renewalsPerSec = approved / (elapsedMs / 1000);
    return {
      db: o.db,
      subscriptions: o.subs,
      renewed: approved,
      sandbox_charges: stats.subscription,
      processes: o.db === 'postgres' ? o.workers : 1,
      charges_in_flight: inFlight,
      sandbox_latency_ms: o.latencyMs,
      seconds: round(elapsedMs / 1000),
      renewals_per_s: Math.round(renewalsPerSec),
      limit_sandbox_charges_per_s: Math.round(limits.chargesPerSec),
      ratio_to_sandbox: Number((renewalsPerSec / limits.chargesPerSec).toFixed(3)),
      limit_db_updates_per_s: Math.round(limits.updatesPerSec),
      ratio_to_db_updates: Number((renewalsPerSec / limits.updatesPerSec).toFixed(3)),
      charge_p50_ms: round(percentile(durations, 50)),
      charge_p99_ms: round(percentile(durations, 99)),
      statements_per_renewal: Number((statements / approved).toFixed(3)),
      worker_cpu_ms_per_renewal: Number((workerCpuMs / approved).toFixed(3)),
      pg_cpu_ms_per_renewal: Number((pgCpuMs / approved).toFixed(3)),
      sandbox_cpu_ms_per_renewal: Number((sandboxCpuMs / approved).toFixed(3)),
      wal_kb_per_renewal: Number((walBytes / 1024 / approved).toFixed(2)),
      seed_s: round(seedMs / 1000),
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await sandboxes.stop();
    await d.drop();
  }
}

/** Median duration of a worker tick over `idle` subscriptions of which none is due. */
export async function runIdleTickBench(o: Pick<RenewalBenchOptions, 'db' | 'idle'>) {
  const d = await freshDatabase(o.db);
  try {
    let t = stopwatch();
    const h = await d.open();
    await migrateToLatest(h.db);
    const now = Date.now();
    await seedSubscriptions(h.db, {
      prefix: 'i',
      count: o.idle,
      sids: null,
      planId: 'standard',
      priceKrw: 29000,
      periodMs: 30 * DAY,
      // Spread over the month, all in the future: nothing is due now.
      periodEnd: new Date(now + 20 * DAY),
      nextRenewalAt: new Date(now + 13 * DAY),
    });
    const seedMs = stopwatch() - t;
    await h.close();
    const config = loadConfig(process.env, envFor(d, {}));
    const services = await compose(config, { skipMigrations: true });
    const times: number[] = [];
    // Statements this process sent per tick (billing_db_statements_total): each one round trip.
    const roundTrips: number[] = [];
    for (let i = 0; i < 21; i++) {
      const s0 = services.db.statements();
      t = stopwatch();
      const r = await services.renewals.runOnce();
      times.push(stopwatch() - t);
      roundTrips.push(services.db.statements() - s0);
      if (r.claimed !== 0) throw new Error('an idle tick claimed subscriptions');
    }
    // The limit in the same run: one round trip of the smallest statement through the same pool.
    const selectOne: number[] = [];
    for (let i = 0; i < 21; i++) {
      t = stopwatch();
      await sql`SELECT 1`.execute(services.db.db);
      selectOne.push(stopwatch() - t);
    }
    await services.close();
    times.sort((a, b) => a - b);
    roundTrips.sort((a, b) => a - b);
    selectOne.sort((a, b) => a - b);
    return {
      db: o.db,
      subscriptions: o.idle,
      due: 0,
      tick_median_ms: round(percentile(times, 50)),
      tick_round_trips: percentile(roundTrips, 50),
      tick_max_ms: round(times[times.length - 1]),
      limit_select_1_median_ms: Math.round(percentile(selectOne, 50) * 100) / 100,
      ratio_to_select_1: Number((percentile(times, 50) / percentile(selectOne, 50)).toFixed(1)),
      tick_round_trips_max: roundTrips[roundTrips.length - 1],
      seed_s: round(seedMs / 1000),
    };
  } finally {
    await d.drop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'both' },
      subs: { type: 'string' },
      'pglite-subs': { type: 'string' },
      idle: { type: 'string', default: '1000000' },
      latency: { type: 'string', default: '50' },
      workers: { type: 'string', default: '2' },
      loops: { type: 'string', default: '3' },
      batch: { type: 'string', default: '128' },
      // PGlite runs one claim loop (one connection): more charges per batch keep it busy.
      'pglite-batch': { type: 'string', default: '256' },
      'skip-idle': { type: 'boolean', default: false },
    },
  });
  const dbs = values.db === 'both' ? (['postgres', 'pglite'] as const) : [values.db as 'pglite' | 'postgres'];
  const renewals = [];
  const idle = [];
  for (const db of dbs) {
    // PGlite is one connection in one process: a smaller default keeps the run to minutes.
    const subs = Number(values.subs ?? (db === 'pglite' ? values['pglite-subs'] ?? 20_000 : 100_000));
    const r = await runRenewalBench({
      db,
      subs,
      idle: Number(values.idle),
      latencyMs: Number(values.latency),
      workers: Number(values.workers),
      loops: Number(values.loops),
      batch: Number(db === 'pglite' ? values['pglite-batch'] : values.batch),
    });
    console.log(JSON.stringify(r));
    renewals.push(r);
    if (!values['skip-idle']) {
      const i = await runIdleTickBench({ db, idle: Number(values.idle) });
      console.log(JSON.stringify(i));
      idle.push(i);
    }
  }
  console.log('\nrenewals (due subscriptions charged with their billing key at the KakaoPay sandbox), beside the same run\'s limits:');
  console.log('limit_sandbox_charges_per_s: the same charges straight to the sandbox with as many in flight; limit_db_updates_per_s: one-row UPDATEs');
  console.table(renewals);
  if (idle.length) {
    console.log('\ntargets (issue 15): renewals >= 2,000/s with 50 ms provider latency; worker tick with nothing due < 10 ms over a million subscriptions');
    console.table(idle);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
