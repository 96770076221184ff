import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Secret } from './secret.ts';

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

  APPROVE_WAIT_MS: int.positive().default(15_000),
});

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
    approveWaitMs: env.APPROVE_WAIT_MS,
  };
}

export type AppConfig = ReturnType<typeof buildConfig>;

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
