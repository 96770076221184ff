import { AppError } from '../domain/errors.ts';
import type { UseCaseContext } from './context.ts';
import type { SignUpInput, SignUpResult } from './sign-up.ts';

/**
 * Fixed-window login throttle per e-mail and per client address, in memory.
 * Each process counts on its own; behind several replicas the effective limit
 * is the configured one times the replica count.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, { count: number; windowStart: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a failed attempt. */
  fail(key: string, now: number): void {
    const a = this.attempts.get(key);
    if (!a || now - a.windowStart >= this.windowMs) this.attempts.set(key, { count: 1, windowStart: now });
    else a.count += 1;
    if (this.attempts.size > 100_000) this.prune(now);
  }

  /** Milliseconds until the key may try again, or 0. */
  blockedFor(key: string, now: number): number {
    const a = this.attempts.get(key);
    if (!a || now - a.windowStart >= this.windowMs || a.count < this.max) return 0;
    return a.windowStart + this.windowMs - now;
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private prune(now: number) {
    for (const [k, a] of this.attempts) if (now - a.windowStart >= this.windowMs) this.attempts.delete(k);
  }
}

export interface LogInInput extends SignUpInput {
  clientAddress: string;
}

export async function logIn(ctx: UseCaseContext, throttle: LoginThrottle, input: LogInInput): Promise<SignUpResult> {
  const now = ctx.clock.now().getTime();
  const keys = [`email:${input.email}`, `ip:${input.clientAddress}`];
  const wait = Math.max(...keys.map((k) => throttle.blockedFor(k, now)));
  if (wait > 0) {
    throw new AppError('RATE_LIMITED', '로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.', {
      retry_after_seconds: Math.ceil(wait / 1000),
    });
  }
  const user = await ctx.repo.findUserByEmail(input.email);
  const ok = user?.passwordHash ? await ctx.passwords.verify(input.password, user.passwordHash) : false;
  if (!user || !ok) {
    for (const k of keys) throttle.fail(k, now);
    throw new AppError('INVALID_CREDENTIALS', '이메일 또는 비밀번호가 올바르지 않습니다.');
  }
  throttle.reset(`email:${input.email}`);
  const { token, expiresAt } = await ctx.tokens.issue({ userId: user.id, role: user.role });
  return { user: { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt }, token, expiresAt };
}
