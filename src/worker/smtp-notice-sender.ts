import { connect, type Socket } from 'node:net';
import type { NoticeMessage, NoticeSender } from '../domain/ports.ts';

export interface SmtpOptions {
  /** `smtp://[user:password@]host[:port]` (default port 25). No TLS: use a local relay. */
  url: string;
  /** `From:` header, e.g. `ShowMeTheStock <no-reply@example.com>`. */
  from: string;
  /** Name sent with EHLO. */
  heloName?: string;
  /** Budget of one whole SMTP session, ms. */
  timeoutMs?: number;
}

/**
 * A minimal SMTP client over `node:net` (RFC 5321): EHLO, optional AUTH PLAIN, MAIL FROM,
 * RCPT TO, DATA, QUIT — one session per message. The body is UTF-8 plain text in base64 and
 * the subject an RFC 2047 encoded word, so Korean text survives any relay. No STARTTLS: point
 * it at a relay on the same host or private network.
 */
export class SmtpNoticeSender implements NoticeSender {
  readonly channel = 'smtp';
  readonly needsAddress = true;
  private readonly host: string;
  private readonly port: number;
  private readonly user: string | null;
  private readonly password: string | null;

  constructor(private readonly options: SmtpOptions) {
    const u = new URL(options.url);
    if (u.protocol !== 'smtp:') throw new Error(`SMTP_URL must start with smtp:// (got ${u.protocol})`);
    this.host = u.hostname;
    this.port = u.port ? Number(u.port) : 25;
    this.user = u.username ? decodeURIComponent(u.username) : null;
    this.password = u.password ? decodeURIComponent(u.password) : null;
  }

  async send(m: NoticeMessage): Promise<void> {
    const session = await SmtpSession.open(this.host, this.port, this.options.timeoutMs ?? 15_000);
    try {
      await session.expect(220);
      await session.command(`EHLO ${this.options.heloName ?? 'showmethestock.local'}`, 250);
      if (this.user !== null) {
        const token = Buffer.from(`\u0000${this.user}\u0000${this.password ?? ''}`, 'utf8').toString('base64');
        await session.command(`AUTH PLAIN ${token}`, 235);
      }
      await session.command(`MAIL FROM:<${addressOf(this.options.from)}>`, 250);
      await session.command(`RCPT TO:<${addressOf(m.to)}>`, 250, 251);
      await session.command('DATA', 354);
      await session.command(`${formatMessage(this.options.from, m)}\r\n.`, 250);
      await session.command('QUIT', 221).catch(() => undefined);
    } finally {
      session.close();
    }
  }
}

/** The bare address of `Name <addr>` or `addr`; refuses CR/LF and angle brackets inside. */
function addressOf(value: string): string {
  const m = /<([^<>]+)>\s*$/.exec(value);
  const addr = (m ? m[1] : value).trim();
  if (!/^[^\s<>]+@[^\s<>]+$/.test(addr)) throw new Error(`not an e-mail address: ${JSON.stringify(value)}`);
  return addr;
}

/** RFC 2047 encoded words of at most 45 UTF-8 bytes each (never splitting a character). */
export function encodeHeaderWords(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function encodeMailbox(value: string): string {
  const m = /^(.*?)\s*<([^<>]+)>\s*$/.exec(value);
  if (!m || !m[1]) return `<${addressOf(value)}>`;
  return `${encodeHeaderWords(m[1].replace(/^"|"$/g, ''))} <${m[2]}>`;
}

/** The message (headers, blank line, base64 body in 76-column lines), CRLF line ends. */
export function formatMessage(from: string, m: NoticeMessage): string {
  const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64');
  const lines = body.match(/.{1,76}/g) ?? [];
  return [
    `From: ${encodeMailbox(from)}`,
    `To: <${addressOf(m.to)}>`,
    `Subject: ${encodeHeaderWords(m.subject)}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...lines,
  ].join('\r\n');
}

/** One SMTP connection: sends commands and reads (multi-line) replies. */
class SmtpSession {
  private buffer = '';
  private lines: string[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, i).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(i + 1);
      }
      this.wake();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.wake();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('SMTP connection closed')));
    socket.on('timeout', () => {
      fail(new Error('SMTP timeout'));
      socket.destroy();
    });
  }

  static open(host: string, port: number, timeoutMs: number): Promise<SmtpSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setTimeout(timeoutMs);
      socket.once('connect', () => resolve(new SmtpSession(socket)));
      socket.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async reply(): Promise<{ code: number; text: string }> {
    const text: string[] = [];
    for (;;) {
      while (this.lines.length === 0) {
        if (this.failure) throw this.failure;
        await new Promise<void>((r) => (this.waiter = r));
      }
      const line = this.lines.shift()!;
      text.push(line.slice(4));
      // "250-…" continues, "250 …" ends the reply.
      if (line.length < 4 || line[3] !== '-') return { code: Number(line.slice(0, 3)), text: text.join('\n') };
    }
  }

  async expect(...codes: number[]): Promise<void> {
    const r = await this.reply();
    if (!codes.includes(r.code)) throw new Error(`SMTP ${r.code}: ${r.text}`);
  }

  async command(line: string, ...codes: number[]): Promise<void> {
    this.socket.write(`${line}\r\n`);
    await this.expect(...codes);
  }

  close() {
    this.socket.destroy();
  }
}
