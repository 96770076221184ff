import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isLoopbackHost, loadConfig, type RawEnv } from '../src/config/load-config.ts';
import { compose, type ComposeOptions, type Services } from '../src/composition.ts';
import { buildApp } from '../src/http/build-app.ts';
import { startKakaoPaySandbox } from '../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { startNaverPaySandbox } from '../src/simulators/naverpay/main.ts';
import { startEngineStandin, type EngineStandin } from '../src/engine-standin/engine-standin-app.ts';
import { connectEngineStandin } from '../src/engine-standin/connect-engine-standin.ts';

export interface LocalStackOptions {
  /** Environment overrides on top of process.env (PORT, DATABASE_URL, DATA_DIR, …). */
  env?: RawEnv;
  /**
   * Start the sandboxes in this process (default: when SANDBOX_MODE is on), each only for a
   * provider whose base URL is on loopback: a configured real provider URL is never replaced.
   */
  sandboxes?: boolean;
  /** Sandbox ports; 0 picks free ones. Defaults come from the configured base URLs. */
  kakaopayPort?: number;
  naverpayPort?: number;
  compose?: ComposeOptions;
  webDir?: string | null;
  logger?: Logger;
  /** Extra wiring after composition (the renewal worker, sandbox tools). */
  extend?: (services: Services) => Promise<void> | void;
  /** Run the renewal worker loop in this process (default: RENEWAL_WORKER_IN_PROCESS, on). */
  worker?: boolean;
  /** Start the stand-in trading engine and connect it (default: in APP_ENV=local with sandbox mode). */
  engineStandin?: boolean;
  /** Its port; default ENGINE_STANDIN_PORT, or a free one when PORT is 0. */
  engineStandinPort?: number;
}

export interface LocalStack {
  url: string;
  kakaopayUrl: string | null;
  naverpayUrl: string | null;
  /** The stand-in trading engine's page (null when not started). */
  engineStandinUrl: string | null;
  engineStandin: EngineStandin | null;
  services: Services;
  app: FastifyInstance;
  close(): Promise<void>;
}

function portOf(url: string, fallback: number): number {
  const p = new URL(url).port;
  return p ? Number(p) : fallback;
}

/**
 * The service with both sandboxes in one process: what `npm start` runs, and
 * what end-to-end tests start on free ports.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const env = { ...process.env, ...opts.env };
  const base = loadConfig(env);
  const closers: (() => Promise<void>)[] = [];
  const overrides: RawEnv = {};
  let kakaopayUrl: string | null = null;
  let naverpayUrl: string | null = null;
  try {
    if (opts.sandboxes ?? base.sandboxMode) {
      // A provider configured with a real (non-loopback) base URL keeps it: the sandbox stands in
      // only where the configuration already points at one.
      if (isLoopbackHost(new URL(base.kakaopay.baseUrl).hostname)) {
        const kakao = await startKakaoPaySandbox({ port: opts.kakaopayPort ?? portOf(base.kakaopay.baseUrl, 8091), host: '127.0.0.1' });
        closers.push(kakao.close);
        kakaopayUrl = kakao.url;
        overrides.KAKAOPAY_BASE_URL = kakao.url;
      }
      if (isLoopbackHost(new URL(base.naverpay.baseUrl).hostname)) {
        const naver = await startNaverPaySandbox({ port: opts.naverpayPort ?? portOf(base.naverpay.baseUrl, 8092), host: '127.0.0.1' });
        closers.push(naver.close);
        naverpayUrl = naver.url;
        overrides.NAVERPAY_BASE_URL = naver.url;
      }
    }
    const config = loadConfig(env, overrides);
    const services = await compose(config, { logger: opts.logger, ...opts.compose });
    closers.push(services.close);
    await opts.extend?.(services);
    const app = await buildApp(services, { webDir: opts.webDir });
    await app.listen({ port: config.port, host: config.host });
    closers.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    // With PORT=0 the public URL (handed to providers as return URL) is known only now.
    if (!env.PUBLIC_URL) services.ctx.settings.publicUrl = url;
    let engineStandin: EngineStandin | null = null;
    if (opts.engineStandin ?? (config.appEnv === 'local' && config.sandboxMode)) {
      const standin = await startEngineStandin({ port: opts.engineStandinPort ?? (config.port === 0 ? 0 : config.engineStandinPort), billingUrl: url });
      closers.push(() => standin.close());
      await connectEngineStandin(services, app, standin);
      engineStandin = standin;
    }
    // The renewal worker runs in this process (on the embedded database there can be no other).
    if (opts.worker ?? config.renewal.inProcess) {
      services.renewals.start();
      closers.push(() => services.renewals.stop());
      // Webhooks, notices and revocations also on their own, shorter loop.
      services.jobs.start(config.webhooks.jobTickMs);
      closers.push(() => services.jobs.stop());
    }
    return {
      url: env.PUBLIC_URL ?? url,
      kakaopayUrl,
      naverpayUrl,
      engineStandinUrl: engineStandin?.url ?? null,
      engineStandin,
      services,
      app,
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw err;
  }
}
