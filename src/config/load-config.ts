import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Secret } from './secret.ts';
import { parseRetryDays } from '../domain/subscription/renewal-schedule.ts';

/**
 * The one place that reads the environment. Validated once at boot and frozen.
 * Defaults describe the local sandbox setup that `npm start` runs.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = z.coerce.number().int();

const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: int.min(0).max(65535).default(8080),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  PLANS_FILE: z.string().default('config/plans.json'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_MODE: bool.default(true),

  AUTH_TOKEN_SECRET: z.string().min(16).default('dev-only-token-secret-change-me-0000'),
  AUTH_TOKEN_TTL_SECONDS: int.positive().default(7 * 24 * 3600),
  ADMIN_EMAILS: z.string().default(''),
  LOGIN_MAX_ATTEMPTS: int.positive().default(5),
  LOGIN_WINDOW_SECONDS: int.positive().default(300),
  HOST_JWT_HS256_SECRET: z.string().optional(),
  HOST_JWT_JWKS_URL: z.string().url().optional(),
  HOST_JWT_ISSUER: z.string().optional(),
  HOST_JWT_AUDIENCE: z.string().optional(),
  HOST_JWT_ADMIN_ROLE_CLAIM: z.string().default('role'),

  KAKAOPAY_BASE_URL: z.string().url().default('http://127.0.0.1:8091'),
  KAKAOPAY_API: z.enum(['current', 'legacy']).default('current'),
  KAKAOPAY_SECRET_KEY: z.string().default('DEV_SANDBOX_KAKAOPAY_SECRET'),
  KAKAOPAY_ADMIN_KEY: z.string().default('sandbox-kakao-admin-key'),
  KAKAOPAY_CID: z.string().default('TC0ONETIME'),
  KAKAOPAY_SUBSCRIPTION_CID: z.string().default('TCSUBSCRIP'),
  KAKAOPAY_CID_SECRET: z.string().optional(),
  KAKAOPAY_TIMEOUT_MS: int.positive().default(10_000),
  KAKAOPAY_TID_LIFETIME_MS: int.positive().default(15 * 60_000),

  NAVERPAY_BASE_URL: z.string().url().default('http://127.0.0.1:8092'),
  NAVERPAY_PARTNER_ID: z.string().default('naverpay-partner'),
  NAVERPAY_CLIENT_ID: z.string().default('sandbox-client-id'),
  NAVERPAY_CLIENT_SECRET: z.string().default('sandbox-client-secret'),
  NAVERPAY_CHAIN_ID: z.string().default('sandbox-chain-id'),
  NAVERPAY_RECURRENT_CHAIN_ID: z.string().default('sandbox-recurrent-chain-id'),
  NAVERPAY_MODE: z.enum(['development', 'production']).default('development'),
  NAVERPAY_CHECKOUT_FLOW: z.enum(['sdk', 'reserve']).default('sdk'),
  NAVERPAY_SDK_URL: z.string().url().optional(),
  NAVERPAY_PAGE_BASE_URL: z.string().url().optional(),
  NAVERPAY_MOBILE_PAGE_BASE_URL: z.string().url().optional(),
  NAVERPAY_PRODUCT_CODE: z.string().default('smts-subscription'),
  NAVERPAY_TIMEOUT_MS: int.positive().default(10_000),
  NAVERPAY_APPROVE_TIMEOUT_MS: int.positive().default(60_000),

  /** Provider fees in basis points of the gross amount, before VAT on the fee. */
  FEE_KAKAOPAY_BPS: int.nonnegative().default(290),
  FEE_NAVERPAY_BPS: int.nonnegative().default(250),

  /** Refunds: how cancel-now refunds unused days, the 청약철회 window, and when an unconfirmed refund is declared failed. */
  REFUND_POLICY: z.enum(['prorated_days', 'none']).default('prorated_days'),
  WITHDRAWAL_DAYS: int.min(0).max(365).default(7),
  REFUND_UNKNOWN_GRACE_SECONDS: int.positive().default(600),

  APPROVE_WAIT_MS: int.positive().default(15_000),

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
});

/** Every environment variable the service reads (deploy files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type RawEnv = Record<string, string | undefined>;

function buildConfig(env: z.infer<typeof EnvSchema>, plansRaw: unknown) {
  const publicUrl = (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, '');
  return {
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    logLevel: env.LOG_LEVEL,
    sandboxMode: env.SANDBOX_MODE,
    database: env.DATABASE_URL
      ? ({ kind: 'postgres', url: env.DATABASE_URL } as const)
      : ({ kind: 'pglite', dataDir: resolve(env.DATA_DIR, 'pglite') } as const),
    dataDir: resolve(env.DATA_DIR),
    plansRaw,
    auth: {
      tokenSecret: new Secret(env.AUTH_TOKEN_SECRET),
      tokenTtlSeconds: env.AUTH_TOKEN_TTL_SECONDS,
      adminEmails: env.ADMIN_EMAILS.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
      loginMaxAttempts: env.LOGIN_MAX_ATTEMPTS,
      loginWindowMs: env.LOGIN_WINDOW_SECONDS * 1000,
      hostJwt: {
        hs256Secret: env.HOST_JWT_HS256_SECRET ? new Secret(env.HOST_JWT_HS256_SECRET) : null,
        jwksUrl: env.HOST_JWT_JWKS_URL ?? null,
        issuer: env.HOST_JWT_ISSUER ?? null,
        audience: env.HOST_JWT_AUDIENCE ?? null,
        adminRoleClaim: env.HOST_JWT_ADMIN_ROLE_CLAIM,
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
    refunds: {
      policy: env.REFUND_POLICY,
      withdrawalDays: env.WITHDRAWAL_DAYS,
      unknownGraceMs: env.REFUND_UNKNOWN_GRACE_SECONDS * 1000,
    },
    approveWaitMs: env.APPROVE_WAIT_MS,
    renewal: renewalConfig(env),
    notices: { smtpUrl: env.SMTP_URL ? new Secret(env.SMTP_URL) : null, from: env.NOTICE_FROM },
    operations: {
      requestLog: env.REQUEST_LOG,
      metricsToken: env.METRICS_TOKEN ? new Secret(env.METRICS_TOKEN) : null,
      workerHttpPort: env.WORKER_HTTP_PORT ?? null,
      workerStaleMs: env.WORKER_HEARTBEAT_STALE_SECONDS * 1000,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
  };
}

export type AppConfig = ReturnType<typeof buildConfig>;

const DAY_MS = 24 * 60 * 60 * 1000;

function renewalConfig(env: z.infer<typeof EnvSchema>) {
  return {
    inProcess: env.RENEWAL_WORKER_IN_PROCESS,
    // Sandbox mode checks every few seconds so test-clock jumps show at once; production once a minute.
    tickMs: env.RENEWAL_TICK_MS ?? (env.SANDBOX_MODE ? 3_000 : 60_000),
    batchSize: env.RENEWAL_BATCH_SIZE,
    loops: env.RENEWAL_LOOPS,
    settings: {
      retryOffsetsMs: parseRetryDays(env.RENEWAL_RETRY_DAYS),
      graceMs: Math.round(env.RENEWAL_GRACE_DAYS * DAY_MS),
      noticeLeadMs: Math.round(env.RENEWAL_NOTICE_DAYS * DAY_MS),
      leaseMs: env.RENEWAL_LEASE_SECONDS * 1000,
      syncDelayMs: env.RENEWAL_SYNC_DELAY_SECONDS * 1000,
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
