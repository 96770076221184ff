import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config/load-config.ts';
import { startChild } from './processes.ts';
import pg from 'pg';
import { addCpu, CORES, diffCpu, perOperation, postgresPids, sampleCpu, ZERO_CPU } from './cpu-budget.ts';
import { freshPostgresDatabase } from './pg-database.ts';
import { LEGAL_VERSIONS } from '../src/domain/legal/legal-documents.ts';
import { percentile } from './stats.ts';

// The consents the web pages send (docs/legal.md): sign-up and each checkout.
const SIGNUP_CONSENTS = { terms_version: LEGAL_VERSIONS.terms, privacy_version: LEGAL_VERSIONS.privacy };
const ORDER_CONSENT = { order_consent_version: LEGAL_VERSIONS.order };

/**
 * Complete checkouts over HTTP: ready → the user authorizes on the sandbox → approve, with N
 * concurrent clients. The service, the sandboxes and this load generator are three processes on
 * the same (2-core) machine, which is shared: absolute figures are noisy. So the same run also
 * measures the LIMIT: the same provider calls made straight to the sandbox by the same number of
 * clients, nothing between (KakaoPay: ready, authorize, approve; NaverPay's SDK flow: authorize,
 * apply), in three rounds alternating with the service's; figures are given as a ratio to it. Per checkout it also reads, from the service's /metrics, the CPU time of
 * the service process (process_cpu_seconds_total) and the statements it sent to the database
 * (billing_db_statements_total, each one round trip). Then an open-loop run starts checkouts at
 * half the limit's rate and reports their latency, measured from when each was due to start.
 */
export interface CheckoutBenchOptions {
  db: 'pglite' | 'postgres';
  provider: 'kakaopay' | 'naverpay';
  clients: number;
  checkouts: number;
  /** Seconds of the open-loop run at half the limit's rate (0: skip it). */
  pacedSeconds: number;
}

const agent = new Agent({ connections: 512, pipelining: 1, keepAliveTimeout: 30_000 });
const KAKAO_AUTH = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';

