import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/storage/create-db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { ManagedProcess, freePort } from './processes.ts';
import { FAULTS, PROVIDER_TIMEOUT_MS, committedServerError, scriptsFor, type Fault, type Provider } from './sandbox-faults.ts';
import { seedRenewals } from './seed-renewals.ts';
import { audit } from './audit.ts';
import { LEGAL_VERSIONS } from '../src/domain/legal/legal-documents.ts';

// The consents the web pages send (docs/legal.md): sign-up and each checkout.
const SIGNUP_CONSENTS = { terms_version: LEGAL_VERSIONS.terms, privacy_version: LEGAL_VERSIONS.privacy };
const ORDER_CONSENT = { order_consent_version: LEGAL_VERSIONS.order };

/**
 * `npm run chaos` (`-- --short` for CI): checkouts, withdrawals and renewals through both
 * sandboxes while the sandboxes inject scripted faults, the API server and two workers are
 * SIGKILLed at random times and restarted, and the database's connections are terminated.
 * Then reconciliation runs until nothing changes, and an audit compares every provider-side
 * order and refund with our ledger. See docs/chaos.md.
 */

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    seed: { type: 'string' },
    checkouts: { type: 'string' },
    renewals: { type: 'string' },
    clients: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    /** RENEWAL_SYNC_DELAY_SECONDS of the workers; below the scripted late commits (3.5 s) it used to double KakaoPay renewals (docs/chaos.md, finding 2). */
    'sync-delay': { type: 'string', default: '6' },
  },
});

const short = args.short!;
const seed = Number(args.seed ?? Math.floor(Math.random() * 2 ** 31));
const CHECKOUTS = Number(args.checkouts ?? (short ? 40 : 300));
const RENEWALS = Number(args.renewals ?? (short ? 40 : 300));
const CLIENTS = Number(args.clients ?? (short ? 8 : 12));
/** Renewals fall due over this window, so that workers charge them while being killed. */
const RENEWAL_SPREAD_MS = short ? 25_000 : 150_000;
const RECONCILE_BOUND_MS = short ? 60_000 : 150_000;

/** mulberry32: a small seeded generator, so that a run can be replayed from its seed. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------- database

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `chaos_${Date.now()}_${process.pid}`;
const chaosUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const DRIVER_APP = 'chaos-driver';

async function adminQuery(text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: adminUrl, application_name: DRIVER_APP });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------- HTTP client (a patient user)

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(`HTTP ${status} ${JSON.stringify(body)}`);
  }
}

async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

const stats = { http5xx: 0, networkErrors: 0, outsideEnvelope: 0, gaveUp: 0 };

/** Retries while the server is down, restarting, or answers 5xx / 409 in progress / 202 pending. */
async function patiently(
  what: string,
  call: () => Promise<{ status: number; body: any }>,
  done: (r: { status: number; body: any }) => boolean,
  tries = 40,
): Promise<{ status: number; body: any } | null> {
  let last = 'no answer';
  for (let i = 0; i < tries; i++) {
    try {
      const r = await call();
      last = `${r.status} ${JSON.stringify(r.body).slice(0, 160)}`;
      if (r.status >= 500) {
        stats.http5xx += 1;
        if (!r.body?.error?.code) stats.outsideEnvelope += 1;
      }
      if (done(r)) return r;
    } catch (err) {
      stats.networkErrors += 1;
      last = String(err);
    }
    await sleep(Math.min(3000, 200 * 2 ** Math.min(i, 4)) + between(0, 200));
  }
  stats.gaveUp += 1;
  log(`gave up: ${what} (last: ${last})`);
  return null;
}

const finalAnswer = (r: { status: number; body: any }) =>
  r.status < 500 && r.status !== 202 && !(r.status === 409 && r.body?.error?.code === 'PAYMENT_IN_PROGRESS') && r.status !== 429;

// ---------------------------------------------------------------- main

