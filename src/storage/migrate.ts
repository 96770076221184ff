import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-renewals.ts';
import * as m0003 from './migrations/0003-refunds.ts';
import * as m0004 from './migrations/0004-access.ts';
import * as m0005 from './migrations/0005-web-security.ts';
import * as m0007 from './migrations/0007-checkout-scope.ts';
import * as m0008 from './migrations/0008-faults.ts';
import * as m0009 from './migrations/0009-operations.ts';
import * as m0010 from './migrations/0010-engine-events.ts';
import * as m0011 from './migrations/0011-engine-access.ts';
import * as m0012 from './migrations/0012-webhooks.ts';
import * as m0013 from './migrations/0013-staff-roles.ts';
import * as m0014 from './migrations/0014-billing-key-lifecycle.ts';
import * as m0015 from './migrations/0015-plan-prices.ts';
import * as m0018 from './migrations/0018-receipts.ts';
import * as m0019 from './migrations/0019-console-views.ts';
import * as m0020 from './migrations/0020-console-actions.ts';
import * as m0017 from './migrations/0017-consents.ts';
import * as m0021 from './migrations/0021-engine-fast-paths.ts';
import * as m0022 from './migrations/0022-quiet-renewal-schedule.ts';
import * as m0023 from './migrations/0023-engine-batches.ts';
import * as m0024 from './migrations/0024-cheap-entitlements-condition.ts';
import * as m0025 from './migrations/0025-engine-event-fanout-queue.ts';
import * as m0026 from './migrations/0026-webhook-backoffs.ts';
import * as m0027 from './migrations/0027-lean-indexes.ts';
import * as m0028 from './migrations/0028-unchecked-history-rows.ts';

/** Migrations are listed here, in order; the same files run on PostgreSQL and PGlite. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-renewals': m0002,
  '0003-refunds': m0003,
  '0004-access': m0004,
  '0005-web-security': m0005,
  '0007-checkout-scope': m0007,
  '0008-faults': m0008,
  '0009-operations': m0009,
  '0010-engine-events': m0010,
  '0011-engine-access': m0011,
  '0012-webhooks': m0012,
  '0013-staff-roles': m0013,
  '0014-billing-key-lifecycle': m0014,
  '0015-plan-prices': m0015,
  '0018-receipts': m0018,
  '0019-console-views': m0019,
  '0020-console-actions': m0020,
  '0017-consents': m0017,
  '0021-engine-fast-paths': m0021,
  '0022-quiet-renewal-schedule': m0022,
  '0023-engine-batches': m0023,
  '0024-cheap-entitlements-condition': m0024,
  '0025-engine-event-fanout-queue': m0025,
  '0026-webhook-backoffs': m0026,
  '0027-lean-indexes': m0027,
  '0028-unchecked-history-rows': m0028,
};

/** Names of every migration this build knows, in order (readiness compares them with the applied ones). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/**
 * Applies pending migrations. `schema` names the schema of the migration
 * bookkeeping tables when the database is used through a search_path (tests
 * give each file its own schema); otherwise the default schema is used.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
