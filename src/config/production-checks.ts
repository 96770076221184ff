/** The raw environment (`RawEnv` of load-config.ts, which imports this module). */
type RawEnv = Record<string, string | undefined>;

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

/** The business identity the footer must show (전자상거래법 제10조 ①, docs/legal.md), by variable. */
export const BUSINESS_IDENTITY_VARIABLES = {
  BUSINESS_NAME: '상호',
  BUSINESS_REPRESENTATIVE: '대표자',
  BUSINESS_REGISTRATION_NUMBER: '사업자등록번호',
  MAIL_ORDER_REPORT_NUMBER: '통신판매업 신고번호',
  BUSINESS_ADDRESS: '주소',
  BUSINESS_PHONE: '전화번호',
  BUSINESS_EMAIL: '전자우편주소',
} as const;

/**
 * Outside local mode every page must carry the operator's real identity: each variable of
 * BUSINESS_IDENTITY_VARIABLES must be set (the defaults are local placeholders), and the
 * 사업자등록번호 must not be the all-zero placeholder. One line per problem; empty when fine.
 */
export function businessIdentityProblems(env: RawEnv): string[] {
  if ((env.APP_ENV ?? 'production') === 'local') return [];
  const problems: string[] = [];
  for (const [name, label] of Object.entries(BUSINESS_IDENTITY_VARIABLES)) {
    if (!env[name]?.trim()) problems.push(`${name}: required outside local mode (${label}, shown in every page's footer)`);
  }
  if (env.BUSINESS_REGISTRATION_NUMBER?.trim() === '000-00-00000') problems.push('BUSINESS_REGISTRATION_NUMBER: the local placeholder; set the real 사업자등록번호');
  return problems;
}
