import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { NoticeMessage, NoticeSender } from '../domain/ports.ts';

export interface SmtpOptions {
  /**
   * `smtp://[user:password@]host[:port]` (STARTTLS; port 587 by default) or
   * `smtps://[user:password@]host[:port]` (TLS from the first byte; port 465 by default).
   */
  url: string;
  /** `From:` header, e.g. `ShowMeTheStock <no-reply@example.com>`. */
  from: string;
  /** Parallel connections of the pool. */
  maxConnections?: number;
  /** Budget of connecting, greeting and each command, ms. */
  timeoutMs?: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The nodemailer transport options of an SMTP URL (exported for tests and the pre-flight check). */
export function smtpTransportOptions(options: SmtpOptions): SMTPPool.Options {
  const u = new URL(options.url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${u.protocol})`);
  }
  const implicitTls = u.protocol === 'smtps:';
  const timeout = options.timeoutMs ?? 15_000;
  return {
    pool: true,
    maxConnections: options.maxConnections ?? 3,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : implicitTls ? 465 : 587,
    secure: implicitTls,
    // Credentials never travel in clear: STARTTLS is required unless the relay is on this host.
    requireTLS: !implicitTls && !LOOPBACK.has(u.hostname),
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Never log message contents or credentials.
    logger: false,
    debug: false,
  };
}

/**
 * Notices by e-mail through nodemailer's pooled SMTP transport: STARTTLS or TLS, AUTH (PLAIN or
 * LOGIN, as the server offers), UTF-8 text in base64 so Korean survives any relay. `send` throws
 * when the message was not accepted; the outbox tries again later.
 */
export class SmtpNoticeSender implements NoticeSender {
  readonly channel = 'smtp';
  readonly needsAddress = true;
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpOptions) {
    this.transport = nodemailer.createTransport(smtpTransportOptions(options));
  }

  async send(m: NoticeMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      textEncoding: 'base64',
      messageId: `<${m.messageId}>`,
      date: m.date,
    });
  }

  /** Connects and authenticates without sending (the pre-flight check). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}
