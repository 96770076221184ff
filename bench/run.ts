import { parseArgs } from 'node:util';
import { runCheckoutBench } from './checkout.ts';

// `npm run bench`: prints figures; asserts nothing. Options:
//   --db pglite|postgres|both   --provider kakaopay|naverpay|both
//   --clients N (default 32)    --checkouts N (default 3000)
const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    provider: { type: 'string', default: 'both' },
    clients: { type: 'string', default: '32' },
    checkouts: { type: 'string', default: '3000' },
  },
});
const dbs = values.db === 'both' ? (['postgres', 'pglite'] as const) : [values.db as 'pglite' | 'postgres'];
const providers = values.provider === 'both' ? (['kakaopay', 'naverpay'] as const) : [values.provider as 'kakaopay' | 'naverpay'];

const rows = [];
for (const db of dbs) {
  for (const provider of providers) {
    const r = await runCheckoutBench({ db, provider, clients: Number(values.clients), checkouts: Number(values.checkouts) });
    console.log(JSON.stringify(r));
    rows.push(r);
  }
}
console.log('\ncomplete checkouts (ready → sandbox authorize → approve), one run:');
console.table(rows);

// Webhook deliveries beside the database's one-row UPDATE rate (bench/webhooks.ts), on PostgreSQL when it is in the run.
if (dbs.includes('postgres')) {
  const { runWebhookBench } = await import('./webhooks.ts');
  await runWebhookBench({ db: 'postgres', users: 200, events: 5000, loops: 4, batch: 100 });
}
