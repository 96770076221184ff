import { z } from 'zod';
import { AppError } from '../domain/errors.ts';
import type { User } from '../domain/records.ts';
import type { UseCaseContext } from './context.ts';
import { PASSWORD_MAX_LENGTH, checkNewPassword } from '../domain/password-rule.ts';

export const CredentialsSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email().max(254)),
  password: z.string().min(8).max(200),
});
export type SignUpInput = z.infer<typeof CredentialsSchema>;

/** Sign-up body: the password is judged by the password rule (WEAK_PASSWORD), not by the schema. */
export const SignUpSchema = z.object({
  email: CredentialsSchema.shape.email,
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
});
export interface SignUpResult {
  user: User;
  token: string;
  expiresAt: Date;
}

/** Creates a local account. Throws WEAK_PASSWORD (details.reason) or EMAIL_TAKEN. */
export async function signUp(ctx: UseCaseContext, input: SignUpInput): Promise<SignUpResult> {
  const weak = checkNewPassword(input.password, input.email);
  if (weak) throw new AppError('WEAK_PASSWORD', weak.message, { reason: weak.reason });
  const existing = await ctx.repo.findUserByEmail(input.email);
  if (existing) throw new AppError('EMAIL_TAKEN', '이미 가입된 이메일입니다.');
  const passwordHash = await ctx.passwords.hash(input.password);
  const role = ctx.settings.adminEmails.includes(input.email) ? 'admin' : 'user';
  let user: User;
  try {
    user = await ctx.repo.insertUser({
      id: ctx.ids.next('usr'),
      email: input.email,
      passwordHash,
      role,
      externalSubject: null,
      createdAt: ctx.clock.now(),
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
