import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { Secret } from './secret.ts';
import { businessIdentityProblems, smtpProblems } from './production-checks.ts';
import { parseRetryDays } from '../domain/subscription/renewal-schedule.ts';

/**
 * The one place that reads the environment. Validated once at boot and frozen.
 * Defaults describe the local sandbox setup that `npm start` runs; with
 * APP_ENV=production (the default) those defaults are refused (see productionProblems).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = z.coerce.number().int();

/** The published development secret: anyone can sign tokens with it, so production refuses it. */
export const DEV_TOKEN_SECRET = 'dev-only-token-secret-change-me-0000';
const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** Defaults that only the bundled sandboxes accept; production refuses them. */
const SANDBOX_DEFAULTS = {
  KAKAOPAY_SECRET_KEY: 'DEV_SANDBOX_KAKAOPAY_SECRET',
  KAKAOPAY_ADMIN_KEY: 'sandbox-kakao-admin-key',
  NAVERPAY_PARTNER_ID: 'naverpay-partner',
  NAVERPAY_CLIENT_ID: 'sandbox-client-id',
  NAVERPAY_CLIENT_SECRET: 'sandbox-client-secret',
  NAVERPAY_CHAIN_ID: 'sandbox-chain-id',
  NAVERPAY_RECURRENT_CHAIN_ID: 'sandbox-recurrent-chain-id',
} as const;

