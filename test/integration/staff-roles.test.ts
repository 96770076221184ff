import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL } from '../helpers/refund-fixtures.ts';
import { routePermissions } from '../../src/http/plugins/auth.ts';
import { permissionsOf, roleMay, STAFF_PERMISSIONS, type StaffPermission } from '../../src/domain/staff-permissions.ts';
import type { Role } from '../../src/domain/records.ts';
import { createDb } from '../../src/storage/create-db.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';

let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  admin = await s.signup(ADMIN_EMAIL);
});

/** Paths only staff may use. Anything registered under them must name a permission. */
const STAFF_PREFIXES = ['/api/admin/', '/api/sandbox/', '/sandbox/'];
/** Staff-prefixed routes that are open on purpose. */
const OPEN = new Set(['GET /api/sandbox/clock']);

async function withRole(role: Role) {
  const u = await s.signup(`${role}-${Math.random().toString(36).slice(2)}@example.com`);
  if (role !== 'user') {
    const r = await s.api('POST', `/api/admin/users/${u.userId}/role`, { token: admin.token, body: { role } });
    expect([r.status, r.body.user?.role]).toEqual([200, role]);
  }
  return u;
}

describe(`staff roles (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('every staff route names a permission, and each role is refused (403 FORBIDDEN) exactly where it lacks it', async () => {
    const table = routePermissions(s.app).filter((r) => r.method !== 'HEAD');
    const staff = table.filter((r) => r.permission !== null || STAFF_PREFIXES.some((p) => r.url.startsWith(p)));
    // The table is the app's own: it holds the console routes this issue added and the old ones.
    const names = staff.map((r) => `${r.method} ${r.url}`);
    for (const expected of ['GET /api/admin/payments', 'POST /api/admin/payments/:id/refunds', 'GET /api/admin/users/:id/timeline', 'POST /api/admin/users/:id/role', 'POST /api/sandbox/clock']) {
      expect(names).toContain(expected);
    }
    const unguarded = staff.filter((r) => r.permission === null && !OPEN.has(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`);
    expect(unguarded).toEqual([]);

    const callers = { user: await withRole('user'), support: await withRole('support'), finance: await withRole('finance') };
    for (const r of staff.filter((x) => x.permission !== null)) {
      const url = r.url.replace(/:[a-z_]+/g, 'missing_id');
      // An empty body: a permitted caller gets a validation or not-found answer, never a change.
      const body = r.method === 'GET' ? undefined : {};
      for (const [role, caller] of Object.entries(callers) as [Role, { token: string }][]) {
        const res = await s.api(r.method, url, { token: caller.token, body });
        const label = `${role} ${r.method} ${r.url} (${r.permission})`;
        if (roleMay(role, r.permission!)) expect([label, res.status === 403 || res.status === 401]).toEqual([label, false]);
        else expect([label, res.status, res.body?.error?.code]).toEqual([label, 403, 'FORBIDDEN']);
      }
      const asAdmin = await s.api(r.method, url, { token: admin.token, body });
      expect([`admin ${r.method} ${r.url}`, asAdmin.status === 403 || asAdmin.status === 401]).toEqual([`admin ${r.method} ${r.url}`, false]);
      const anon = await s.api(r.method, url, { body });
      expect([`anonymous ${r.method} ${r.url}`, anon.status]).toEqual([`anonymous ${r.method} ${r.url}`, 401]);
    }
    // Support and finance may read the console but neither refund nor set roles; sandbox tools stay admin-only.
    const perm = (m: string, u: string) => staff.find((x) => x.method === m && x.url === u)?.permission;
    expect(perm('POST', '/api/admin/payments/:id/refunds')).toBe('payments.refund');
    expect(perm('GET', '/api/admin/payments.csv')).toBe('exports.download');
    expect(perm('GET', '/api/admin/reports/revenue')).toBe('reports.read');
    expect(perm('POST', '/api/sandbox/clock')).toBe('sandbox.tools');
    expect(perm('GET', '/sandbox/mailbox')).toBe('sandbox.tools');
  });

  it('GET /api/me gives the role and its permissions; a role change applies on the next request', async () => {
    const u = await s.signup();
    const me = async () => (await s.api('GET', '/api/me', { token: u.token })).body.user;
    expect(await me()).toMatchObject({ role: 'user', permissions: [] });
    expect((await s.api('GET', '/api/admin/queues/summary', { token: u.token })).status).toBe(403);

    const set = await s.api('POST', `/api/admin/users/${u.userId}/role`, { token: admin.token, body: { role: 'support' } });
    expect(set.body).toMatchObject({ previous_role: 'user', user: { id: u.userId, role: 'support' } });
    expect([...set.body.permissions].sort()).toEqual(['console.read', 'notices.resend', 'subscriptions.extend']);
    expect(await me()).toMatchObject({ role: 'support' });
    expect((await me()).permissions.sort()).toEqual([...permissionsOf('support')].sort());
    expect((await s.api('GET', '/api/admin/queues/summary', { token: u.token })).status).toBe(200);
    expect((await s.api('GET', '/api/admin/reports/revenue', { token: u.token })).status).toBe(403);

    await s.api('POST', `/api/admin/users/${u.userId}/role`, { token: admin.token, body: { role: 'finance' } });
    expect((await s.api('GET', '/api/admin/reports/revenue', { token: u.token })).status).toBe(200);
    expect((await s.api('GET', '/api/admin/payments.csv', { token: u.token })).status).toBe(200);

    const adminMe = (await s.api('GET', '/api/me', { token: admin.token })).body.user;
    expect([...adminMe.permissions].sort()).toEqual([...STAFF_PERMISSIONS].sort() as StaffPermission[]);

    // An admin cannot change their own role; unknown roles and users are refused, nothing written.
    const self = await s.api('POST', `/api/admin/users/${admin.userId}/role`, { token: admin.token, body: { role: 'user' } });
    expect([self.status, self.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const bad = await s.api('POST', `/api/admin/users/${u.userId}/role`, { token: admin.token, body: { role: 'owner' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await s.api('POST', '/api/admin/users/usr_nobody/role', { token: admin.token, body: { role: 'support' } })).status).toBe(404);
    expect((await s.api('GET', '/api/me', { token: admin.token })).body.user.role).toBe('admin');
    expect(await me()).toMatchObject({ role: 'finance' });
  });

  it('make-admin CLI sets any role with --role (default admin) and rejects an unknown one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'smts-cli-'));
    const pgUrl = process.env.DATABASE_URL;
    try {
      let env: Record<string, string>;
      let handle;
      if (pgUrl) {
        // The CLI on this test's own schema (search_path through the connection string).
        const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${s.db.schema}`)}`;
        env = { DATABASE_URL: url };
        handle = s.db;
      } else {
        env = { DATA_DIR: dataDir };
        handle = await createDb({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
        await migrateToLatest(handle.db);
      }
      await handle.db.insertInto('users').values({ id: 'usr_cli', email: 'Cli.Person@example.com', password_hash: null, role: 'user', external_subject: null, created_at: new Date() }).execute();
      if (!pgUrl) await handle.close();
      const cli = (...args: string[]) =>
        execFileSync(process.execPath, ['--import', 'tsx', resolve('src/cli/make-admin.ts'), ...args], {
          env: { ...process.env, ...env, APP_ENV: 'local', LOG_LEVEL: 'silent' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      const roleNow = async () => {
        const h = pgUrl ? s.db : await createDb({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
        const r = await h.db.selectFrom('users').select('role').where('id', '=', 'usr_cli').executeTakeFirstOrThrow();
        if (!pgUrl) await h.close();
        return r.role;
      };
      // Refused before the database is opened.
      let failed: { status: number; stderr: string } | null = null;
      try {
        cli('cli.person@example.com', '--role', 'owner');
      } catch (err) {
        failed = err as { status: number; stderr: string };
      }
      expect(failed?.status).toBe(2);
      expect(failed?.stderr).toMatch(/--role must be one of user, admin, support, finance/);
      expect(cli('--role=finance', 'cli.person@example.com')).toMatch(/role finance/);
      expect(await roleNow()).toBe('finance');
      expect(cli('cli.person@example.com')).toMatch(/role admin/);
      expect(await roleNow()).toBe('admin');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
