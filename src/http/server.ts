import { loadConfig } from '../config/load-config.ts';
import { compose } from '../composition.ts';
import { buildApp } from './build-app.ts';

// The API server alone, against the configured database and providers.
const config = loadConfig();
const services = await compose(config);
const app = await buildApp(services);
await app.listen({ port: config.port, host: config.host });
services.logger.info({ url: config.publicUrl }, 'billing API listening');
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    await app.close();
    await services.close();
    process.exit(0);
  });
}