const EnvSchema = z.object({
  /**
   * `production` (default): refuses the sandbox defaults (see productionProblems).
   * `local`: the one-machine sandbox setup of `npm start`; listens on loopback only.
   */
  APP_ENV: z.enum(['local', 'production']).default('production'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int.min(0).max(65535).default(8080),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().optional(),
  /** PostgreSQL: send the most used statement texts as named (server-prepared) statements. On by default; off behind a proxy that pools connections per transaction. */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  DATA_DIR: z.string().default('.data'),
  PLANS_FILE: z.string().default('config/plans.json'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Test clock, mailbox and renewal-run routes. Default: on in APP_ENV=local, off in production (where it is refused). */
  SANDBOX_MODE: bool.optional(),

  AUTH_TOKEN_SECRET: z.string().min(16).default(DEV_TOKEN_SECRET),
  AUTH_TOKEN_TTL_SECONDS: int.positive().default(7 * 24 * 3600),
  /** How long a process may reuse a session check (revoked? role?); logout in the same process clears it at once. */
  AUTH_SESSION_CACHE_MS: int.nonnegative().max(60_000).default(5_000),
  ADMIN_EMAILS: z.string().default(''),
  LOGIN_MAX_ATTEMPTS: int.positive().default(5),
  LOGIN_WINDOW_SECONDS: int.positive().default(300),
  /** First lock after too many attempts; each further lock doubles, up to the max (docs/web-security.md). */
  LOGIN_LOCK_SECONDS: int.positive().default(300),
  LOGIN_LOCK_MAX_SECONDS: int.positive().default(24 * 3600),
  /** Per client address, higher than per account: one office behind a NAT shares an address. */
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: int.positive().default(50),
  SIGNUP_RATE_LIMIT_MAX: int.positive().default(20),
  SIGNUP_RATE_LIMIT_WINDOW_SECONDS: int.positive().default(3600),
  READY_RATE_LIMIT_MAX: int.positive().default(30),
  READY_RATE_LIMIT_WINDOW_SECONDS: int.positive().default(600),
  /** Fastify trustProxy: false | true | hop count | comma-separated proxy addresses / CIDRs. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((v) => parseTrustProxy(v) !== undefined, 'true, false, a hop count or comma-separated addresses/CIDRs'),
  /** Origins besides PUBLIC_URL's allowed to make cookie-authenticated state changes (comma-separated). */
  CSRF_TRUSTED_ORIGINS: z
    .string()
    .default('')
    .refine((v) => splitList(v).every((o) => URL.canParse(o)), 'comma-separated origins, e.g. http://localhost:5173'),
  HOST_JWT_HS256_SECRET: z.string().optional(),
  HOST_JWT_JWKS_URL: z.string().url().optional(),
  HOST_JWT_ISSUER: z.string().optional(),
  HOST_JWT_AUDIENCE: z.string().optional(),
  HOST_JWT_ADMIN_ROLE_CLAIM: z.string().default('role'),

  KAKAOPAY_BASE_URL: z.string().url().default('http://127.0.0.1:8091'),
  KAKAOPAY_API: z.enum(['current', 'legacy']).default('current'),
  KAKAOPAY_SECRET_KEY: z.string().default(SANDBOX_DEFAULTS.KAKAOPAY_SECRET_KEY),
  KAKAOPAY_ADMIN_KEY: z.string().default(SANDBOX_DEFAULTS.KAKAOPAY_ADMIN_KEY),
  KAKAOPAY_CID: z.string().default('TC0ONETIME'),
  KAKAOPAY_SUBSCRIPTION_CID: z.string().default('TCSUBSCRIP'),
  KAKAOPAY_CID_SECRET: z.string().optional(),
  KAKAOPAY_TIMEOUT_MS: int.positive().default(10_000),
  KAKAOPAY_TID_LIFETIME_MS: int.positive().default(15 * 60_000),

  NAVERPAY_BASE_URL: z.string().url().default('http://127.0.0.1:8092'),
  NAVERPAY_PARTNER_ID: z.string().default(SANDBOX_DEFAULTS.NAVERPAY_PARTNER_ID),
  NAVERPAY_CLIENT_ID: z.string().default(SANDBOX_DEFAULTS.NAVERPAY_CLIENT_ID),
  NAVERPAY_CLIENT_SECRET: z.string().default(SANDBOX_DEFAULTS.NAVERPAY_CLIENT_SECRET),
  NAVERPAY_CHAIN_ID: z.string().default(SANDBOX_DEFAULTS.NAVERPAY_CHAIN_ID),
  NAVERPAY_RECURRENT_CHAIN_ID: z.string().default(SANDBOX_DEFAULTS.NAVERPAY_RECURRENT_CHAIN_ID),
  NAVERPAY_MODE: z.enum(['development', 'production']).default('development'),
  NAVERPAY_CHECKOUT_FLOW: z.enum(['sdk', 'reserve']).default('sdk'),
  NAVERPAY_SDK_URL: z.string().url().optional(),
  NAVERPAY_PAGE_BASE_URL: z.string().url().optional(),
  NAVERPAY_MOBILE_PAGE_BASE_URL: z.string().url().optional(),
  NAVERPAY_PRODUCT_CODE: z.string().default('smts-subscription'),
  NAVERPAY_TIMEOUT_MS: int.positive().default(10_000),
  NAVERPAY_APPROVE_TIMEOUT_MS: int.positive().default(60_000),
  /** How long a NaverPay checkout (reserve / hosted-page session) stays payable; then it expires (issue 11 item 5). */
  NAVERPAY_CHECKOUT_LIFETIME_MS: int.positive().default(30 * 60_000),

  /** Provider fees in basis points of the gross amount, before VAT on the fee. */
  FEE_KAKAOPAY_BPS: int.nonnegative().default(290),
  FEE_NAVERPAY_BPS: int.nonnegative().default(250),

  /** Refunds: how cancel-now refunds unused days, the 청약철회 window, and when an unconfirmed refund is declared failed. */
  REFUND_POLICY: z.enum(['prorated_days', 'none']).default('prorated_days'),
  WITHDRAWAL_DAYS: int.min(0).max(365).default(7),
  REFUND_UNKNOWN_GRACE_SECONDS: int.positive().default(600),

  /** A trading-engine reservation not committed or released stops counting against the cap after this long (business clock). */
  USAGE_RESERVATION_TTL_SECONDS: int.positive().default(300),

  APPROVE_WAIT_MS: int.positive().default(15_000),
  /** An Idempotency-Key claim without an answer is held this long (renewed while its request runs); then a retry may take it over. */
  IDEMPOTENCY_LEASE_SECONDS: int.positive().default(60),

  /** Renewal worker (src/worker). Days may be fractional. */
  RENEWAL_WORKER_IN_PROCESS: bool.default(true),
  RENEWAL_TICK_MS: int.positive().optional(),
  RENEWAL_RETRY_DAYS: z
    .string()
    .default('1,3,5')
    .refine((v) => {
      try {
        parseRetryDays(v);
        return true;
      } catch {
        return false;
      }
    }, 'comma-separated ascending positive days, e.g. 1,3,5'),
  RENEWAL_GRACE_DAYS: z.coerce.number().nonnegative().default(7),
  RENEWAL_NOTICE_DAYS: z.coerce.number().nonnegative().default(7),
  RENEWAL_BATCH_SIZE: int.positive().max(1000).default(64),
  RENEWAL_LOOPS: int.positive().max(64).default(2),
  RENEWAL_LEASE_SECONDS: int.positive().default(600),
  RENEWAL_SYNC_DELAY_SECONDS: int.nonnegative().default(60),
  /** Default max(RENEWAL_SYNC_DELAY_SECONDS, 5 × the longest provider charge timeout); see renewalConfig. */
  RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS: int.nonnegative().optional(),
  RENEWAL_TRANSIENT_RETRY_MINUTES: z.coerce.number().positive().default(30),
  /** smtp://[user:pass@]host[:port]; notices are delivered only when set (or to the sandbox mailbox). */
  SMTP_URL: z.string().url().optional(),
  NOTICE_FROM: z.string().default('ShowMeTheStock <no-reply@showmethestock.local>'),

  /** Operations (docs/operations.md): request logs, metrics, readiness, shutdown. */
  REQUEST_LOG: bool.default(true),
  METRICS_TOKEN: z.string().min(16).optional(),
  WORKER_HTTP_PORT: int.min(0).max(65535).optional(),
  WORKER_HEARTBEAT_STALE_SECONDS: int.positive().default(120),
  SHUTDOWN_TIMEOUT_MS: int.positive().default(30_000),
  /** Webhook delivery to the trading engine (docs/trading-engine.md "Webhooks (delivery)"). */
  WEBHOOK_TIMEOUT_MS: int.positive().max(60_000).default(10_000),
  /** A claimed delivery is held this long; a dispatcher that dies mid-send is redelivered after it. */
  WEBHOOK_LEASE_SECONDS: int.positive().default(60),
  WEBHOOK_BATCH_SIZE: int.positive().max(1000).default(100),
  /** Pause between runs of the job runner's own loop (webhooks, notices, revocations). */
  JOB_TICK_MS: int.positive().default(1_000),
  /** Local stand-in trading engine of `npm start` (APP_ENV=local only); 0 picks a free port. */
  ENGINE_STANDIN_PORT: int.min(0).max(65535).default(8093),

  /**
   * The business identity every page's footer shows (전자상거래법 제10조, docs/legal.md). The
   * defaults are placeholders for the local sandbox; production refuses them unset.
   */
  BUSINESS_NAME: z.string().max(100).default('ShowMeTheStock (로컬 샌드박스)'),
  BUSINESS_REPRESENTATIVE: z.string().max(100).default('홍길동'),
  BUSINESS_REGISTRATION_NUMBER: z
    .string()
    .regex(/^\d{3}-\d{2}-\d{5}$/, '000-00-00000')
    .default('000-00-00000'),
  MAIL_ORDER_REPORT_NUMBER: z.string().max(100).default('제0000-로컬-0000호'),
  BUSINESS_ADDRESS: z.string().max(200).default('서울특별시 (로컬 샌드박스 주소)'),
  BUSINESS_PHONE: z.string().max(40).default('02-000-0000'),
  BUSINESS_EMAIL: z.email().default('help@showmethestock.local'),
  /** 호스팅서비스 제공자 (shown when set). */
  BUSINESS_HOSTING_PROVIDER: z.string().max(100).optional(),

  /** Password reset by e-mail (docs/web-security.md): link lifetime (real time) and request limits. */
  PASSWORD_RESET_TOKEN_MINUTES: int.positive().max(24 * 60).default(30),
  /** Reset mails per account per hour; further requests get the same answer and no mail. */
  PASSWORD_RESET_MAX_PER_ACCOUNT: int.positive().default(3),
  PASSWORD_RESET_RATE_LIMIT_MAX: int.positive().default(10),
  PASSWORD_RESET_RATE_LIMIT_WINDOW_SECONDS: int.positive().default(3600),
});

/** Every environment variable the service reads (deploy files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type RawEnv = Record<string, string | undefined>;
type Env = z.infer<typeof EnvSchema>;

function splitList(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** TRUST_PROXY as fastify's `trustProxy` option; undefined when malformed. */
function parseTrustProxy(v: string): boolean | number | string[] | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false' || t === '') return false;
  if (/^\d+$/.test(t)) return Number(t);
  const list = splitList(t);
  const ok = list.every((entry) => {
    const [addr, bits, ...rest] = entry.split('/');
    if (rest.length > 0 || !isIP(addr)) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128));
  });
  return ok && list.length > 0 ? list : undefined;
}