async function main() {
  const logDir = join(tmpdir(), dbName);
  mkdirSync(logDir, { recursive: true });
  log(`seed=${seed} checkouts=${CHECKOUTS} renewals=${RENEWALS} clients=${CLIENTS} database=${dbName} logs=${logDir}`);

  await adminQuery(`CREATE DATABASE ${dbName}`);
  const handle = await createDb({ kind: 'postgres', url: chaosUrl, poolSize: 2 });
  await migrateToLatest(handle.db);
  await handle.close();
  const pool = new pg.Pool({ connectionString: chaosUrl, max: 4, application_name: DRIVER_APP });
  pool.on('error', () => undefined);

  const procs: ManagedProcess[] = [];
  let ok = false;
  try {
    const kakao = new ManagedProcess('sandbox-kakaopay', 'src/simulators/kakaopay/main.ts', { KAKAOPAY_SANDBOX_PORT: '0' }, logDir);
    const naver = new ManagedProcess('sandbox-naverpay', 'src/simulators/naverpay/main.ts', { NAVERPAY_SANDBOX_PORT: '0' }, logDir);
    procs.push(kakao, naver);
    const kakaoUrl = (await kakao.start(/listening on (http:\/\/[^\s]+)/))!;
    const naverUrl = (await naver.start(/listening on (http:\/\/[^\s]+)/))!;
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const common = {
      APP_ENV: 'local',
      SANDBOX_MODE: 'false',
      DATABASE_URL: chaosUrl,
      LOG_LEVEL: 'warn',
      KAKAOPAY_BASE_URL: kakaoUrl,
      NAVERPAY_BASE_URL: naverUrl,
      KAKAOPAY_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      NAVERPAY_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      NAVERPAY_APPROVE_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      REFUND_UNKNOWN_GRACE_SECONDS: '5',
      IDEMPOTENCY_LEASE_SECONDS: '5',
    };
    const server = new ManagedProcess(
      'api',
      'src/http/server.ts',
      {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        PUBLIC_URL: api,
        RENEWAL_WORKER_IN_PROCESS: 'false',
        SIGNUP_RATE_LIMIT_MAX: '1000000',
        READY_RATE_LIMIT_MAX: '1000000',
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000000',
        APPROVE_WAIT_MS: '4000',
      },
      logDir,
    );
    const workerEnv = {
      ...common,
      RENEWAL_TICK_MS: '500',
      RENEWAL_BATCH_SIZE: '6',
      RENEWAL_LOOPS: '1',
      RENEWAL_LEASE_SECONDS: '5',
      // When a charge with a lost answer is first looked up. A KakaoPay subscription charge has
      // no idempotency key, so a "not found" before a late commit is believed only after
      // RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS (default max(sync delay, 5 × 1.5 s timeout) = 7.5 s
      // here, above the 3.5 s late commits); --sync-delay 1 exercises that hold (docs/chaos.md, finding 2).
      RENEWAL_SYNC_DELAY_SECONDS: args['sync-delay']!,
      RENEWAL_TRANSIENT_RETRY_MINUTES: '0.05',
    };
    const workers = [new ManagedProcess('worker-1', 'src/worker/main.ts', workerEnv, logDir), new ManagedProcess('worker-2', 'src/worker/main.ts', workerEnv, logDir)];
    procs.push(server, ...workers);
    // One start at a time per process; the API is up once it answers, a worker once it says so.
    const starting = new Map<ManagedProcess, Promise<void>>();
    const bringUp = (p: ManagedProcess): Promise<void> => {
      if (p.running) return starting.get(p) ?? Promise.resolve();
      const run = (async () => {
        if (p === server) {
          await p.start();
          await waitForApi(api, 60_000);
          p.markReady();
        } else {
          await p.start(/\{"ready"/);
        }
      })()
        .catch((e) => {
          log(`start of ${p.name} failed: ${e instanceof Error ? e.message : e}`);
        })
        .finally(() => {
          starting.delete(p);
        });
      starting.set(p, run);
      return run;
    };
    let finished = false;
    // A supervisor (systemd, Kubernetes) restarts a process that exits by itself.
    for (const p of [server, ...workers]) {
      p.onUnexpectedExit = (q) => {
        if (!finished) setTimeout(() => void bringUp(q), 500);
      };
    }
    await bringUp(server);
    for (const w of workers) await bringUp(w);

    // Renewals: billing keys at the sandboxes, due subscriptions in the database.
    const seeded = await seedRenewals(pool, {
      count: RENEWALS,
      kakaoUrl,
      naverUrl,
      productCode: 'smts-subscription',
      dueFrom: Date.now() + 2000,
      dueSpreadMs: RENEWAL_SPREAD_MS,
      priceKrw: 29000,
      random,
    });
    const sandboxUrl = (p: Provider) => (p === 'kakaopay' ? kakaoUrl : naverUrl);
    const script = async (p: Provider, bodies: object[]) => {
      for (const b of bodies) {
        const r = await http('POST', `${sandboxUrl(p)}/__sandbox/script`, b);
        if (r.status >= 300) throw new Error(`script ${JSON.stringify(b)} → ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    const faultCounts: Record<string, number> = {};
    // Each money call's fault depends on the seed and the call's name only (not on the order in
    // which concurrent users get there), so a seed replays the same fault plan.
    const chooseFault = (name: string): Fault | 'committed_5xx' => {
      let h = seed >>> 0;
      for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
      const r = rng(h);
      const faults = FAULTS.filter((x) => x !== 'none');
      const f = r() < 0.08 ? 'committed_5xx' : r() < 0.4 ? 'none' : faults[Math.floor(r() * faults.length)];
      faultCounts[f] = (faultCounts[f] ?? 0) + 1;
      return f;
    };
    const faultScripts = (f: Fault | 'committed_5xx', t: Parameters<typeof scriptsFor>[1]) => (f === 'committed_5xx' ? committedServerError(t) : scriptsFor(f, t));
    for (const s of seeded) {
      await script(s.provider, faultScripts(chooseFault(`charge ${s.subscriptionId}`), { provider: s.provider, operation: 'charge', key: s.billingKey }));
    }
    log(`seeded ${seeded.length} due renewals (KakaoPay SIDs, NaverPay recurrentIds)`);

    // Kills and dropped connections while the load runs.
    let loadDone = false;
    const kills = { api: 0, worker: 0, connections: 0 };
    const killer = (async () => {
      const targets = [server, ...workers];
      while (!loadDone) {
        await sleep(between(500, 3000));
        if (loadDone) break;
        if (random() < 0.3) {
          const r = await pool
            .query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2`, [dbName, DRIVER_APP])
            .catch(() => ({ rows: [{ n: 0 }] }));
          kills.connections += r.rows[0].n;
          continue;
        }
        const victim = pick(targets);
        await starting.get(victim);
        await victim.kill();
        if (victim === server) kills.api += 1;
        else kills.worker += 1;
        await sleep(between(200, 1500));
        await bringUp(victim);
      }
    })();

    // Checkouts (and some withdrawals) by CLIENTS concurrent users.
    let nextCheckout = 0;
    let withdrawals = 0;
    let blocked = 0;
    const userLane = async (lane: number) => {
      for (let account = 0; nextCheckout < CHECKOUTS; account++) await userAccount(`chaos${lane}.${account}-${seed}@example.com`);
    };
    /** One user's checkouts, until the pool is done or the user is blocked by a checkout in progress. */
    const userAccount = async (email: string) => {
      const password = 'chaos password 1';
      const signedUp = await patiently(
        `signup ${email}`,
        async () => {
          const r = await http('POST', `${api}/api/auth/signup`, { ...SIGNUP_CONSENTS, email, password });
          if (r.status === 409) return http('POST', `${api}/api/auth/login`, { email, password });
          return r;
        },
        (r) => r.status === 200 || r.status === 201,
      );
      if (!signedUp) return;
      const auth = { authorization: `Bearer ${signedUp.body.token}` };
      while (nextCheckout < CHECKOUTS) {
        const n = nextCheckout++;
        const provider: Provider = n % 2 === 0 ? 'kakaopay' : 'naverpay';
        const key = `ready-${seed}-${n}`;
        const ready = await patiently(
          `ready #${n}`,
          () => http('POST', `${api}/api/payment/${provider}/ready`, { ...ORDER_CONSENT, plan: 'standard', auto_renew: false }, { ...auth, 'idempotency-key': key }),
          (r) => finalAnswer(r) || (r.status === 409 && r.body?.error?.details?.payment_id),
        );
        if (ready?.status === 409 && ready.body?.error?.details?.payment_id) {
          // An earlier approval of this user is still being settled: the user comes back later; another one buys now.
          blocked += 1;
          return;
        }
        if (!ready || ready.status >= 300) continue;
        const paymentId = ready.body.payment_id as string;
        let approveBody: Record<string, string>;
        let ref: string;
        if (provider === 'kakaopay') {
          const a = await http('POST', `${kakaoUrl}/__sandbox/tids/${ready.body.tid}/authorize`, { action: 'approve' });
          if (a.status >= 300) continue;
          ref = ready.body.tid;
          approveBody = { tid: ready.body.tid, pg_token: a.body.pg_token };
        } else {
          const a = await http('POST', `${naverUrl}/__sandbox/sdk/authorize`, { ...ready.body.checkout.create, ...ready.body.checkout.open, action: 'approve' });
          if (a.status >= 300) continue;
          ref = new URL(a.body.redirect_url).searchParams.get('paymentId')!;
          approveBody = { payment_id: paymentId, paymentId: ref };
        }
        await script(provider, faultScripts(chooseFault(`approve ${n}`), { provider, operation: 'approve', key: ref }));
        const approved = await patiently(`approve #${n}`, () => http('POST', `${api}/api/payment/${provider}/approve`, approveBody, auth), finalAnswer, 14);
        if (!approved || approved.body?.outcome !== 'approved') continue;
        if (rng(seed + n)() < 0.25) {
          withdrawals += 1;
          await script(provider, faultScripts(chooseFault(`cancel ${n}`), { provider, operation: 'cancel', key: ref }));
          const wkey = `withdraw-${seed}-${n}`;
          await patiently(`withdraw #${n}`, () => http('POST', `${api}/api/payments/${paymentId}/withdraw`, {}, { ...auth, 'idempotency-key': wkey }), (r) => finalAnswer(r) || r.status === 202, 10);
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => userLane(i)));
    // Let the renewals that are due within the window be charged under kills too.
    while (Date.now() - started < RENEWAL_SPREAD_MS + 3000) await sleep(500);
    loadDone = true;
    await killer;
    log(`load done in ${Math.round((Date.now() - started) / 1000)} s; kills api=${kills.api} workers=${kills.worker} connections=${kills.connections}; faults ${JSON.stringify(faultCounts)}`);

    // Faults off, everything up, then reconciliation until nothing changes (bounded).
    for (const p of [server, ...workers]) await bringUp(p);
    await waitForApi(api, 60_000);
    await http('DELETE', `${kakaoUrl}/__sandbox/script`);
    await http('DELETE', `${naverUrl}/__sandbox/script`);
    await sleep(2 * PROVIDER_TIMEOUT_MS + 1500);
    const reconcileStarted = Date.now();
    let last = '';
    let unchanged = 0;
    for (;;) {
      // Time skip: every scheduled lookup is due now (the backoff would otherwise take minutes),
      // and unsettled refunds count as stale.
      await pool.query(`UPDATE payments SET next_lookup_at = now() WHERE next_lookup_at > now()`);
      await pool.query(`UPDATE refunds SET updated_at = updated_at - interval '2 minutes' WHERE status IN ('requested', 'unknown')`);
      await sleep(2500);
      const open = await openWork(pool);
      const fingerprint = JSON.stringify(open);
      unchanged = fingerprint === last ? unchanged + 1 : 0;
      last = fingerprint;
      if ((open.inFlight === 0 && unchanged >= 1) || unchanged >= 4 || Date.now() - reconcileStarted > RECONCILE_BOUND_MS) break;
    }
    log(`reconciliation ran ${Math.round((Date.now() - reconcileStarted) / 1000)} s: ${last}`);
    finished = true;
    for (const w of workers) await w.stop();
    await server.stop();

    const [kakaoLedger, naverLedger] = await Promise.all([http('GET', `${kakaoUrl}/__sandbox/ledger`), http('GET', `${naverUrl}/__sandbox/ledger`)]);
    log(`provider ledgers: KakaoPay ${kakaoLedger.body.entries.length} charges, NaverPay ${naverLedger.body.entries.length} charges`);
    const result = await audit(pool, kakaoLedger.body.entries, naverLedger.body.entries);
    for (const line of result.details.slice(0, 30)) log(line);
    log(
      `client view: ${stats.http5xx} answers 5xx (${stats.outsideEnvelope} outside our envelope), ${stats.networkErrors} network errors, ${stats.gaveUp} calls given up; ${withdrawals} withdrawals; ${blocked} checkouts refused while an earlier one was being approved; ${result.openCheckouts} checkouts left open by their user`,
    );
    const figures = {
      seed,
      checkouts: result.checkouts,
      renewals: result.renewals,
      refunds: result.refunds,
      kills: kills.api + kills.worker,
      connections_terminated: kills.connections,
      boot_failures: [server, ...workers].reduce((n, p) => n + p.bootFailures, 0),
      crashes: [server, ...workers].reduce((n, p) => n + p.crashes, 0),
      lost: result.lost,
      doubled: result.doubled,
      stuck: result.stuck,
      refund_mismatches: result.refundMismatches,
      phantom: result.phantom,
      orphans: result.orphans,
    };
    console.log(Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' '));
    ok = figures.crashes === 0 && result.lost === 0 && result.doubled === 0 && result.stuck === 0 && result.refundMismatches === 0 && result.phantom === 0 && result.orphans === 0;
    if (!ok) log(`FAILED (replay with --seed ${seed}); process logs in ${logDir}`);
  } finally {
    for (const p of procs) await p.stop(2000).catch(() => undefined);
    for (const p of procs) p.close();
    await pool.end().catch(() => undefined);
    if (!args['keep-db']) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log(`drop failed: ${e}`));
  }
  process.exit(ok ? 0 : 1);
}

async function waitForApi(api: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await http('GET', `${api}/api/plans`);
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`API at ${api} did not come up`);
}

/** What reconciliation still has to settle (and a fingerprint of progress). */
async function openWork(pool: pg.Pool) {
  const q = async (text: string) => Number((await pool.query(text)).rows[0].n);
  const inFlightPayments = await q(`SELECT count(*)::int AS n FROM payments WHERE status IN ('approving', 'unknown')`);
  const scheduled = await q(`SELECT count(*)::int AS n FROM payments WHERE next_lookup_at IS NOT NULL`);
  const refunds = await q(`SELECT count(*)::int AS n FROM refunds WHERE status IN ('requested', 'unknown')`);
  const cycles = await q(`SELECT count(*)::int AS n FROM billing_cycles WHERE status IN ('scheduled', 'retrying') AND period_start <= now()`);
  const approved = await q(`SELECT count(*)::int AS n FROM payments WHERE status IN ('approved', 'partially_refunded', 'refunded')`);
  return { inFlight: inFlightPayments + refunds, scheduled, cycles, approved };
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
