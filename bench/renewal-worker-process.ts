import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/load-config.ts';
import { compose } from '../src/composition.ts';
import { benchDbTarget } from './pg-database.ts';

// One renewal worker for the bench: composes like `npm run worker`, waits for "go" on stdin,
// runs ticks until nothing is due, then prints its per-charge durations and exits.
const config = loadConfig(process.env, { APP_ENV: 'local', LOG_LEVEL: 'warn' });
const services = await compose(config, {
  dbTarget: benchDbTarget(config.database, 24),
  skipMigrations: true,
  measureCharges: true,
});
process.stdout.write(JSON.stringify({ ready: { pid: process.pid } }) + '\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
const totals = { claimed: 0, approved: 0, errors: 0 };
const cpu0 = process.cpuUsage();
const statements0 = services.db.statements();
for (;;) {
  const r = await services.renewals.runOnce();
  totals.claimed += r.claimed;
  totals.approved += r.outcomes.approved;
  totals.errors += r.errors;
  if (r.claimed === 0) break;
}
const cpu = process.cpuUsage(cpu0);
const statements = services.db.statements() - statements0;
const durations = services.renewals.chargeDurations.map((d) => Math.round(d * 10) / 10);
await services.close();
// Exit only once the (long) line has left the pipe.
process.stdout.write(JSON.stringify({ done: { ...totals, statements, cpuMs: (cpu.user + cpu.system) / 1000, durations } }) + '\n', () => process.exit(0));
