// A webhook dispatcher in its own process (test/integration/webhook-dispatcher-kill.test.ts): one
// deliverWebhooks run at NOW against the schema SCHEMA of DATABASE_URL. The test kills it with
// SIGKILL while its POST is in flight.
import { randomBytes } from 'node:crypto';
import { createDb } from '../../src/storage/create-db.ts';
import { WebhookRepository } from '../../src/storage/repositories/webhook-repository.ts';
import { UndiciWebhookSender } from '../../src/worker/webhook-http-sender.ts';
import { deliverWebhooks } from '../../src/use-cases/deliver-webhooks.ts';

const db = await createDb({ kind: 'postgres', url: process.env.DATABASE_URL!, searchPath: process.env.SCHEMA!, poolSize: 2 });
const quiet = { info() {}, warn() {}, error() {} };
process.stdout.write('started\n');
await deliverWebhooks(
  {
    webhooks: new WebhookRepository(db.db),
    sender: new UndiciWebhookSender(60_000),
    ids: { next: (p) => `${p}_${randomBytes(12).toString('hex')}` },
    logger: quiet,
    wallClock: { now: () => new Date() },
    stopwatch: () => performance.now(),
    settings: { leaseMs: Number(process.env.LEASE_MS), batchSize: 10 },
  },
  new Date(process.env.NOW!),
);
process.stdout.write('finished\n');
await db.close();