const sandboxModeOf = (env: Env): boolean => env.SANDBOX_MODE ?? env.APP_ENV === 'local';

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Where the bundled sandboxes live: loopback, or the any-address (which means this machine). */
function isSandboxUrl(url: string): boolean {
  const h = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isLoopbackHost(h) || h === '0.0.0.0' || h === '::';
}

/**
 * Settings a deployment (APP_ENV=production) must not run with: each would let anyone
 * forge a session, use the sandbox tools, or take "payments" that no provider collects.
 * `given` is what the environment set (defaults are missing from it).
 */
function productionProblems(env: Env, given: RawEnv): string[] {
  const problems: string[] = [];
  if (env.AUTH_TOKEN_SECRET === DEV_TOKEN_SECRET || env.AUTH_TOKEN_SECRET.length < MIN_PRODUCTION_SECRET_LENGTH) {
    problems.push(`AUTH_TOKEN_SECRET: set a random secret of at least ${MIN_PRODUCTION_SECRET_LENGTH} characters (the default is public)`);
  }
  if (env.HOST_JWT_HS256_SECRET !== undefined && env.HOST_JWT_HS256_SECRET.length < MIN_PRODUCTION_SECRET_LENGTH) {
    problems.push(`HOST_JWT_HS256_SECRET: must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters`);
  }
  if (env.SANDBOX_MODE === true) {
    problems.push('SANDBOX_MODE: the test clock and sandbox mailbox are for APP_ENV=local only');
  }
  for (const name of ['KAKAOPAY_BASE_URL', 'NAVERPAY_BASE_URL'] as const) {
    if (given[name] === undefined) problems.push(`${name}: required (the default is the local sandbox)`);
    else if (isSandboxUrl(env[name])) problems.push(`${name}: a loopback address is a sandbox, not the provider`);
  }
  const keyNames = [
    env.KAKAOPAY_API === 'current' ? 'KAKAOPAY_SECRET_KEY' : 'KAKAOPAY_ADMIN_KEY',
    'NAVERPAY_PARTNER_ID',
    'NAVERPAY_CLIENT_ID',
    'NAVERPAY_CLIENT_SECRET',
    'NAVERPAY_CHAIN_ID',
    'NAVERPAY_RECURRENT_CHAIN_ID',
  ] as const;
  for (const name of keyNames) {
    if (env[name] === SANDBOX_DEFAULTS[name]) problems.push(`${name}: the sandbox default; set the value the provider issued`);
  }
  // Notices (renewal warnings, failed payments) must reach subscribers.
  problems.push(...smtpProblems(given));
  // The footer's 상호, 대표자, 사업자등록번호, 통신판매업 신고번호, address and contact (전자상거래법 제10조).
  problems.push(...businessIdentityProblems(given));
  return problems;
}

