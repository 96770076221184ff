import { loadConfig } from '../src/config/load-config.ts';
import { compose } from '../src/composition.ts';
import { buildApp } from '../src/http/build-app.ts';
import { createDb } from '../src/storage/create-db.ts';
import { startKakaoPaySandbox } from '../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../src/simulators/naverpay/main.ts';
import { LEGAL_VERSIONS } from '../src/domain/legal/legal-documents.ts';

const SIGNUP_CONSENTS = { terms_version: LEGAL_VERSIONS.terms, privacy_version: LEGAL_VERSIONS.privacy };
const ORDER_CONSENT = { order_consent_version: LEGAL_VERSIONS.order };

// Lists the statements one complete checkout sends to the database, per HTTP request
// (`npx tsx bench/checkout-statements.ts [kakaopay|naverpay]`, on in-memory PGlite).
const provider = (process.argv[2] ?? 'kakaopay') as 'kakaopay' | 'naverpay';
const kakao = await startKakaoPaySandbox({ port: 0 });
const naver = await startNaverPaySandbox({ port: 0 });
let log: string[] | null = null;
const db = await createDb({ kind: 'pglite', dataDir: null }, { onStatement: (s) => log?.push(s.replace(/\s+/g, ' ').slice(0, 220)) });
const config = loadConfig(process.env, {
  APP_ENV: 'local',
  PORT: '0',
  LOG_LEVEL: 'warn',
  SANDBOX_MODE: 'false',
  KAKAOPAY_BASE_URL: kakao.url,
  NAVERPAY_BASE_URL: naver.url,
});
const services = await compose(config, { db });
const app = await buildApp(services, { webDir: null });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
services.ctx.settings.publicUrl = url;

async function post(path: string, body: unknown, token?: string) {
  const res = await fetch(path.startsWith('http') ? path : url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}
async function traced<T>(label: string, fn: () => Promise<T>): Promise<T> {
  log = [];
  const r = await fn();
  console.log(`\n${label}: ${log.length} statements`);
  for (const s of log) console.log('  ' + s);
  log = null;
  return r;
}

const { token } = await post('/api/auth/signup', { ...SIGNUP_CONSENTS, email: 'trace@example.com', password: 'bench password 1' });
for (const round of [1, 2]) {
  console.log(`\n=== checkout ${round} (${provider})`);
  const ready = await traced('ready', () => post(`/api/payment/${provider}/ready`, { ...ORDER_CONSENT, plan: 'standard', auto_renew: false }, token));
  let body: Record<string, string>;
  if (provider === 'kakaopay') {
    const a = await post(`${kakao.url}/__sandbox/tids/${ready.tid}/authorize`, { action: 'approve' });
    body = { tid: ready.tid, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
  } else {
    const a = await post(`${naver.url}/__sandbox/sdk/authorize`, { ...ready.checkout.create, ...ready.checkout.open, action: 'approve' });
    body = { payment_id: ready.payment_id, paymentId: new URL(a.redirect_url).searchParams.get('paymentId')! };
  }
  await traced('approve', () => post(`/api/payment/${provider}/approve`, body, token));
}
await app.close();
await services.close();
await db.close();
await kakao.close();
await naver.close();
