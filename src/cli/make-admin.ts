import { sql } from 'kysely';
import { loadConfig } from '../config/load-config.ts';
import { ROLES, type StaffRole } from '../domain/staff-permissions.ts';
import type { Role } from '../domain/records.ts';
import { createDb } from '../storage/create-db.ts';
import { migrateToLatest } from '../storage/migrate.ts';

// `npx tsx src/cli/make-admin.ts <email> [--role admin|support|finance|user]`: gives an existing
// account a role (default admin; `user` takes staff access away). Roles are read from the
// database on each request, so it applies within seconds (the session cache,
// AUTH_SESSION_CACHE_MS). (Sign-ups whose e-mail is in ADMIN_EMAILS become admins without this.)
// APP_ENV=local unless set, like `npm start`.
export function parseMakeAdminArgs(argv: readonly string[]): { email: string; role: Role } | { error: string } {
  let email: string | undefined;
  let role: Role = 'admin' satisfies StaffRole;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = a.startsWith('--role=') ? a.slice(7) : a === '--role' ? argv[++i] : undefined;
    if (value !== undefined || a === '--role') {
      if (!value || !(ROLES as readonly string[]).includes(value)) return { error: `--role must be one of ${ROLES.join(', ')}` };
      role = value as Role;
    } else if (!email) email = a.trim().toLowerCase();
    else return { error: `unexpected argument ${a}` };
  }
  if (!email || !email.includes('@')) return { error: 'an e-mail is required' };
  return { email, role };
}

const parsed = parseMakeAdminArgs(process.argv.slice(2));
if ('error' in parsed) {
  process.stderr.write(`${parsed.error}\nusage: tsx src/cli/make-admin.ts <email> [--role ${ROLES.join('|')}]\n`);
  process.exit(2);
}
const config = loadConfig({ ...process.env, APP_ENV: process.env.APP_ENV || 'local' });
const handle = await createDb(config.database);
try {
  await migrateToLatest(handle.db);
  const updated = await handle.db
    .updateTable('users')
    .set({ role: parsed.role })
    .where(sql`lower(email)`, '=', parsed.email)
    .returning(['id', 'email', 'role'])
    .executeTakeFirst();
  if (!updated) {
    process.stderr.write(`no account with e-mail ${parsed.email}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${updated.email} (${updated.id}) now has the role ${updated.role}.\n`);
  }
} finally {
  await handle.close();
}
