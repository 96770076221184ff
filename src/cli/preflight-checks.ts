import { loadConfig, type AppConfig, type RawEnv } from '../config/load-config.ts';
import { businessIdentityProblems, smtpProblems } from '../config/production-checks.ts';
import { ProviderConfigError, ProviderDeclinedError, ProviderError, ProviderRequestError } from '../domain/errors.ts';
import type { PaymentGateway } from '../domain/ports.ts';
import { createGatewayRegistry } from '../providers/registry.ts';
import { createDb } from '../storage/create-db.ts';
import { OperationsRepository } from '../storage/repositories/operations-repository.ts';
import { SmtpNoticeSender } from '../worker/smtp-notice-sender.ts';

export interface PreflightResult {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

export interface PreflightOptions {
  /** Also fetch `PUBLIC_URL/livez` (the service must be running behind its proxy). */
  checkPublicUrl?: boolean;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** Text of an error without URLs (they may carry credentials). */
function describe(err: unknown): string {
  const msg = err instanceof ProviderError ? `${err.name} ${err.providerCode}: ${err.message}` : err instanceof Error ? err.message : String(err);
  return msg.replace(/\w+:\/\/[^\s]+/g, '[url]').slice(0, 300);
}

/**
 * Asks a provider about a payment that does not exist, with our real keys and merchant codes.
 * "Not found" proves the host, the keys and the merchant code are accepted; nothing moves money.
 */
async function probeProvider(gateway: PaymentGateway, providerRef: string): Promise<PreflightResult> {
  const check = `${gateway.id}: keys and merchant codes`;
  try {
    await gateway.getPayment({ paymentId: 'pay_preflight000000000000000', providerRef });
    return { check, status: 'warn', detail: 'a lookup of a made-up payment was answered as found; check the base URL' };
  } catch (err) {
    if (err instanceof ProviderDeclinedError && err.reason === 'not_found') {
      return { check, status: 'ok', detail: `authenticated; a made-up payment is unknown (${err.providerCode})` };
    }
    if (err instanceof ProviderConfigError) return { check, status: 'fail', detail: `keys or merchant code refused: ${describe(err)}` };
    if (err instanceof ProviderRequestError) return { check, status: 'fail', detail: `request refused: ${describe(err)}` };
    return { check, status: 'fail', detail: describe(err) };
  }
}

function configChecks(config: AppConfig, env: RawEnv): PreflightResult[] {
  const out: PreflightResult[] = [];
  const appEnv = env.APP_ENV ?? 'production';
  out.push(
    appEnv === 'production'
      ? { check: 'APP_ENV', status: 'ok', detail: 'production (the service refuses sandbox keys, URLs and default secrets)' }
      : { check: 'APP_ENV', status: 'fail', detail: `must be production (got ${appEnv})` },
  );
  const pub = new URL(config.publicUrl);
  out.push(
    pub.protocol === 'https:' && !LOOPBACK.test(pub.hostname)
      ? { check: 'PUBLIC_URL', status: 'ok', detail: `${config.publicUrl}; return URLs ${config.publicUrl}/api/payment/{kakaopay,naverpay}/return` }
      : { check: 'PUBLIC_URL', status: 'fail', detail: `must be the public https origin (got ${config.publicUrl})` },
  );
  out.push(config.sandboxMode ? { check: 'SANDBOX_MODE', status: 'fail', detail: 'must be false in production' } : { check: 'SANDBOX_MODE', status: 'ok', detail: 'off' });
  for (const [name, url] of [
    ['KAKAOPAY_BASE_URL', config.kakaopay.baseUrl],
    ['NAVERPAY_BASE_URL', config.naverpay.baseUrl],
  ] as const) {
    const u = new URL(url);
    out.push(
      u.protocol === 'https:' && !LOOPBACK.test(u.hostname)
        ? { check: name, status: 'ok', detail: url }
        : { check: name, status: 'fail', detail: `points at a sandbox or plain http (${url})` },
    );
  }
  // Judged as production whatever APP_ENV says: this is the production pre-flight.
  const smtp = smtpProblems({ ...env, APP_ENV: 'production' });
  out.push(smtp.length ? { check: 'SMTP settings', status: 'fail', detail: smtp.join('; ') } : { check: 'SMTP settings', status: 'ok', detail: 'SMTP_URL and NOTICE_FROM set' });
  const business = businessIdentityProblems({ ...env, APP_ENV: 'production' });
  out.push(
    business.length
      ? { check: 'business identity', status: 'fail', detail: business.join('; ') }
      : { check: 'business identity', status: 'ok', detail: '상호, 대표자, 사업자등록번호, 통신판매업 신고번호, address and contact set (page footer)' },
  );
  out.push(
    config.database.kind === 'postgres'
      ? { check: 'DATABASE_URL', status: 'ok', detail: 'PostgreSQL' }
      : { check: 'DATABASE_URL', status: 'warn', detail: 'embedded PGlite: one process only, no replicas; use PostgreSQL in production' },
  );
  out.push(
    config.operations.metricsToken
      ? { check: 'METRICS_TOKEN', status: 'ok', detail: 'set' }
      : { check: 'METRICS_TOKEN', status: 'warn', detail: 'unset: /metrics is open; block it at the proxy' },
  );
  return out;
}

/**
 * The production pre-flight (`npm run preflight`): configuration, database reachable and
 * migrated, KakaoPay and NaverPay accept our keys (lookups of a made-up payment), SMTP accepts
 * a connection and login (nothing is sent), and optionally the public URL answers. Never
 * moves money and never writes to the database.
 */
export async function runPreflight(env: RawEnv = process.env, opts: PreflightOptions = {}): Promise<PreflightResult[]> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    return [{ check: 'configuration', status: 'fail', detail: describe(err) }];
  }
  const results: PreflightResult[] = [{ check: 'configuration', status: 'ok', detail: 'loaded and validated' }, ...configChecks(config, env)];

