import { createHash } from 'node:crypto';
import { renderNotice } from '../domain/notices/notice-catalog.ts';
import type { Clock } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';

/** What password resets need besides the use-case context; built in composition.ts. */
export interface PasswordResetDeps {
  /** Real time: link lifetimes and the per-account limit do not follow the sandbox test clock. */
  wallClock: Clock;
  /** A fresh unguessable token (256 random bits, URL-safe). */
  newToken(): string;
  tokenTtlMs: number;
  /** Reset mails per account per hour; more requests are answered alike but send nothing. */
  maxPerAccountPerHour: number;
}

export interface RequestPasswordResetInput {
  email: string;
}

/** SHA-256 of a reset token, hex: what the database keeps. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const HOUR_MS = 3_600_000;

/**
 * Writes a single-use reset link to the notices outbox when `email` belongs to a local
 * account (password sign-in) that has not asked too often; otherwise does nothing. Returns
 * nothing either way, so the caller answers every e-mail alike (no account enumeration).
 * A new link voids the account's earlier unused links.
 */
export async function requestPasswordReset(ctx: UseCaseContext, deps: PasswordResetDeps, input: RequestPasswordResetInput): Promise<void> {
  const user = await ctx.repo.findUserByEmail(input.email);
  if (!user || !user.passwordHash || !user.email) return;
  const wallNow = deps.wallClock.now();
  const recent = await ctx.repo.accounts().countPasswordResetTokensSince(user.id, new Date(wallNow.getTime() - HOUR_MS));
  if (recent >= deps.maxPerAccountPerHour) {
    ctx.logger.warn({ user_id: user.id }, 'password reset: per-account hourly limit reached, no mail sent');
    return;
  }
  const token = deps.newToken();
  const tokenId = ctx.ids.next('prt');
  const expiresAt = new Date(wallNow.getTime() + deps.tokenTtlMs);
  const text = renderNotice(
    'password_reset',
    { resetPath: `/password/reset?token=${encodeURIComponent(token)}`, expiresAt },
    { publicUrl: ctx.settings.publicUrl, business: ctx.settings.business },
  );
  await ctx.repo.transaction(async (repo) => {
    const accounts = repo.accounts();
    await accounts.useAllPasswordResetTokens(user.id, wallNow);
    await accounts.insertPasswordResetToken({ id: tokenId, userId: user.id, tokenHash: hashResetToken(token), createdAt: wallNow, expiresAt });
    await repo.renewals().insertNotice({
      id: ctx.ids.next('ntc'),
      userId: user.id,
      subscriptionId: null,
      kind: 'password_reset',
      dedupeKey: `password_reset:${tokenId}`,
      subject: text.subject,
      body: text.body,
      data: { token_id: tokenId, expires_at: expiresAt.toISOString() },
      createdAt: ctx.clock.now(),
    });
  });
}
