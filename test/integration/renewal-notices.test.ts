import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';
import { sql } from 'kysely';
import { smtpTransportOptions } from '../../src/worker/smtp-notice-sender.ts';
import { deliverNotices } from '../../src/worker/tasks/deliver-notices.ts';
import type { NoticeMessage, NoticeSender } from '../../src/domain/ports.ts';

/** A tiny SMTP server: records each session's commands and message; can refuse RCPT once. */
function fakeSmtp() {
  const mails: { commands: string[]; data: string }[] = [];
  let refuseNext = false;
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    const session = { commands: [] as string[], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            // One record per message: a pooled connection carries several (commands so far, this message's data).
            mails.push({ commands: [...session.commands], data: session.data });
            session.data = '';
            socket.write('250 queued\r\n');
          } else session.data += `${line}\r\n`;
          continue;
        }
        session.commands.push(line);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') socket.write('250-fake\r\n250 AUTH PLAIN\r\n');
        else if (verb === 'AUTH') socket.write('235 ok\r\n');
        else if (verb === 'MAIL') socket.write('250 ok\r\n');
        else if (verb === 'RCPT') {
          if (refuseNext) {
            refuseNext = false;
            socket.write('451 try later\r\n');
          } else socket.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 ok\r\n');
        else if (verb === 'QUIT') {
          socket.write('221 bye\r\n');
          socket.end();
        } else socket.write('500 what\r\n');
      }
    });
  });
  return {
    mails,
    refuseOnce: () => (refuseNext = true),
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** RFC 2047 encoded words (B or Q) → text. */
function decodeWords(value: string): string {
  return value
    .replace(/\r\n[ \t]/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

function decode(data: string) {
  const split = data.indexOf('\r\n\r\n');
  const head = data.slice(0, split);
  const body = data.slice(split + 4);
  const subject = decodeWords(/^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(head)![1]);
  return { head, subject, text: Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8') };
}

const smtp = fakeSmtp();
const smtp2 = fakeSmtp();
let h: RenewalHarness;

beforeAll(async () => {
  const port = await smtp.listen();
  h = await startRenewalHarness({ env: { SMTP_URL: `smtp://mailer:s3cret@127.0.0.1:${port}`, NOTICE_FROM: '쇼미더스탁 <no-reply@example.com>' } });
});
afterAll(async () => {
  await h?.close();
  await smtp.close();
});

describe('notice delivery by SMTP', () => {
  it('sends the pre-renewal notice as UTF-8 mail; a refused delivery is retried later', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    // The purchase notice goes out first.
    expect((await h.tick()).notices).toMatchObject({ sent: 1, failed: 0 });
    expect(decode(smtp.mails[0].data).subject).toBe('[ShowMeTheStock] 결제 완료 안내');
    smtp.refuseOnce();
    const tick = await h.advance(23 * DAY, u);
    expect(tick.notices).toMatchObject({ sent: 0, failed: 1 });
    expect(smtp.mails).toHaveLength(1);
    const retried = await h.advance(2 * 60_000, u);
    expect(retried.notices.sent).toBe(1);
    expect(smtp.mails).toHaveLength(2);
    const mail = smtp.mails[1];
    expect(mail.commands).toContain('MAIL FROM:<no-reply@example.com>');
    expect(mail.commands).toContain(`RCPT TO:<${u.email}>`);
    expect(mail.commands).toContain(`AUTH PLAIN ${Buffer.from('\u0000mailer\u0000s3cret').toString('base64')}`);
    const m = decode(mail.data);
    expect(m.subject).toBe('[ShowMeTheStock] 정기결제 예정 안내');
    expect(m.text).toContain('29,000원');
    expect(m.head).toMatch(/^Content-Type: text\/plain; charset=utf-8$/im);
    expect(m.head).toMatch(/^Content-Transfer-Encoding: base64$/im);
    const notice = (await h.api('GET', `/api/sandbox/mailbox?email=${encodeURIComponent(u.email)}`, { token: await h.adminToken() })).body.notices[0];
    expect(notice).toMatchObject({ status: 'sent', channel: 'smtp', to: u.email });
  });

  it('records a claimed batch in a fixed number of statements: lease and skips together, then every outcome together', async () => {
    // Each notice cost two single-row statements (its lease, then its outcome, each committed on its own).
    const u = await h.signup();
    const ctx = h.services.ctx;
    const now = ctx.clock.now();
    await sql`INSERT INTO users (id, created_at) VALUES ('usr_no_address', ${now})`.execute(h.db.db);
    const notice = (i: number, userId: string, subject: string) => ({
      id: `ntc_batch_${i}`,
      userId,
      subscriptionId: null,
      kind: 'renewal_succeeded' as const,
      dedupeKey: `batch:${i}`,
      subject,
      body: '본문',
      data: {},
      createdAt: now,
    });
    await ctx.repo
      .renewals()
      .insertNotices([
        ...[1, 2, 3, 4, 5].map((i) => notice(i, u.userId, '안내')),
        notice(6, u.userId, 'refused'),
        notice(7, 'usr_no_address', '안내'),
        notice(8, 'usr_no_address', '안내'),
      ]);
    const sent: NoticeMessage[] = [];
    const sender: NoticeSender = {
      channel: 'smtp',
      needsAddress: true,
      async send(m) {
        if (m.subject === 'refused') throw new Error('550 mailbox unavailable');
        sent.push(m);
      },
    };
    const before = h.db.statements();
    const result = await deliverNotices(ctx, sender, now, 100);
    expect(h.db.statements() - before).toBe(5); // BEGIN, claim, lease and skips, COMMIT; the outcomes
    expect(result).toEqual({ sent: 5, skipped: 2, failed: 1 });
    const rows = await sql<{ id: string; status: string; attempts: number; recipient: string | null; last_error: string | null; next_attempt_at: Date | null }>`
      SELECT id, status, attempts, recipient, last_error, next_attempt_at FROM notices WHERE id LIKE 'ntc_batch_%' ORDER BY id`.execute(h.db.db);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    for (const i of [1, 2, 3, 4, 5]) expect(byId.get(`ntc_batch_${i}`)).toMatchObject({ status: 'sent', attempts: 1, recipient: u.email, last_error: null, next_attempt_at: null });
    expect(byId.get('ntc_batch_6')).toMatchObject({ status: 'pending', attempts: 1, last_error: '550 mailbox unavailable' });
    expect(new Date(byId.get('ntc_batch_6')!.next_attempt_at!).getTime()).toBe(now.getTime() + 60_000);
    for (const i of [7, 8]) expect(byId.get(`ntc_batch_${i}`)).toMatchObject({ status: 'skipped', attempts: 0, last_error: 'no e-mail address', next_attempt_at: null });
    expect(sent.map((m) => m.to)).toEqual(Array(5).fill(u.email));
  });

  it('a failed send does not bring back a notice skipped while it was being sent', async () => {
    const u = await h.signup();
    const ctx = h.services.ctx;
    const now = ctx.clock.now();
    await ctx.repo.renewals().insertNotices([
      { id: 'ntc_race', userId: u.userId, subscriptionId: null, kind: 'renewal_succeeded', dedupeKey: 'race:1', subject: '안내', body: '본문', data: {}, createdAt: now },
    ]);
    const sender: NoticeSender = {
      channel: 'smtp',
      needsAddress: true,
      async send() {
        // Meanwhile the notice stops being wanted (as when its subscription ends), then the send fails.
        await ctx.repo.renewals().skipPendingNotices('race:', now, 'subscription_ended');
        throw new Error('connection reset');
      },
    };
    await deliverNotices(ctx, sender, now, 100);
    const row = await sql<{ status: string; last_error: string }>`SELECT status, last_error FROM notices WHERE id = 'ntc_race'`.execute(h.db.db);
    expect(row.rows[0]).toEqual({ status: 'skipped', last_error: 'subscription_ended' });
  });

  it('SMTP URLs: smtps is TLS on 465, smtp is STARTTLS on 587 (required off this host), pooled, credentials decoded', () => {
    const tls = smtpTransportOptions({ url: 'smtps://user%40corp:p%40ss@mail.example.com', from: 'a@example.com' });
    expect(tls).toMatchObject({ secure: true, port: 465, pool: true, host: 'mail.example.com', auth: { user: 'user@corp', pass: 'p@ss' } });
    const starttls = smtpTransportOptions({ url: 'smtp://u:p@mail.example.com', from: 'a@example.com' });
    expect(starttls).toMatchObject({ secure: false, port: 587, requireTLS: true });
    const relay = smtpTransportOptions({ url: 'smtp://127.0.0.1:2525', from: 'a@example.com' });
    expect(relay).toMatchObject({ secure: false, port: 2525, requireTLS: false });
    expect(relay).not.toHaveProperty('auth');
    expect(() => smtpTransportOptions({ url: 'http://mail.example.com', from: 'a@example.com' })).toThrow(/smtp:\/\/ or smtps:\/\//);
  });

  it('a long Korean subject survives as encoded words', async () => {
    const { SmtpNoticeSender } = await import('../../src/worker/smtp-notice-sender.ts');
    const port = await smtp2.listen();
    const sender = new SmtpNoticeSender({ url: `smtp://127.0.0.1:${port}`, from: '쇼미더스탁 <no-reply@example.com>' });
    try {
      const subject = '가'.repeat(40);
      await sender.send({ to: 'b@example.com', subject, text: '안녕\n하세요', messageId: 'm1@x', date: new Date(0) });
      const m = decode(smtp2.mails[0].data);
      expect(m.subject).toBe(subject);
      expect(m.text.replace(/\r\n/g, '\n')).toBe('안녕\n하세요');
      expect(m.head).toMatch(/^Message-ID: <m1@x>$/im);
      expect(smtp2.mails[0].data.split('\r\n').every((l) => l.length <= 998)).toBe(true);
    } finally {
      sender.close();
      await smtp2.close();
    }
  });
});
