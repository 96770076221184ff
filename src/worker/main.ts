import { loadConfig } from '../config/load-config.ts';
import { compose } from '../composition.ts';
import { onShutdownSignal } from '../observability/shutdown.ts';
import { buildWorkerApp } from '../http/build-app.ts';
import { closeHttp } from '../http/graceful-stop.ts';

// `npm run worker`: the renewal worker as its own process, against PostgreSQL. Any number of
// these may run at once (claims use FOR UPDATE SKIP LOCKED). With the embedded database the
// worker runs inside the server process instead: PGlite allows one process only.
const config = loadConfig();
if (config.database.kind !== 'postgres') {
  process.stderr.write('npm run worker needs DATABASE_URL (PostgreSQL). With the embedded database, the server process runs the worker itself.\n');
  process.exit(1);
}
const loops = config.renewal.loops;
const services = await compose(config, {
  role: 'worker',
  // One connection per claim loop plus room for the settlements of the charges in flight.
  dbTarget: { ...config.database, poolSize: Math.min(40, 4 + loops * 4) },
});
services.renewals.start();
services.jobs.start(config.webhooks.jobTickMs);
const http = config.operations.workerHttpPort !== null ? await buildWorkerApp(services) : null;
if (http) await http.listen({ port: config.operations.workerHttpPort!, host: config.host });
services.logger.info({ tick_ms: config.renewal.tickMs, loops, batch: config.renewal.batchSize, http_port: config.operations.workerHttpPort }, 'renewal worker started');
process.stdout.write(JSON.stringify({ ready: { pid: process.pid } }) + '\n');

// Graceful shutdown: claim nothing more, finish and settle the charges already claimed (their
// leases are released by settling), remove the heartbeat, close the database.
onShutdownSignal(services.logger, config.operations.shutdownTimeoutMs, async () => {
  services.lifecycle.shuttingDown = true;
  await services.renewals.stop();
  await services.jobs.stop();
  if (http) await closeHttp(http);
  await services.close();
});
