import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPreflight, type PreflightResult } from '../../src/cli/preflight-checks.ts';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';

// The sandboxes stand in for KakaoPay and NaverPay: same wire format, same "not found" answers.
let kakao: Awaited<ReturnType<typeof startKakaoPaySandbox>>;
let naver: Awaited<ReturnType<typeof startNaverPaySandbox>>;
let dataDir: string;

beforeAll(async () => {
  kakao = await startKakaoPaySandbox({ port: 0, secretKeys: ['DEV_preflight-live-key'] });
  naver = await startNaverPaySandbox({ port: 0, clientSecret: 'preflight-client-secret' });
  dataDir = mkdtempSync(join(tmpdir(), 'smts-preflight-'));
});
afterAll(async () => {
  await kakao?.close();
  await naver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function env(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PLANS_FILE: 'config/plans.json',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    // local: a production configuration would refuse the sandboxes' loopback URLs at load.
    APP_ENV: 'local',
    SANDBOX_MODE: 'false',
    PUBLIC_URL: 'https://billing.example.com',
    KAKAOPAY_BASE_URL: kakao.url,
    KAKAOPAY_SECRET_KEY: 'DEV_preflight-live-key',
    NAVERPAY_BASE_URL: naver.url,
    NAVERPAY_CLIENT_SECRET: 'preflight-client-secret',
    SMTP_URL: 'smtp://mailer:smtp-secret-pw@127.0.0.1:9',
    NOTICE_FROM: 'ShowMeTheStock <no-reply@example.com>',
    ...overrides,
  };
}

const byCheck = (results: PreflightResult[]) => Object.fromEntries(results.map((r) => [r.check, r]));

describe('npm run preflight', () => {
  it('checks configuration, database, both providers and SMTP without moving money', async () => {
    const before = (await fetch(`${kakao.url}/__sandbox/stats`).then((r) => r.json())) as Record<string, unknown>;
    const results = byCheck(await runPreflight(env()));
    expect(results.configuration.status).toBe('ok');
    expect(results.PUBLIC_URL).toMatchObject({ status: 'ok', detail: expect.stringContaining('https://billing.example.com/api/payment/{kakaopay,naverpay}/return') });
    expect(results.database.status).toBe('ok');
    expect(['ok', 'warn']).toContain(results.migrations.status);
    expect(results['kakaopay: keys and merchant codes']).toMatchObject({ status: 'ok' });
    expect(results['naverpay: keys and merchant codes']).toMatchObject({ status: 'ok' });
    // The sandboxes are plain http on loopback: a production configuration must not point there.
    expect(results.KAKAOPAY_BASE_URL.status).toBe('fail');
    expect(results.APP_ENV.status).toBe('fail');
    // Nothing listens on port 9: SMTP fails, without printing the password.
    expect(results.SMTP.status).toBe('fail');
    expect(JSON.stringify(results)).not.toContain('smtp-secret-pw');
    const after = (await fetch(`${kakao.url}/__sandbox/stats`).then((r) => r.json())) as Record<string, unknown>;
    expect(after.approve).toEqual(before.approve);
  }, 60_000);

  it('a wrong KakaoPay key or NaverPay secret fails its check; missing SMTP fails (judged as production)', async () => {
    const results = byCheck(await runPreflight(env({ KAKAOPAY_SECRET_KEY: 'DEV_wrong-key', NAVERPAY_CLIENT_SECRET: 'wrong-secret', SMTP_URL: '' })));
    expect(results['kakaopay: keys and merchant codes']).toMatchObject({ status: 'fail' });
    expect(results['naverpay: keys and merchant codes']).toMatchObject({ status: 'fail' });
    expect(results['SMTP settings']).toMatchObject({ status: 'fail', detail: expect.stringContaining('SMTP_URL: required') });
    // No BUSINESS_* settings in this environment: the footer's identity is missing.
    expect(results['business identity']).toMatchObject({ status: 'fail', detail: expect.stringContaining('BUSINESS_NAME: required') });
    expect(JSON.stringify(results)).not.toContain('wrong-secret');
  }, 60_000);

  it('an invalid configuration is reported, not thrown', async () => {
    const results = await runPreflight(env({ PORT: 'not-a-port' }));
    expect(results).toEqual([expect.objectContaining({ check: 'configuration', status: 'fail' })]);
  });
});
