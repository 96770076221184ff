import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startChild } from './processes.ts';
import { freshPostgresDatabase } from './pg-database.ts';
import { LEGAL_VERSIONS } from '../src/domain/legal/legal-documents.ts';

// The consents the web pages send (docs/legal.md): sign-up and each checkout.
const SIGNUP_CONSENTS = { terms_version: LEGAL_VERSIONS.terms, privacy_version: LEGAL_VERSIONS.privacy };
const ORDER_CONSENT = { order_consent_version: LEGAL_VERSIONS.order };

/**
 * Complete checkouts over HTTP: ready → the user authorizes on the sandbox →
 * approve, with N concurrent clients. The service, the sandboxes and this load
 * generator are three processes on the same (2-core) machine.
 */
interface Options {
  db: 'pglite' | 'postgres';
  provider: 'kakaopay' | 'naverpay';
  clients: number;
  checkouts: number;
}

const agent = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

async function call(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.body.json()) as any;
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runCheckoutBench(o: Options) {
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
  try {
    const tokens = await Promise.all(
      Array.from({ length: o.clients }, async (_, i) => {
        const r = await call('POST', `${api}/api/auth/signup`, { ...SIGNUP_CONSENTS, email: `bench${i}-${Date.now()}@example.com`, password: 'bench password 1' });
        return r.token as string;
      }),
    );

    async function checkout(token: string) {
      const auth = { authorization: `Bearer ${token}` };
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

    // Warm-up: JIT, connection pools, prepared plans.
    await Promise.all(tokens.slice(0, Math.min(8, tokens.length)).map((t) => checkout(t)));

    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      tokens.map(async (token) => {
        while (next < o.checkouts) {
          next++;
          const t0 = performance.now();
          try {
            await checkout(token);
            latencies.push(performance.now() - t0);
          } catch (err) {
            errors++;
            if (errors <= 3) console.error(String(err));
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      bench: 'checkout',
      provider: o.provider,
      db: o.db,
      clients: o.clients,
      checkouts: latencies.length,
      errors,
      seconds: Number(elapsed.toFixed(2)),
      checkouts_per_s: Math.round(latencies.length / elapsed),
      p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      p99_ms: Number(percentile(latencies, 99).toFixed(1)),
    };
  } finally {
    await service.stop();
    await sandboxes.stop();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
