import type { RawEnv } from './load-config.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * E-mail settings that keep a production service from starting (`APP_ENV` other than `local`):
 * notices (renewal warnings, failed payments, expiry) must reach subscribers, so `SMTP_URL` is
 * required, must be `smtp://` (STARTTLS) or `smtps://` (TLS), and `NOTICE_FROM` must be a real
 * sender. Returns one line per problem; empty when fine or in local mode.
 */
export function smtpProblems(env: RawEnv): string[] {
  if ((env.APP_ENV ?? 'production') === 'local') return [];
  const problems: string[] = [];
  const url = env.SMTP_URL?.trim();
  if (!url) {
    problems.push('SMTP_URL: required outside local mode (smtp://user:pass@host:587 for STARTTLS, smtps://user:pass@host:465 for TLS)');
  } else {
    let u: URL | null = null;
    try {
      u = new URL(url);
    } catch {
      problems.push('SMTP_URL: not a URL');
    }
    if (u) {
      if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') problems.push(`SMTP_URL: must start with smtp:// or smtps:// (got ${u.protocol}//)`);
      if (u.username && !u.password) problems.push('SMTP_URL: a user name without a password');
      if (u.protocol === 'smtp:' && u.port === '25' && !LOOPBACK.has(u.hostname)) {
        problems.push('SMTP_URL: port 25 is for relays between servers; use 587 (STARTTLS) or smtps:// on 465');
      }
    }
  }
  const from = env.NOTICE_FROM?.trim();
  if (!from || /@showmethestock\.local>?$/i.test(from)) problems.push('NOTICE_FROM: set the sender address subscribers see (e.g. ShowMeTheStock <no-reply@example.com>)');
  return problems;
}
