import { describe, expect, it } from 'vitest';
import { loadConfig, type RawEnv } from './load-config.ts';

/** A production environment with every refused setting given a real-looking value. */
const PRODUCTION: RawEnv = {
  APP_ENV: 'production',
  HOST: '0.0.0.0',
  AUTH_TOKEN_SECRET: 'k9Vd2n5Qm8Zt4Wb7Yc1Xf3Lp6Rs0Hj2Ga5Ue8Ni',
  KAKAOPAY_BASE_URL: 'https://open-api.kakaopay.com',
  KAKAOPAY_SECRET_KEY: 'PRD0123456789ABCDEF',
  KAKAOPAY_CID: 'CSMTS00001',
  KAKAOPAY_SUBSCRIPTION_CID: 'CSMTS00002',
  NAVERPAY_BASE_URL: 'https://apis.naver.com',
  NAVERPAY_PARTNER_ID: 'np_smts',
  NAVERPAY_CLIENT_ID: 'client-0123',
  NAVERPAY_CLIENT_SECRET: 'secret-0123',
  NAVERPAY_CHAIN_ID: 'chain-0123',
  NAVERPAY_RECURRENT_CHAIN_ID: 'chain-4567',
  NAVERPAY_MODE: 'production',
  SMTP_URL: 'smtp://mailer:mail-secret@smtp.example.com:587',
  NOTICE_FROM: 'ShowMeTheStock <no-reply@example.com>',
  BUSINESS_NAME: '주식회사 쇼미더스탁',
  BUSINESS_REPRESENTATIVE: '김대표',
  BUSINESS_REGISTRATION_NUMBER: '123-45-67890',
  MAIL_ORDER_REPORT_NUMBER: '제2026-서울강남-01234호',
  BUSINESS_ADDRESS: '서울특별시 강남구 테헤란로 1',
  BUSINESS_PHONE: '02-1234-5678',
  BUSINESS_EMAIL: 'help@example.com',
};

function refusal(env: RawEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig in production (APP_ENV unset or production)', () => {
  it('accepts a real configuration, with sandbox mode off', () => {
    const c = loadConfig(PRODUCTION);
    expect(c.appEnv).toBe('production');
    expect(c.sandboxMode).toBe(false);
  });

  it('production is the default: an empty environment is refused, with every problem listed', () => {
    const msg = refusal({});
    for (const name of [
      'AUTH_TOKEN_SECRET',
      'KAKAOPAY_BASE_URL',
      'KAKAOPAY_SECRET_KEY',
      'NAVERPAY_BASE_URL',
      'NAVERPAY_PARTNER_ID',
      'NAVERPAY_CLIENT_ID',
      'NAVERPAY_CLIENT_SECRET',
      'NAVERPAY_CHAIN_ID',
      'NAVERPAY_RECURRENT_CHAIN_ID',
      'SMTP_URL',
      'BUSINESS_NAME',
      'BUSINESS_REGISTRATION_NUMBER',
      'MAIL_ORDER_REPORT_NUMBER',
    ]) {
      expect(msg).toContain(name);
    }
  });

  it('refuses the public default token secret and secrets under 32 characters', () => {
    expect(refusal({ ...PRODUCTION, AUTH_TOKEN_SECRET: 'dev-only-token-secret-change-me-0000' })).toContain('AUTH_TOKEN_SECRET');
    expect(refusal({ ...PRODUCTION, AUTH_TOKEN_SECRET: 'x'.repeat(31) })).toContain('AUTH_TOKEN_SECRET');
    expect(refusal({ ...PRODUCTION, HOST_JWT_HS256_SECRET: 'short-host-secret' })).toContain('HOST_JWT_HS256_SECRET');
  });

  it('refuses SANDBOX_MODE=true', () => {
    expect(refusal({ ...PRODUCTION, SANDBOX_MODE: 'true' })).toContain('SANDBOX_MODE');
  });

  it('refuses the sandbox keys and sandbox (loopback) provider URLs', () => {
    expect(refusal({ ...PRODUCTION, KAKAOPAY_SECRET_KEY: 'DEV_SANDBOX_KAKAOPAY_SECRET' })).toContain('KAKAOPAY_SECRET_KEY');
    expect(refusal({ ...PRODUCTION, KAKAOPAY_API: 'legacy' })).toContain('KAKAOPAY_ADMIN_KEY');
    expect(refusal({ ...PRODUCTION, KAKAOPAY_API: 'legacy', KAKAOPAY_ADMIN_KEY: 'sandbox-kakao-admin-key' })).toContain('KAKAOPAY_ADMIN_KEY');
    expect(loadConfig({ ...PRODUCTION, KAKAOPAY_API: 'legacy', KAKAOPAY_ADMIN_KEY: 'a1b2c3d4e5' }).kakaopay.api).toBe('legacy');
    expect(refusal({ ...PRODUCTION, NAVERPAY_CLIENT_SECRET: 'sandbox-client-secret' })).toContain('NAVERPAY_CLIENT_SECRET');
    for (const url of ['http://127.0.0.1:8091', 'http://localhost:8091', 'http://[::1]:8091', 'http://0.0.0.0:8091']) {
      expect(refusal({ ...PRODUCTION, KAKAOPAY_BASE_URL: url })).toContain('KAKAOPAY_BASE_URL');
    }
    expect(refusal({ ...PRODUCTION, NAVERPAY_BASE_URL: 'http://127.0.0.1:8092' })).toContain('NAVERPAY_BASE_URL');
  });
});

describe('loadConfig in local mode (APP_ENV=local)', () => {
  it('runs the sandbox defaults, with sandbox mode on, on loopback', () => {
    const c = loadConfig({ APP_ENV: 'local' });
    expect(c.appEnv).toBe('local');
    expect(c.sandboxMode).toBe(true);
    expect(c.kakaopay.baseUrl).toBe('http://127.0.0.1:8091');
    expect(loadConfig({ APP_ENV: 'local', SANDBOX_MODE: 'false' }).sandboxMode).toBe(false);
  });

  it('binds to loopback only', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(loadConfig({ APP_ENV: 'local', HOST: host }).host).toBe(host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) {
      expect(refusal({ APP_ENV: 'local', HOST: host })).toContain('HOST');
    }
  });

  it('refuses an unknown APP_ENV', () => {
    expect(refusal({ APP_ENV: 'staging' })).toContain('APP_ENV');
  });
});

describe('RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS', () => {
  const hold = (env: RawEnv) => loadConfig({ APP_ENV: 'local', ...env }).renewal.settings.unknownChargeHoldMs;

  it('defaults to max(sync delay, 5 × the longest provider timeout)', () => {
    expect(hold({})).toBe(60_000); // 60 s sync delay against 5 × 10 s
    expect(hold({ RENEWAL_SYNC_DELAY_SECONDS: '1', KAKAOPAY_TIMEOUT_MS: '1500', NAVERPAY_TIMEOUT_MS: '1500' })).toBe(7_500);
    expect(hold({ RENEWAL_SYNC_DELAY_SECONDS: '1', KAKAOPAY_TIMEOUT_MS: '30000' })).toBe(150_000);
  });

  it('can be set', () => {
    expect(hold({ RENEWAL_UNKNOWN_CHARGE_HOLD_SECONDS: '600' })).toBe(600_000);
  });
});
