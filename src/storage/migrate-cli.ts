import { loadConfig } from '../config/load-config.ts';
import { createDb } from './create-db.ts';
import { migrateToLatest } from './migrate.ts';

// `npm run migrate`: applies pending migrations to the configured database.
const config = loadConfig();
const handle = await createDb(config.database);
try {
  const applied = await migrateToLatest(handle.db);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} finally {
  await handle.close();
}
