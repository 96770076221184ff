import { loadConfig } from '../config/load-config.ts';
import { compose } from '../composition.ts';

// `npm run worker`: the renewal worker as its own process, against PostgreSQL. Any number of
// these may run at once (claims use FOR UPDATE SKIP LOCKED). With the embedded database the
// worker runs inside `npm start` instead: PGlite allows one process only.
const config = loadConfig();
if (config.database.kind !== 'postgres') {
  process.stderr.write('npm run worker needs DATABASE_URL (PostgreSQL). With the embedded database, `npm start` runs the worker itself.\n');
  process.exit(1);
}
const loops = config.renewal.loops;
const services = await compose(config, {
  // One connection per claim loop plus room for the settlements of the charges in flight.
  dbTarget: { ...config.database, poolSize: Math.min(40, 4 + loops * 4) },
});
services.renewals.start();
services.jobs.start(config.webhooks.jobTickMs);
services.logger.info({ tick_ms: config.renewal.tickMs, loops, batch: config.renewal.batchSize }, 'renewal worker started');
process.stdout.write(JSON.stringify({ ready: { pid: process.pid } }) + '\n');

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await services.renewals.stop();
    await services.jobs.stop();
    await services.close();
    process.exit(0);
  });
}
