import { AppError } from '../domain/errors.ts';
import type { User } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { PASSWORD_MAX_LENGTH, checkNewPassword } from '../domain/password-rule.ts';
import { requireCurrentConsents } from './consent-check.ts';

/** Credentials as the request schema parsed them: the e-mail trimmed and in lower case. */
export interface SignUpInput {
  email: string;
  password: string;
  /** Version ids of the 이용약관 and 개인정보 수집·이용 texts the user agreed to (both required). */
  termsVersion?: string;
  privacyVersion?: string;
}

export interface SignUpResult {
  user: User;
  token: string;
  expiresAt: Date;
}

/**
 * Creates a local account with its 이용약관 and 개인정보 수집·이용 consents (one transaction).
 * Throws CONSENT_REQUIRED / CONSENT_OUTDATED, WEAK_PASSWORD (details.reason) or EMAIL_TAKEN.
 */
export async function signUp(ctx: UseCaseContext, input: SignUpInput): Promise<SignUpResult> {
  const userId = ctx.ids.next('usr');
  const now = ctx.clock.now();
  const weak = checkNewPassword(input.password, input.email);
  if (weak) throw new AppError('WEAK_PASSWORD', weak.message, { reason: weak.reason });
  const consents = requireCurrentConsents({ terms: input.termsVersion, privacy: input.privacyVersion }, ['terms', 'privacy'], {
    userId,
    agreedAt: now,
    paymentId: null,
    ids: ctx.ids,
  });
  const existing = await ctx.repo.findUserByEmail(input.email);
  if (existing) throw new AppError('EMAIL_TAKEN', '이미 가입된 이메일입니다.');
  const passwordHash = await ctx.passwords.hash(input.password);
  const role = ctx.settings.adminEmails.includes(input.email) ? 'admin' : 'user';
  let user: User;
  try {
    user = await ctx.repo.transaction(async (repo) => {
      const u = await repo.insertUser({ id: userId, email: input.email, passwordHash, role, externalSubject: null, createdAt: now });
      await repo.accounts().insertConsents(consents);
      return u;
    });
  } catch (err) {
    // Two sign-ups with one e-mail at once: the unique index decides.
    if (isUniqueViolation(err)) throw new AppError('EMAIL_TAKEN', '이미 가입된 이메일입니다.');
    throw err;
  }
  const { token, expiresAt } = await ctx.tokens.issue({ userId: user.id, role: user.role });
  return { user, token, expiresAt };
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
