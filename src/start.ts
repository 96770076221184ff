import { startLocalStack } from './local-stack.ts';

// `npm start`: the billing service, an embedded database (unless DATABASE_URL
// is set) and both provider sandboxes, on loopback.
const stack = await startLocalStack();
const c = stack.services.config;
const lines = [
  '',
  'ShowMeTheStock Billing is running',
  `  Web app         ${stack.url}/`,
  `  API docs        ${stack.url}/docs`,
  `  Database        ${c.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${c.database.dataDir}`}`,
  ...(stack.kakaopayUrl ? [`  KakaoPay sandbox ${stack.kakaopayUrl}`] : []),
  ...(stack.naverpayUrl ? [`  NaverPay sandbox ${stack.naverpayUrl}`] : []),
  '',
];
process.stdout.write(lines.join('\n') + '\n');

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    process.exit(0);
  });
}
