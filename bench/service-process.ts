import { loadConfig } from '../src/config/load-config.ts';
import { compose } from '../src/composition.ts';
import { buildApp } from '../src/http/build-app.ts';

// The billing service alone (no sandboxes, no worker), on a free port.
// Benchmarks run against the local sandboxes (APP_ENV=local).
const config = loadConfig(process.env, {
  APP_ENV: 'local',
  PORT: '0',
  LOG_LEVEL: 'warn',
  SANDBOX_MODE: 'false',
  // The bench signs up its clients and starts thousands of checkouts from one address.
  SIGNUP_RATE_LIMIT_MAX: '1000000',
  READY_RATE_LIMIT_MAX: '1000000',
});
// BENCH_PREPARED=1: named (server-prepared) statements, as DATABASE_PREPARED_STATEMENTS=true does.
const services = await compose(config, {
  dbTarget:
    config.database.kind === 'postgres'
      ? { ...config.database, poolSize: Number(process.env.BENCH_POOL ?? 10), preparedStatements: process.env.BENCH_PREPARED === '1' }
      : config.database,
});
const app = await buildApp(services, { webDir: null });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
services.ctx.settings.publicUrl = url;
process.stdout.write(JSON.stringify({ ready: { url } }) + '\n');
process.on('SIGTERM', async () => {
  await app.close();
  await services.close();
  process.exit(0);
});