  try {
    const db = await createDb(config.database.kind === 'postgres' ? { ...config.database, poolSize: 2 } : config.database);
    try {
      const ops = new OperationsRepository(db.db);
      await ops.ping();
      const pending = await ops.pendingMigrations();
      results.push({ check: 'database', status: 'ok', detail: 'reachable' });
      results.push(
        pending.length
          ? { check: 'migrations', status: 'warn', detail: `pending: ${pending.join(', ')} (applied by \`npm run migrate\` or the server at start)` }
          : { check: 'migrations', status: 'ok', detail: 'all applied' },
      );
    } finally {
      await db.close();
    }
  } catch (err) {
    results.push({ check: 'database', status: 'fail', detail: describe(err) });
  }

  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  const gateways = createGatewayRegistry(config, silent, { now: () => new Date() });
  const kakao = gateways.get('kakaopay');
  if (kakao) results.push(await probeProvider(kakao, 'T0000000000000000000'));
  const naver = gateways.get('naverpay');
  if (naver) results.push(await probeProvider(naver, '20990101NP0000000000'));

  if (config.notices.smtpUrl) {
    const sender = new SmtpNoticeSender({ url: config.notices.smtpUrl.reveal(), from: config.notices.from, timeoutMs: 10_000 });
    try {
      await sender.verify();
      results.push({ check: 'SMTP', status: 'ok', detail: 'connected and authenticated (nothing sent)' });
    } catch (err) {
      results.push({ check: 'SMTP', status: 'fail', detail: describe(err) });
    } finally {
      sender.close();
    }
  }

  if (opts.checkPublicUrl) {
    try {
      const res = await fetch(`${config.publicUrl}/livez`, { signal: AbortSignal.timeout(10_000) });
      results.push(res.ok ? { check: 'public URL', status: 'ok', detail: `${config.publicUrl}/livez answered ${res.status}` } : { check: 'public URL', status: 'fail', detail: `${config.publicUrl}/livez answered ${res.status}` });
    } catch (err) {
      results.push({ check: 'public URL', status: 'fail', detail: describe(err) });
    }
  }
  return results;
}