async function call(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}, form = false) {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: body === undefined ? headers : { ...headers, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${text.slice(0, 300)}`);
  return text.startsWith('{') ? JSON.parse(text) : text;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

interface Run {
  done: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Closed loop: `clients` lanes, each running `op` back to back until `total` have started. */
async function closedLoop(clients: number, total: number, op: (lane: number, i: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, lane) => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        try {
          await op(lane, i);
          latencies.push(performance.now() - t0);
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(String(err));
        }
      }
    }),
  );
  return summary(latencies, errors, (performance.now() - started) / 1000);
}

function summary(latencies: number[], errors: number, seconds: number): Run {
  latencies.sort((a, b) => a - b);
  return { done: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Open loop: starts `op` at `rate` per second for `seconds`, each on a free lane (one lane is one
 * user: a user has one checkout at a time). Latency counts from when the checkout was due, so a
 * service falling behind shows it (no coordinated omission).
 */
async function openLoop(lanes: number, rate: number, seconds: number, op: (lane: number, i: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  const free = Array.from({ length: lanes }, (_, i) => i);
  const waiting: (() => void)[] = [];
  const takeLane = async (): Promise<number> => {
    while (free.length === 0) await new Promise<void>((ok) => waiting.push(ok));
    return free.pop()!;
  };
  let errors = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((ok) => setTimeout(ok, wait));
    running.push(
      (async () => {
        const lane = await takeLane();
        try {
          await op(lane, i);
          latencies.push(performance.now() - due);
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(String(err));
        } finally {
          free.push(lane);
          waiting.shift()?.();
        }
      })(),
    );
  }
  await Promise.all(running);
  return summary(latencies, errors, (performance.now() - started) / 1000);
}

/** One sample of the service's own counters (its /metrics). */
async function serviceCounters(api: string): Promise<{ cpuSeconds: number; statements: number }> {
  const text = (await call('GET', `${api}/metrics`)) as string;
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
  };
  return { cpuSeconds: value('process_cpu_seconds_total'), statements: value('billing_db_statements_total') };
}

export async function runCheckoutBench(o: CheckoutBenchOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'smts-bench-'));
  const pgdb = o.db === 'postgres' ? await freshPostgresDatabase('bench_checkout') : null;
  const sandboxes = await startChild('bench/sandboxes-process.ts', {});
  const service = await startChild('bench/service-process.ts', {
    KAKAOPAY_BASE_URL: sandboxes.info.kakaopay,
    NAVERPAY_BASE_URL: sandboxes.info.naverpay,
    ...(pgdb ? { DATABASE_URL: pgdb.url } : { DATABASE_URL: '', DATA_DIR: dataDir }),
  });
  const api = service.info.url as string;
  const sandbox = sandboxes.info[o.provider] as string;
  const np = loadConfig({ APP_ENV: 'local' }).naverpay;
  const naverHeaders = {
    'x-naver-client-id': np.clientId,
    'x-naver-client-secret': np.clientSecret.reveal(),
    'x-naverpay-chain-id': np.chainId,
  };
  const naverApply = `${sandbox}/${encodeURIComponent(np.partnerId)}/naverpay/payments/v2.2/apply/payment`;
  try {
    // Enough users for the open loop too (one checkout at a time per user).
    const users = Math.max(o.clients, 64);
    const tokens = await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        const r = await call('POST', `${api}/api/auth/signup`, { ...SIGNUP_CONSENTS, email: `bench${i}-${Date.now()}@example.com`, password: 'bench password 1' });
        return r.token as string;
      }),
    );

    async function checkout(lane: number) {
      const auth = { authorization: `Bearer ${tokens[lane]}` };
      const ready = await call('POST', `${api}/api/payment/${o.provider}/ready`, { ...ORDER_CONSENT, plan: 'standard', auto_renew: false }, auth);
      let body: Record<string, string>;
      if (o.provider === 'kakaopay') {
        const a = await call('POST', `${sandbox}/__sandbox/tids/${ready.tid}/authorize`, { action: 'approve' });
        body = { tid: ready.tid, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
      } else {
        const a = await call('POST', `${sandbox}/__sandbox/sdk/authorize`, { ...ready.checkout.create, ...ready.checkout.open, action: 'approve' });
        body = { payment_id: ready.payment_id, paymentId: new URL(a.redirect_url).searchParams.get('paymentId')! };
      }
      const done = await call('POST', `${api}/api/payment/${o.provider}/approve`, body, auth);
      if (done.outcome !== 'approved') throw new Error(`not approved: ${JSON.stringify(done)}`);
    }

    // The limit: the same provider calls, straight to the sandbox, nothing of ours between.
    let limitSeq = 0;
    async function sandboxOnly(lane: number) {
      const order = `limit-${process.pid}-${++limitSeq}`;
      const user = `usr_limit_${lane}`;
      if (o.provider === 'kakaopay') {
        const common = { cid: 'TC0ONETIME', partner_order_id: order, partner_user_id: user };
        const ready = await call(
          'POST',
          `${sandbox}/online/v1/payment/ready`,
          {
            ...common,
            item_name: 'ShowMeTheStock 스탠다드 (30일)',
            quantity: 1,
            total_amount: 29000,
            tax_free_amount: 0,
            vat_amount: 2636,
            approval_url: `${api}/api/payment/kakaopay/return?payment_id=${order}`,
            cancel_url: `${api}/api/payment/kakaopay/return?payment_id=${order}&outcome=cancel`,
            fail_url: `${api}/api/payment/kakaopay/return?payment_id=${order}&outcome=fail`,
          },
          { authorization: KAKAO_AUTH },
        );
        const a = await call('POST', `${sandbox}/__sandbox/tids/${ready.tid}/authorize`, { action: 'approve' });
        const approved = await call('POST', `${sandbox}/online/v1/payment/approve`, { ...common, tid: ready.tid, pg_token: a.pg_token, total_amount: 29000 }, { authorization: KAKAO_AUTH });
        if (approved.amount?.total !== 29000) throw new Error(`limit: unexpected approval ${JSON.stringify(approved).slice(0, 200)}`);
      } else {
        const uid = order.replace(/[^A-Za-z0-9 /_-]/g, '_');
        const create = { mode: np.mode, clientId: np.clientId, chainId: np.chainId, payType: 'normal', openType: 'page' };
        const open = {
          merchantPayKey: order,
          merchantUserKey: user,
          productName: 'ShowMeTheStock 스탠다드 (30일)',
          productCount: 1,
          totalPayAmount: 29000,
          taxScopeAmount: 29000,
          taxExScopeAmount: 0,
          returnUrl: `${api}/api/payment/naverpay/return?payment_id=${order}`,
          productItems: [{ categoryType: 'ETC', categoryId: 'ETC', uid, name: 'ShowMeTheStock 스탠다드 (30일)', count: 1 }],
        };
        const a = await call('POST', `${sandbox}/__sandbox/sdk/authorize`, { ...create, ...open, action: 'approve' });
        const paymentId = new URL(a.redirect_url).searchParams.get('paymentId')!;
        const applied = await call('POST', naverApply, { paymentId }, { ...naverHeaders, 'x-naverpay-idempotency-key': `approve-${order}` }, true);
        if (applied.code !== 'Success') throw new Error(`limit: unexpected apply ${JSON.stringify(applied).slice(0, 200)}`);
      }
    }

    // Warm-up: JIT, connection pools, prepared plans.
    await Promise.all(Array.from({ length: Math.min(8, o.clients) }, (_, lane) => checkout(lane)));
    // The sandbox's own warm-up: on an idle machine a first limit round after only one call per
    // client ran at a quarter of the later rounds' rate (JIT), which made the limit look low.
    await closedLoop(o.clients, Math.max(500, Math.ceil(o.checkouts / 6)), sandboxOnly);

    // Rounds of the limit and of our checkouts alternate, so that the other load on the (shared)
    // machine weighs on both alike; each round gives a ratio, the run its best and worst.
    const rounds = 3;
    const per = Math.ceil(o.checkouts / rounds);
    const limitRuns: Run[] = [];
    const ourRuns: Run[] = [];
    let cpuSeconds = 0;
    let statements = 0;
    // CPU of every process of the bench (bench/cpu-budget.ts), for the limit's rounds and ours.
    // On PostgreSQL, its processes that work for the bench's database (others' test runs left out),
    // looked up at each sample; on PGlite the database runs inside the service process.
    const admin = pgdb ? new pg.Client({ connectionString: pgdb.url }) : null;
    await admin?.connect();
    const sample = async () => {
      const pgPids = admin
        ? (await postgresPids((text, params) => admin.query(text, params), new URL(pgdb!.url).pathname.slice(1))).filter(
            (pid) => pid !== (admin as unknown as { processID?: number }).processID,
          )
        : undefined;
      return sampleCpu({ sandbox: sandboxes.child.pid, service: service.child.pid, postgres: pgPids });
    };
    let limitCpu = ZERO_CPU;
    let ourCpu = ZERO_CPU;
    for (let r = 0; r < rounds; r++) {
      const l0 = await sample();
      limitRuns.push(await closedLoop(o.clients, per, sandboxOnly));
      limitCpu = addCpu(limitCpu, diffCpu(await sample(), l0));
      const c0 = await serviceCounters(api);
      const o0 = await sample();
      ourRuns.push(await closedLoop(o.clients, per, (lane) => checkout(lane)));
      ourCpu = addCpu(ourCpu, diffCpu(await sample(), o0));
      const c1 = await serviceCounters(api);
      cpuSeconds += c1.cpuSeconds - c0.cpuSeconds;
      statements += c1.statements - c0.statements;
    }
    const limitPer = perOperation(limitCpu, limitRuns.reduce((n, x) => n + x.done, 0));
    const ourPer = perOperation(ourCpu, ourRuns.reduce((n, x) => n + x.done, 0));
    await admin?.end();
    const rate = (runs: Run[]) => runs.reduce((n, x) => n + x.done, 0) / runs.reduce((t, x) => t + x.seconds, 0);
    const limit = rate(limitRuns);
    const roundRatios = ourRuns.map((x, i) => x.perSecond / limitRuns[i].perSecond);
    const ours = { ...summary([], 0, 0), done: ourRuns.reduce((n, x) => n + x.done, 0), errors: ourRuns.reduce((n, x) => n + x.errors, 0), perSecond: rate(ourRuns) };
    const p50 = Math.max(...ourRuns.map((x) => x.p50));
    const p99 = Math.max(...ourRuns.map((x) => x.p99));
    // Below half the limit in the closed loop, an open loop at that rate would only queue up.
    const paced = o.pacedSeconds > 0 && ours.perSecond >= limit / 2 ? await openLoop(users, limit / 2, o.pacedSeconds, (lane) => checkout(lane)) : null;

    return {
      provider: o.provider,
      db: o.db,
      clients: o.clients,
      checkouts: ours.done,
      errors: ours.errors + (paced?.errors ?? 0),
      limit_per_s: Math.round(limit),
      limit_rounds: limitRuns.map((x) => Math.round(x.perSecond)).join('/'),
      checkouts_per_s: Math.round(ours.perSecond),
      ratio: Number((ours.perSecond / limit).toFixed(3)),
      ratio_rounds_min_max: `${Math.min(...roundRatios).toFixed(3)}–${Math.max(...roundRatios).toFixed(3)}`,
      p50_ms_worst_round: round1(p50),
      p99_ms_worst_round: round1(p99),
      cpu_ms_per_checkout: round1((cpuSeconds * 1000) / ours.done),
      db_round_trips_per_checkout: round1(statements / ours.done),
      // CPU budget: ms of CPU per checkout of all the bench's processes (load generator + sandbox +
      // service + PostgreSQL), the limit's and ours; the machine's cores can give at most
      // limit_cpu / our_cpu of the limit's rate (cpu_bound_ratio) when both runs keep them busy.
      limit_cpu_ms: limitPer.total,
      limit_machine_busy: limitPer.machineBusy,
      our_cpu_ms: ourPer.total,
      our_cpu_split_ms: `client ${ourPer.client} / sandbox ${ourPer.sandbox} / service ${ourPer.service} / postgres ${ourPer.postgres}`,
      our_machine_busy: ourPer.machineBusy,
      cpu_bound_ratio: Number((limitPer.total / ourPer.total).toFixed(3)),
      cores: CORES,
      half_limit_rate_per_s: paced ? Math.round(paced.perSecond) : null,
      half_limit_p50_ms: paced ? round1(paced.p50) : null,
      half_limit_p99_ms: paced ? round1(paced.p99) : null,
    };
  } finally {
    await service.stop();
    await sandboxes.stop();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
