import { loadConfig } from '../config/load-config.ts';
import { createDb } from '../storage/create-db.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { EngineRepository } from '../storage/repositories/engine-repository.ts';
import { createApiKey, rotateApiKey, type EngineDeps } from '../use-cases/engine-access.ts';
import { PlanCatalog } from '../domain/plans.ts';
import { randomIds, systemClock } from '../composition.ts';
import type { UseCaseContext } from '../use-cases/context.ts';

// `npm run api-key -- create --name engine --scopes entitlements:read,usage:write`: prints a new
// trading-engine API key once (only its hash is stored). Also `list`, `revoke <id>`,
// `rotate <id> [--overlap-seconds N]`. APP_ENV=local unless set, like `npm start`.
const [command, ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};
const usage = 'usage: api-key create --name <name> --scopes entitlements:read,usage:write | list | revoke <id> | rotate <id> [--overlap-seconds N]\n';
const config = loadConfig({ ...process.env, APP_ENV: process.env.APP_ENV || 'local' });
const handle = await createDb(config.database);
try {
  await migrateToLatest(handle.db);
  const deps: EngineDeps = { engine: new EngineRepository(handle.db), wallClock: systemClock, reservationTtlMs: config.usageReservationTtlMs };
  const ctx = { ids: randomIds, plans: new PlanCatalog(config.plansRaw), clock: systemClock } as unknown as UseCaseContext;
  if (command === 'create') {
    const name = flag('name');
    const scopes = (flag('scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!name || scopes.length === 0) {
      process.stderr.write(usage);
      process.exitCode = 2;
    } else {
      const { record, key } = await createApiKey(ctx, deps, { name, scopes });
      process.stdout.write(`${record.id} ${record.name} [${record.scopes.join(',')}]\n${key}\n(shown once: store it now)\n`);
    }
  } else if (command === 'list') {
    for (const k of await deps.engine.listApiKeys()) {
      const state = k.revokedAt ? 'revoked' : k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : 'active';
      process.stdout.write(`${k.id}\t${k.name}\t${k.prefix}…\t${k.scopes.join(',')}\t${state}\tlast used ${k.lastUsedAt?.toISOString() ?? '-'}\n`);
    }
  } else if (command === 'revoke' && rest[0]) {
    const k = await deps.engine.revokeApiKey(rest[0], systemClock.now());
    process.stdout.write(k ? `${k.id} revoked\n` : `no key ${rest[0]}\n`);
    if (!k) process.exitCode = 1;
  } else if (command === 'rotate' && rest[0]) {
    const { record, key } = await rotateApiKey(ctx, deps, rest[0], Number(flag('overlap-seconds') ?? 86_400));
    process.stdout.write(`${record.id} replaces ${rest[0]}\n${key}\n(shown once: store it now)\n`);
  } else {
    process.stderr.write(usage);
    process.exitCode = 2;
  }
} finally {
  await handle.close();
}
