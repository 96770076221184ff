import { AppError } from '../domain/errors.ts';
import { renderNotice } from '../domain/notices/notice-catalog.ts';
import { PASSWORD_MAX_LENGTH, checkNewPassword } from '../domain/password-rule.ts';
import type { UseCaseContext } from './context.ts';
import { hashResetToken, type PasswordResetDeps } from './request-password-reset.ts';

export interface ResetPasswordInput {
  token: string;
  password: string;
}

export interface ResetPasswordResult {
  userId: string;
  /** Sessions revoked (every one the user had). */
  revokedSessions: number;
}

function invalid(reason: 'unknown' | 'used' | 'expired'): AppError {
  const message =
    reason === 'expired'
      ? '비밀번호 재설정 링크의 유효 시간이 지났습니다. 재설정 메일을 다시 요청해 주세요.'
      : reason === 'used'
        ? '이미 사용한 비밀번호 재설정 링크입니다. 재설정 메일을 다시 요청해 주세요.'
        : '비밀번호 재설정 링크가 올바르지 않습니다. 메일의 링크를 다시 확인하거나 재설정 메일을 다시 요청해 주세요.';
  return new AppError('RESET_TOKEN_INVALID', message, { reason });
}

/**
 * Sets a new password with a reset link's token: the token must be known, unused and not
 * expired (real time); the password must pass the password rule (WEAK_PASSWORD leaves the
 * token usable). In one transaction: the new hash, every reset token of the user used up,
 * every session of the user revoked, a "비밀번호가 변경되었습니다" notice in the outbox.
 *
 * @throws AppError RESET_TOKEN_INVALID (details.reason unknown | used | expired), WEAK_PASSWORD
 */
export async function resetPassword(ctx: UseCaseContext, deps: PasswordResetDeps, input: ResetPasswordInput): Promise<ResetPasswordResult> {
  const tokenHash = hashResetToken(input.token);
  const check = async (repo = ctx.repo) => {
    const t = await repo.accounts().findPasswordResetTokenForUpdate(tokenHash);
    if (!t) throw invalid('unknown');
    if (t.usedAt) throw invalid('used');
    if (t.expiresAt.getTime() <= deps.wallClock.now().getTime()) throw invalid('expired');
    return t;
  };
  // First without a lock: the password rule and the slow hash stay outside the transaction.
  const first = await check();
  const user = await ctx.repo.findUserById(first.userId);
  if (!user) throw invalid('unknown');
  const weak = checkNewPassword(input.password, user.email ?? '');
  if (weak) throw new AppError('WEAK_PASSWORD', weak.message, { reason: weak.reason });
  const passwordHash = await ctx.passwords.hash(input.password);
  const wallNow = deps.wallClock.now();
  const text = renderNotice('password_changed', { at: wallNow }, { publicUrl: ctx.settings.publicUrl, business: ctx.settings.business });
  return ctx.repo.transaction(async (repo) => {
    // Again under the row lock: two submits of one link change the password once.
    const t = await check(repo);
    const accounts = repo.accounts();
    await accounts.updatePasswordHash(t.userId, passwordHash);
    await accounts.useAllPasswordResetTokens(t.userId, wallNow);
    const revokedSessions = await accounts.revokeAllSessions(t.userId, wallNow);
    await repo.renewals().insertNotice({
      id: ctx.ids.next('ntc'),
      userId: t.userId,
      subscriptionId: null,
      kind: 'password_changed',
      dedupeKey: `password_changed:${t.id}`,
      subject: text.subject,
      body: text.body,
      data: { token_id: t.id, revoked_sessions: revokedSessions },
      createdAt: ctx.clock.now(),
    });
    return { userId: t.userId, revokedSessions };
  });
}
