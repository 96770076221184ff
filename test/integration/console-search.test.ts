import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL } from '../helpers/refund-fixtures.ts';

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

/** `n` accounts straight into the table (sign-up hashes a password each: too slow for 1,000). */
async function seedUsers(n: number, domain: string): Promise<string[]> {
  const base = Date.parse('2026-01-01T00:00:00Z');
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `usr_seed${String(i).padStart(5, '0')}`,
    email: `member${i}@${domain}`,
    password_hash: null,
    role: 'user' as const,
    external_subject: null,
    created_at: new Date(base + i * 60_000),
  }));
  for (let i = 0; i < rows.length; i += 250) await s.db.db.insertInto('users').values(rows.slice(i, i + 250)).execute();
  return rows.map((r) => r.id);
}

describe(`console search (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('counts every match: 1,000 users matching a search are 1,000, not the first page', async () => {
    const ids = await seedUsers(1000, 'bulk.example.com');
    const page1 = await s.api('GET', '/api/admin/users?q=bulk.example&limit=50', { token: admin.token });
    expect(page1.status).toBe(200);
    expect(page1.body.users).toHaveLength(50);
    expect(page1.body.total).toBe(1000);
    // Every page together is every user, once.
    const seen = new Set<string>();
    let offset = 0;
    for (;;) {
      const r = await s.api('GET', `/api/admin/users?q=bulk.example&limit=100&offset=${offset}`, { token: admin.token });
      expect(r.body.total).toBe(1000);
      for (const u of r.body.users) seen.add(u.id);
      if (r.body.users.length < 100) break;
      offset += 100;
    }
    expect(seen).toEqual(new Set(ids));
  });
});
