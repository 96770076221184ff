import { startKakaoPaySandbox } from './kakaopay-sandbox-app.ts';

// Standalone KakaoPay sandbox: `npx tsx src/simulators/kakaopay/main.ts`.

function intFromEnv(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const sandbox = await startKakaoPaySandbox({
  port: intFromEnv('KAKAOPAY_SANDBOX_PORT', 8091),
  host: process.env.KAKAOPAY_SANDBOX_HOST || '127.0.0.1',
  latencyMs: intFromEnv('KAKAOPAY_SANDBOX_LATENCY_MS', 0),
  tidTtlMs: intFromEnv('KAKAOPAY_SANDBOX_TID_TTL_MS', undefined),
  publicBaseUrl: process.env.KAKAOPAY_SANDBOX_PUBLIC_BASE_URL || undefined,
});

console.log(`KakaoPay sandbox listening on ${sandbox.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
