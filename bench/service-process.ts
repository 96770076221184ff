import cluster from 'node:cluster';
import { loadConfig } from '../src/config/load-config.ts';
import { compose } from '../src/composition.ts';
import { buildApp } from '../src/http/build-app.ts';
import { benchDbTarget } from './pg-database.ts';

// The billing service alone (no sandboxes, no worker), on a free port.
// Benchmarks run against the local sandboxes (APP_ENV=local).
// BENCH_SERVICE_PROCESSES=N (default 1): N service processes sharing the port (node:cluster), as a
// deployment runs one per core; each has its own pool and caches (entitlements are invalidated in
// every process by NOTIFY). The ready line then lists the processes' pids.
const PROCESSES = Number(process.env.BENCH_SERVICE_PROCESSES ?? 1);
if (PROCESSES > 1 && cluster.isPrimary) {
  const workers = Array.from({ length: PROCESSES }, () => cluster.fork());
  const urls = await Promise.all(
    workers.map((w) => new Promise<string>((ok) => w.on('message', (m: { ready?: { url: string } }) => m.ready && ok(m.ready.url)))),
  );
  if (new Set(urls).size !== 1) throw new Error(`service processes listen on different ports: ${urls.join(', ')}`);
  process.stdout.write(JSON.stringify({ ready: { url: urls[0], pids: workers.map((w) => w.process.pid) } }) + '\n');
  process.on('SIGTERM', async () => {
    await Promise.all(workers.map((w) => new Promise((ok) => (w.once('exit', ok), w.process.kill('SIGTERM')))));
    process.exit(0);
  });
} else {
  await serve();
}

/** One service process: composes the services, listens, and reports its URL. */
async function serve(): Promise<void> {
  const config = loadConfig(process.env, {
    APP_ENV: 'local',
    PORT: '0',
    LOG_LEVEL: 'warn',
    SANDBOX_MODE: 'false',
    // The bench signs up its clients and starts thousands of checkouts from one address.
    SIGNUP_RATE_LIMIT_MAX: '1000000',
    READY_RATE_LIMIT_MAX: '1000000',
  });
  const services = await compose(config, {
    dbTarget: benchDbTarget(config.database, 10),
  });
  const app = await buildApp(services, { webDir: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  services.ctx.settings.publicUrl = url;
  if (cluster.isWorker) process.send!({ ready: { url } });
  else process.stdout.write(JSON.stringify({ ready: { url, pids: [process.pid] } }) + '\n');
  process.on('SIGTERM', async () => {
    await app.close();
    await services.close();
    process.exit(0);
  });
}
