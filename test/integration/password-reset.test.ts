import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const OLD = 'correct horse battery';
const NEW = 'violet staple orbit lamp';
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack({ env: { PASSWORD_RESET_RATE_LIMIT_MAX: '8', PASSWORD_RESET_MAX_PER_ACCOUNT: '3' } });
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

const request = (email: string) => s.api('POST', '/api/auth/password-reset/request', { body: { email } });
const confirm = (token: string, password: string) => s.api('POST', '/api/auth/password-reset/confirm', { body: { token, password } });
const login = (email: string, password: string) => s.api('POST', '/api/auth/login', { body: { email, password } });

async function notices(kind: string) {
  return s.db.db.selectFrom('notices').selectAll().where('kind', '=', kind).orderBy('created_at').execute();
}

/** The token of the newest reset mail in the outbox (the mailbox shows the same body). */
async function mailedToken(): Promise<string> {
  const list = await notices('password_reset');
  const m = /\/password\/reset\?token=([A-Za-z0-9_-]+)/.exec(list.at(-1)!.body);
  return decodeURIComponent(m![1]);
}

describe(`password reset by e-mail (${db})`, () => {
  it('answers a known and an unknown e-mail alike; only the known one gets a mail, and the database keeps only the hash', async () => {
    const u = await s.signup('known@example.com');
    const known = await request('Known@Example.com ');
    const unknown = await request('nobody@example.com');
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const mails = await notices('password_reset');
    expect(mails.map((n) => n.user_id)).toEqual([u.userId]);
    expect(mails[0].subject).toContain('비밀번호 재설정');
    expect(mails[0].body).toContain(`${s.url}/password/reset?token=`);
    const token = await mailedToken();
    expect(token.length).toBeGreaterThanOrEqual(43);
    const rows = await s.db.db.selectFrom('password_reset_tokens' as never).selectAll().execute() as any[];
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
    // 30 minutes, real time.
    const ttl = new Date(rows[0].expires_at).getTime() - new Date(rows[0].created_at).getTime();
    expect(ttl).toBe(30 * 60_000);
  });

  it('sets the new password once: the token is single use, other sessions are revoked, a notice says so', async () => {
    const u = await s.signup('reset@example.com');
    const second = (await login('reset@example.com', OLD)).body.token as string;
    expect((await s.api('GET', '/api/me', { token: u.token })).status).toBe(200);
    await request('reset@example.com');
    const token = await mailedToken();

    // The password rule applies; a refused password leaves the link usable.
    const weak = await confirm(token, 'password');
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('WEAK_PASSWORD');

    const ok = await confirm(token, NEW);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    for (const t of [u.token, second]) expect((await s.api('GET', '/api/me', { token: t })).status).toBe(401);
    expect((await login('reset@example.com', OLD)).status).toBe(401);
    expect((await login('reset@example.com', NEW)).status).toBe(200);

    const again = await confirm(token, 'another fine passphrase');
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'RESET_TOKEN_INVALID', details: { reason: 'used' } });
    expect((await login('reset@example.com', NEW)).status).toBe(200);

    const changed = await notices('password_changed');
    expect(changed.map((n) => n.user_id)).toEqual([u.userId]);
    expect(changed[0].body).toContain('모든 기기에서 로그아웃');
  });

  it('refuses an expired link (real time, not the test clock) and an unknown one', async () => {
    await s.signup('late@example.com');
    await request('late@example.com');
    const token = await mailedToken();
    // The sandbox test clock moving a day does not expire the link…
    s.services.clock.advance(86_400_000);
    // …real time passing does: age the row by 31 minutes.
    await s.db.db
      .updateTable('password_reset_tokens' as never)
      .set({ expires_at: new Date(Date.now() - 60_000) } as never)
      .execute();
    const late = await confirm(token, NEW);
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ code: 'RESET_TOKEN_INVALID', details: { reason: 'expired' } });
    expect((await login('late@example.com', OLD)).status).toBe(200);
    const unknown = await confirm('not-a-real-token', NEW);
    expect(unknown.body.error).toMatchObject({ code: 'RESET_TOKEN_INVALID', details: { reason: 'unknown' } });
  });

  it('a link still works after the test clock moved a day (lifetimes are real time)', async () => {
    await s.signup('clock@example.com');
    await request('clock@example.com');
    s.services.clock.advance(86_400_000);
    expect((await confirm(await mailedToken(), NEW)).status).toBe(200);
  });

  it('a newer link voids the older one; more than 3 requests an hour send nothing more, with the same answer', async () => {
    await s.signup('many@example.com');
    await request('many@example.com');
    const first = await mailedToken();
    await request('many@example.com');
    const second = await mailedToken();
    expect((await confirm(first, NEW)).body.error.details.reason).toBe('used');
    await request('many@example.com');
    const fourth = await request('many@example.com');
    expect(fourth.status).toBe(202);
    expect(fourth.body).toEqual((await request('nobody@example.com')).body);
    expect(await notices('password_reset')).toHaveLength(3);
    expect((await confirm(second, NEW)).body.error.details.reason).toBe('used');
  });

  it('is rate-limited per client address (429), whatever the e-mail', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await request(`x${i}@example.com`)).status);
    expect(statuses.slice(0, 8).every((st) => st === 202)).toBe(true);
    expect(statuses[8]).toBe(429);
  });
});