function localProblems(env: Env): string[] {
  return isLoopbackHost(env.HOST) ? [] : [`HOST: APP_ENV=local listens on loopback only (127.0.0.1, ::1, localhost), not ${env.HOST}`];
}

function buildConfig(env: Env, plansRaw: unknown) {
  const publicUrl = (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, '');
  return {
    appEnv: env.APP_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    logLevel: env.LOG_LEVEL,
    sandboxMode: sandboxModeOf(env),
    database: env.DATABASE_URL
      ? ({ kind: 'postgres', url: env.DATABASE_URL, preparedStatements: env.DATABASE_PREPARED_STATEMENTS } as const)
      : ({ kind: 'pglite', dataDir: resolve(env.DATA_DIR, 'pglite') } as const),
    dataDir: resolve(env.DATA_DIR),
    plansRaw,
    auth: {
      tokenSecret: new Secret(env.AUTH_TOKEN_SECRET),
      tokenTtlSeconds: env.AUTH_TOKEN_TTL_SECONDS,
      sessionCacheMs: env.AUTH_SESSION_CACHE_MS,
      adminEmails: env.ADMIN_EMAILS.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
      loginMaxAttempts: env.LOGIN_MAX_ATTEMPTS,
      loginWindowMs: env.LOGIN_WINDOW_SECONDS * 1000,
      loginLockMs: env.LOGIN_LOCK_SECONDS * 1000,
      loginLockMaxMs: Math.max(env.LOGIN_LOCK_MAX_SECONDS, env.LOGIN_LOCK_SECONDS) * 1000,
      loginMaxAttemptsPerAddress: env.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      hostJwt: {
        hs256Secret: env.HOST_JWT_HS256_SECRET ? new Secret(env.HOST_JWT_HS256_SECRET) : null,
        jwksUrl: env.HOST_JWT_JWKS_URL ?? null,
        issuer: env.HOST_JWT_ISSUER ?? null,
        audience: env.HOST_JWT_AUDIENCE ?? null,
        adminRoleClaim: env.HOST_JWT_ADMIN_ROLE_CLAIM,
      },
    },
    http: {
      trustProxy: parseTrustProxy(env.TRUST_PROXY)!,
      /** Extra origins for the CSRF check; PUBLIC_URL's origin is always allowed. */
      trustedOrigins: splitList(env.CSRF_TRUSTED_ORIGINS).map((o) => new URL(o).origin),
      rateLimits: {
        signup: { max: env.SIGNUP_RATE_LIMIT_MAX, windowMs: env.SIGNUP_RATE_LIMIT_WINDOW_SECONDS * 1000 },
        ready: { max: env.READY_RATE_LIMIT_MAX, windowMs: env.READY_RATE_LIMIT_WINDOW_SECONDS * 1000 },
        passwordReset: { max: env.PASSWORD_RESET_RATE_LIMIT_MAX, windowMs: env.PASSWORD_RESET_RATE_LIMIT_WINDOW_SECONDS * 1000 },
      },
    },
    kakaopay: {
      baseUrl: env.KAKAOPAY_BASE_URL.replace(/\/$/, ''),
      api: env.KAKAOPAY_API,
      secretKey: new Secret(env.KAKAOPAY_SECRET_KEY),
      adminKey: new Secret(env.KAKAOPAY_ADMIN_KEY),
      cid: env.KAKAOPAY_CID,
      subscriptionCid: env.KAKAOPAY_SUBSCRIPTION_CID,
      cidSecret: env.KAKAOPAY_CID_SECRET ? new Secret(env.KAKAOPAY_CID_SECRET) : null,
      timeoutMs: env.KAKAOPAY_TIMEOUT_MS,
      tidLifetimeMs: env.KAKAOPAY_TID_LIFETIME_MS,
    },
    naverpay: {
      baseUrl: env.NAVERPAY_BASE_URL.replace(/\/$/, ''),
      partnerId: env.NAVERPAY_PARTNER_ID,
      clientId: env.NAVERPAY_CLIENT_ID,
      clientSecret: new Secret(env.NAVERPAY_CLIENT_SECRET),
      chainId: env.NAVERPAY_CHAIN_ID,
      recurrentChainId: env.NAVERPAY_RECURRENT_CHAIN_ID,
      mode: env.NAVERPAY_MODE,
      checkoutFlow: env.NAVERPAY_CHECKOUT_FLOW,
      // In sandbox mode the SDK stand-in and hosted pages are served by the sandbox itself.
      sdkUrl: env.NAVERPAY_SDK_URL ?? `${env.NAVERPAY_BASE_URL.replace(/\/$/, '')}/sdk/js/naverpay.min.js`,
      pageBaseUrl: env.NAVERPAY_PAGE_BASE_URL ?? env.NAVERPAY_BASE_URL.replace(/\/$/, ''),
      mobilePageBaseUrl: env.NAVERPAY_MOBILE_PAGE_BASE_URL ?? env.NAVERPAY_BASE_URL.replace(/\/$/, ''),
      productCode: env.NAVERPAY_PRODUCT_CODE,
      timeoutMs: env.NAVERPAY_TIMEOUT_MS,
      approveTimeoutMs: env.NAVERPAY_APPROVE_TIMEOUT_MS,
    },
    fees: { kakaopay: env.FEE_KAKAOPAY_BPS, naverpay: env.FEE_NAVERPAY_BPS } as Record<string, number>,
    /** Per provider: an unfinished checkout older than this (plus a minute of slack) expires (use-cases/expire-checkouts.ts). */
    checkoutLifetimesMs: { kakaopay: env.KAKAOPAY_TID_LIFETIME_MS, naverpay: env.NAVERPAY_CHECKOUT_LIFETIME_MS } as Record<string, number>,
    refunds: {
      policy: env.REFUND_POLICY,
      withdrawalDays: env.WITHDRAWAL_DAYS,
      unknownGraceMs: env.REFUND_UNKNOWN_GRACE_SECONDS * 1000,
    },
    approveWaitMs: env.APPROVE_WAIT_MS,
    usageReservationTtlMs: env.USAGE_RESERVATION_TTL_SECONDS * 1000,
    idempotencyLeaseMs: env.IDEMPOTENCY_LEASE_SECONDS * 1000,
    renewal: renewalConfig(env),
    notices: { smtpUrl: env.SMTP_URL ? new Secret(env.SMTP_URL) : null, from: env.NOTICE_FROM },
    operations: {
      requestLog: env.REQUEST_LOG,
      metricsToken: env.METRICS_TOKEN ? new Secret(env.METRICS_TOKEN) : null,
      workerHttpPort: env.WORKER_HTTP_PORT ?? null,
      workerStaleMs: env.WORKER_HEARTBEAT_STALE_SECONDS * 1000,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      // The lease must outlast a send that times out, or a slow endpoint would get parallel copies.
      leaseMs: Math.max(env.WEBHOOK_LEASE_SECONDS * 1000, env.WEBHOOK_TIMEOUT_MS + 5_000),
      batchSize: env.WEBHOOK_BATCH_SIZE,
      jobTickMs: env.JOB_TICK_MS,
    },
    engineStandinPort: env.ENGINE_STANDIN_PORT,
    business: {
      name: env.BUSINESS_NAME,
      representative: env.BUSINESS_REPRESENTATIVE,
      registrationNumber: env.BUSINESS_REGISTRATION_NUMBER,
      mailOrderReportNumber: env.MAIL_ORDER_REPORT_NUMBER,
      address: env.BUSINESS_ADDRESS,
      phone: env.BUSINESS_PHONE,
      email: env.BUSINESS_EMAIL,
      hostingProvider: env.BUSINESS_HOSTING_PROVIDER ?? null,
    },
    passwordReset: {
      tokenTtlMs: env.PASSWORD_RESET_TOKEN_MINUTES * 60_000,
      maxPerAccountPerHour: env.PASSWORD_RESET_MAX_PER_ACCOUNT,
    },
  };
}

