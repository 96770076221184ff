/**
 * Standalone NaverPay sandbox. `npm run sandbox:naverpay` (env NAVERPAY_SANDBOX_PORT, default 8092;
 * NAVERPAY_SANDBOX_HOST, default 127.0.0.1; NAVERPAY_SANDBOX_LATENCY_MS). Importing this module
 * does not start anything: use `startNaverPaySandbox`.
 */
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildNaverPaySandbox, type NaverPaySandboxOptions } from './naverpay-sandbox-app.ts';

export interface StartNaverPaySandboxOptions extends NaverPaySandboxOptions {
  /** 0 picks a free port. Default 8092. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

export interface RunningNaverPaySandbox {
  /** e.g. `http://127.0.0.1:8092`, no trailing slash. */
  url: string;
  close: () => Promise<void>;
}

export const DEFAULT_NAVERPAY_SANDBOX_PORT = 8092;

export async function startNaverPaySandbox(options: StartNaverPaySandboxOptions = {}): Promise<RunningNaverPaySandbox> {
  const { port = DEFAULT_NAVERPAY_SANDBOX_PORT, host = '127.0.0.1', ...sandboxOptions } = options;
  const app = buildNaverPaySandbox(sandboxOptions);
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () => app.close(),
  };
}

function integerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const sandbox = await startNaverPaySandbox({
    port: integerEnv('NAVERPAY_SANDBOX_PORT', DEFAULT_NAVERPAY_SANDBOX_PORT),
    host: process.env.NAVERPAY_SANDBOX_HOST || '127.0.0.1',
    latencyMs: integerEnv('NAVERPAY_SANDBOX_LATENCY_MS', 0),
  });
  console.log(`NaverPay sandbox listening on ${sandbox.url}`);
  console.log(`  API:  ${sandbox.url}/naverpay-partner/naverpay/payments/...`);
  console.log(`  SDK:  ${sandbox.url}/sdk/js/naverpay.min.js`);
  const shutdown = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
