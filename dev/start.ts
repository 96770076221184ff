import { startLocalStack } from './local-stack.ts';
import { writeSandboxAdminToken } from '../src/cli/sandbox-admin-token.ts';

// `npm start`: the billing service, an embedded database (unless DATABASE_URL
// is set) and both provider sandboxes, on loopback. Without APP_ENV it runs as
// APP_ENV=local (sandbox defaults, loopback only); a deployment sets APP_ENV=production.
const stack = await startLocalStack({ env: { APP_ENV: process.env.APP_ENV || 'local' } });
const c = stack.services.config;
// The admin-only sandbox tools (`npm run clock`) sign in with this token.
const adminTokenFile = c.sandboxMode ? await writeSandboxAdminToken(stack.services) : null;
const lines = [
  '',
  'ShowMeTheStock Billing is running',
  `  Web app         ${stack.url}/`,
  `  API docs        ${stack.url}/docs`,
  `  Database        ${c.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${c.database.dataDir}`}`,
  ...(stack.kakaopayUrl ? [`  KakaoPay sandbox ${stack.kakaopayUrl}`] : []),
  ...(stack.naverpayUrl ? [`  NaverPay sandbox ${stack.naverpayUrl}`] : []),
  ...(stack.engineStandinUrl ? [`  Engine stand-in ${stack.engineStandinUrl}/ (receives the webhooks, places reservations)`] : []),
  ...(adminTokenFile ? [`  Sandbox admin   token in ${adminTokenFile} (npm run clock uses it)`] : []),
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
