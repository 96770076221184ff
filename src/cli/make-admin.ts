import { sql } from 'kysely';
import { loadConfig } from '../config/load-config.ts';
import { createDb } from '../storage/create-db.ts';
import { migrateToLatest } from '../storage/migrate.ts';

// `npx tsx src/cli/make-admin.ts <email>`: gives an existing account the admin role.
// Roles are read from the database on each request, so it applies within seconds (the
// session cache, AUTH_SESSION_CACHE_MS). (Sign-ups whose e-mail is in ADMIN_EMAILS become
// admins without this.) APP_ENV=local unless set, like `npm start`.
const email = process.argv[2]?.trim().toLowerCase();
if (!email || !email.includes('@')) {
  process.stderr.write('usage: tsx src/cli/make-admin.ts <email>\n');
  process.exit(2);
}
const config = loadConfig({ ...process.env, APP_ENV: process.env.APP_ENV || 'local' });
const handle = await createDb(config.database);
try {
  await migrateToLatest(handle.db);
  const updated = await handle.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where(sql`lower(email)`, '=', email)
    .returning(['id', 'email'])
    .executeTakeFirst();
  if (!updated) {
    process.stderr.write(`no account with e-mail ${email}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${updated.email} (${updated.id}) is now an admin.\n`);
  }
} finally {
  await handle.close();
}
