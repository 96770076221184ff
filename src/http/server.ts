import { loadConfig } from '../config/load-config.ts';
import { compose } from '../composition.ts';
import { onShutdownSignal } from '../observability/shutdown.ts';
import { buildApp } from './build-app.ts';
import { stopServer } from './graceful-stop.ts';

// The API server alone, against the configured database and providers. On the embedded
// database the renewal worker runs here (PGlite allows one process); on PostgreSQL it runs here
// unless RENEWAL_WORKER_IN_PROCESS=false, and `npm run worker` replicas may run beside it.
const config = loadConfig();
const services = await compose(config);
const app = await buildApp(services);
await app.listen({ port: config.port, host: config.host });
const worker = config.database.kind === 'pglite' || config.renewal.inProcess;
if (worker) {
  services.renewals.start();
  // Webhooks, notices and revocations on their own loop (the renewal tick runs them too).
  services.jobs.start(config.webhooks.jobTickMs);
}
services.logger.info({ url: config.publicUrl, worker_in_process: worker }, 'billing API listening');

// Graceful shutdown (see stopServer), bounded by SHUTDOWN_TIMEOUT_MS.
onShutdownSignal(services.logger, config.operations.shutdownTimeoutMs, () => stopServer(app, services));
