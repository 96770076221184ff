import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { createDb, type DbHandle } from '../src/storage/create-db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyBillingRepository } from '../src/storage/repositories/billing-repository.ts';
import { WebhookRepository } from '../src/storage/repositories/webhook-repository.ts';
import { UndiciWebhookSender } from '../src/worker/webhook-http-sender.ts';
import { deliverWebhooks, type WebhookDeliveryDeps } from '../src/use-cases/deliver-webhooks.ts';
import { BENCH_PREPARED, freshPostgresDatabase } from './pg-database.ts';

// `npm run bench` (webhooks part): signed webhook deliveries per second from the outbox to a local
// receiver, beside the database's own one-row UPDATE rate measured in the same run. Prints only.
//   --db postgres|pglite (default postgres)  --users N (200)  --events N (5000)  --loops N (4)  --batch N (100)
const ids = { next: (p: string) => `${p}_${randomBytes(12).toString('hex')}` };
const quiet = { info() {}, warn() {}, error() {} };

async function openDb(kind: 'postgres' | 'pglite', loops: number): Promise<{ db: DbHandle; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await createDb({ kind: 'pglite', dataDir: null });
    await migrateToLatest(db.db);
    return { db, drop: async () => {} };
  }
  const fresh = await freshPostgresDatabase('smts_bench_webhooks');
  const db = await createDb({ kind: 'postgres', url: fresh.url, poolSize: loops * 2 + 2, preparedStatements: BENCH_PREPARED });
  await migrateToLatest(db.db);
  return { db, drop: fresh.drop };
}

export interface WebhookBenchOptions {
  db: 'postgres' | 'pglite';
  users: number;
  events: number;
  loops: number;
  batch: number;
}

/** One run; prints a JSON line and a table, returns the row. */
export async function runWebhookBench(opts: WebhookBenchOptions): Promise<Record<string, unknown>> {
  const { users, events, batch } = opts;
  const loops = opts.db === 'pglite' ? 1 : opts.loops;
  const { db, drop } = await openDb(opts.db, loops);
  const received = { n: 0 };
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let verifiedSample = false;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (received.n === 0) {
        new Webhook(secret).verify(Buffer.concat(chunks), req.headers as Record<string, string>);
        verifiedSample = true;
      }
      received.n++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const port = (receiver.address() as { port: number }).port;

  try {
    const now = new Date();
    // Users and their events (as subscription changes would write them).
    const userIds = Array.from({ length: users }, (_, i) => `usr_bench_${i}`);
    await sql`INSERT INTO users (id, email, password_hash, role, created_at)
      SELECT 'usr_bench_' || g, 'bench' || g || '@example.com', NULL, 'user', ${now} FROM generate_series(0, ${users - 1}) g`.execute(db.db);
    const repo = new KyselyBillingRepository(db.db);
    for (let i = 0; i < events; i += 200) {
      await repo.transaction(async (r) => {
        for (let j = i; j < Math.min(events, i + 200); j++) {
          const userId = userIds[j % users];
          await r.appendEngineEvent({ id: ids.next('evt'), userId, type: 'entitlements.updated', payload: { user_id: userId, plan: 'standard', auto_trading_enabled: true, limit: 5_000_000 }, occurredAt: now });
        }
      });
    }
    const webhooks = new WebhookRepository(db.db);
    await webhooks.insertEndpoint({ id: 'whe_bench', url: `http://127.0.0.1:${port}/hooks`, description: 'bench', secret, now });

    // The database's own rate: one-row UPDATEs by the same number of concurrent loops.
    await sql`CREATE TABLE bench_counters (id int PRIMARY KEY, n bigint NOT NULL)`.execute(db.db);
    await sql`INSERT INTO bench_counters SELECT g, 0 FROM generate_series(0, ${loops - 1}) g`.execute(db.db);
    const updateMs = 3_000;
    let updates = 0;
    const u0 = performance.now();
    await Promise.all(
      Array.from({ length: loops }, async (_, k) => {
        while (performance.now() - u0 < updateMs) {
          await sql`UPDATE bench_counters SET n = n + 1 WHERE id = ${k}`.execute(db.db);
          updates++;
        }
      }),
    );
    const updatesPerSec = updates / ((performance.now() - u0) / 1000);

    const sender = new UndiciWebhookSender(10_000);
    const deps: WebhookDeliveryDeps = {
      webhooks,
      sender,
      ids,
      logger: quiet,
      wallClock: { now: () => new Date() },
      stopwatch: () => performance.now(),
      settings: { leaseMs: 60_000, batchSize: batch },
    };
    const t0 = performance.now();
    const deadline = t0 + 120_000;
    await Promise.all(
      Array.from({ length: loops }, async () => {
        while (received.n < events && performance.now() < deadline) {
          const r = await deliverWebhooks(deps, new Date(), batch);
          // Every user's next event is held by another loop: wait for them.
          if (r.claimed === 0) await new Promise((ok) => setTimeout(ok, 2));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await sender.close();
    const deliveriesPerSec = received.n / seconds;
    const row = {
      db: db.kind,
      users,
      events,
      loops,
      batch,
      delivered: received.n,
      signature_verified: verifiedSample,
      deliveries_per_s: Math.round(deliveriesPerSec),
      db_one_row_updates_per_s: Math.round(updatesPerSec),
      ratio_deliveries_to_updates: Number((deliveriesPerSec / updatesPerSec).toFixed(3)),
    };
    console.log(JSON.stringify(row));
    console.log('\nwebhook deliveries (signed, in order per user, to a local receiver) beside one-row UPDATEs, same run:');
    console.table([row]);
    return row;
  } finally {
    receiver.close();
    await db.close();
    await drop();
  }
}

// bench/run.ts (`npm run bench`) calls runWebhookBench after the checkout figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    users: { type: 'string', default: '200' },
    events: { type: 'string', default: '5000' },
    loops: { type: 'string', default: '4' },
    batch: { type: 'string', default: '100' },
  },
  });
  await runWebhookBench({
    db: values.db === 'pglite' ? 'pglite' : 'postgres',
    users: Number(values.users),
    events: Number(values.events),
    loops: Number(values.loops),
    batch: Number(values.batch),
  });
}