export type AppConfig = ReturnType<typeof buildConfig>;

const DAY_MS = 24 * 60 * 60 * 1000;

function renewalConfig(env: Env) {
  return {
    inProcess: env.RENEWAL_WORKER_IN_PROCESS,
    // Sandbox mode checks every few seconds so test-clock jumps show at once; production once a minute.
    tickMs: env.RENEWAL_TICK_MS ?? (sandboxModeOf(env) ? 3_000 : 60_000),
    batchSize: env.RENEWAL_BATCH_SIZE,
    loops: env.RENEWAL_LOOPS,
    settings: {
      retryOffsetsMs: parseRetryDays(env.RENEWAL_RETRY_DAYS),
      graceMs: Math.round(env.RENEWAL_GRACE_DAYS * DAY_MS),
      noticeLeadMs: Math.round(env.RENEWAL_NOTICE_DAYS * DAY_MS),
      leaseMs: env.RENEWAL_LEASE_SECONDS * 1000,
      syncDelayMs: env.RENEWAL_SYNC_DELAY_SECONDS * 1000,
      // A charge without idempotency key that timed out may still commit at the provider; a
      // "not found" lookup proves nothing until well past the provider's own processing time.
      unknownChargeHoldMs:
        env.RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS !== undefined
          ? env.RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS * 1000
          : Math.max(env.RENEWAL_SYNC_DELAY_SECONDS * 1000, 5 * Math.max(env.KAKAOPAY_TIMEOUT_MS, env.NAVERPAY_TIMEOUT_MS)),
      transientRetryMs: Math.round(env.RENEWAL_TRANSIENT_RETRY_MINUTES * 60_000),
    },
  };
}

/** Reads and validates the environment; throws with every problem listed. */
export function loadConfig(env: RawEnv = process.env, overrides: RawEnv = {}): AppConfig {
  const merged = { ...env, ...overrides };
  // Empty strings mean "unset" (a blank line in an env file).
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const problems = parsed.data.APP_ENV === 'production' ? productionProblems(parsed.data, cleaned) : localProblems(parsed.data);
  if (problems.length > 0) {
    const hint = parsed.data.APP_ENV === 'production' ? '\n(for the local sandbox setup on loopback, run `npm start` or set APP_ENV=local)' : '';
    throw new Error(`refused configuration (APP_ENV=${parsed.data.APP_ENV}):\n${problems.map((p) => `  ${p}`).join('\n')}${hint}`);
  }
  const plansRaw = JSON.parse(readFileSync(resolve(parsed.data.PLANS_FILE), 'utf8'));
  return deepFreeze(buildConfig(parsed.data, plansRaw));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Secret)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
