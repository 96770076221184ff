import { parseArgs } from 'node:util';
import { runCheckoutBench } from './checkout.ts';

// `npm run bench`: prints figures; asserts nothing. Options:
//   --db pglite|postgres|both   --provider kakaopay|naverpay|both
//   --clients N (default 32)    --checkouts N (default 3000)
//   --paced-seconds N (default 5): the open-loop run at half the limit's rate (0 skips it)
const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    provider: { type: 'string', default: 'both' },
    clients: { type: 'string', default: '32' },
    checkouts: { type: 'string', default: '3000' },
    'paced-seconds': { type: 'string', default: '5' },
  },
});
const dbs = values.db === 'both' ? (['postgres', 'pglite'] as const) : [values.db as 'pglite' | 'postgres'];
const providers = values.provider === 'both' ? (['kakaopay', 'naverpay'] as const) : [values.provider as 'kakaopay' | 'naverpay'];

const rows = [];
for (const db of dbs) {
  for (const provider of providers) {
    const r = await runCheckoutBench({
      db,
      provider,
      clients: Number(values.clients),
      checkouts: Number(values.checkouts),
      pacedSeconds: Number(values['paced-seconds']),
    });
    console.log(JSON.stringify(r));
    rows.push(r);
  }
}
console.log('\ncomplete checkouts (ready → sandbox authorize → approve); limit = the same provider calls straight to the sandbox, same clients, same run:');
const BUDGET = ['limit_cpu_ms', 'limit_machine_busy', 'our_cpu_ms', 'our_cpu_split_ms', 'our_machine_busy', 'cpu_bound_ratio', 'cores'];
console.table(rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !BUDGET.includes(k)))));
console.log('CPU budget: ms of CPU per checkout of every process of the run (load generator, sandbox, service, PostgreSQL), the limit\'s and ours;');
console.log('machine_busy: share of all cores busy during those rounds; cpu_bound_ratio = limit_cpu_ms / our_cpu_ms, the best ratio the cores allow:');
console.table(rows.map((r) => ({ provider: r.provider, db: r.db, ratio: r.ratio, ...Object.fromEntries(BUDGET.map((k) => [k, (r as Record<string, unknown>)[k]])) })));
console.log('targets (issue 15): PostgreSQL ratio >= 0.5 and p99 < 50 ms at half the limit\'s rate; PGlite ratio >= 0.3');

// Webhook deliveries beside the database's one-row UPDATE rate (bench/webhooks.ts), on PostgreSQL when it is in the run.
if (dbs.includes('postgres')) {
  const { runWebhookBench } = await import('./webhooks.ts');
  await runWebhookBench({ db: 'postgres', users: 200, events: 5000, loops: 4, batch: 100 });
}
