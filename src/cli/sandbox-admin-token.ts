import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Services } from '../composition.ts';

/** The local sandbox admin's external subject: a user without e-mail or password. */
const SANDBOX_ADMIN_SUBJECT = 'local:sandbox-admin';

/**
 * A token of the local sandbox admin (created on first use), for the admin-only sandbox tools:
 * `npm start` writes one to `<DATA_DIR>/sandbox-admin-token` for `npm run clock`, and tests use
 * it to move the test clock. Sandbox mode only (never in production, which refuses sandbox mode).
 */
export async function issueSandboxAdminToken(services: Services): Promise<{ token: string; expiresAt: Date }> {
  if (!services.config.sandboxMode) throw new Error('the sandbox admin exists in sandbox mode only');
  const user = await services.ctx.repo.upsertExternalUser({
    id: services.ctx.ids.next('usr'),
    email: null,
    passwordHash: null,
    role: 'admin',
    externalSubject: SANDBOX_ADMIN_SUBJECT,
    createdAt: services.ctx.clock.now(),
  });
  return services.tokens.issue({ userId: user.id, role: 'admin' });
}

/** Where `npm start` leaves the sandbox admin's token for `npm run clock`. */
export const sandboxAdminTokenFile = (dataDir: string): string => join(dataDir, 'sandbox-admin-token');

/** Writes a fresh sandbox admin token for `npm run clock` (owner-readable only). */
export async function writeSandboxAdminToken(services: Services): Promise<string> {
  const { token } = await issueSandboxAdminToken(services);
  const file = sandboxAdminTokenFile(services.config.dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
