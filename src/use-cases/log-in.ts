import { AppError } from '../domain/errors.ts';
import type { Clock, PasswordHasher } from '../domain/ports.ts';
import type { LoginAttemptStore, ThrottlePolicy } from '../domain/login-throttle.ts';
import type { UseCaseContext } from './context.ts';
import type { SignUpInput, SignUpResult } from './sign-up.ts';

export interface LoginThrottlePolicies {
  /** Per e-mail address (known or not). */
  account: ThrottlePolicy;
  /** Per client address; higher, since one office behind a NAT shares an address. */
  address: ThrottlePolicy;
}

/**
 * Login throttle per account and per client address, counted in the database
 * (shared by every replica). An attempt is counted before the password is
 * checked, so parallel guesses are counted too; a right password gives the
 * address its attempt back and clears the account. Each lock of a key lasts
 * twice as long as the one before (docs/web-security.md).
 */
export class LoginThrottle {
  constructor(
    private readonly store: LoginAttemptStore,
    /** Wall-clock time: the sandbox test clock must not unlock accounts. */
    private readonly clock: Clock,
    private readonly policies: LoginThrottlePolicies,
  ) {}

  /** Counts one attempt; throws RATE_LIMITED (details.retry_after_seconds) when either key is locked. */
  async begin(email: string, clientAddress: string): Promise<void> {
    const now = this.clock.now();
    const address = await this.store.attempt(addressKey(clientAddress), now, this.policies.address);
    if (!address.allowed) throw limited(address.retryAfterMs);
    const account = await this.store.attempt(accountKey(email), now, this.policies.account);
    if (!account.allowed) {
      // This attempt never reached a password check: the address gets it back.
      await this.store.release(addressKey(clientAddress));
      throw limited(account.retryAfterMs);
    }
  }

  /** The password was right. */
  async succeeded(email: string, clientAddress: string): Promise<void> {
    await this.store.clear(accountKey(email));
    await this.store.release(addressKey(clientAddress));
  }
}

const accountKey = (email: string) => `account:${email}`;
const addressKey = (address: string) => `address:${address}`;

function limited(retryAfterMs: number): AppError {
  return new AppError('RATE_LIMITED', '로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.', {
    retry_after_seconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * A hash made once per hasher, checked when the e-mail is unknown (or has no
 * password), so that an unknown e-mail costs the same scrypt work as a known
 * one and response times do not tell which e-mails have accounts.
 */
export function dummyPasswordHash(passwords: PasswordHasher): Promise<string> {
  let h = dummyHashes.get(passwords);
  if (!h) {
    h = passwords.hash('equal-time login: not anyone’s password');
    dummyHashes.set(passwords, h);
    h.catch(() => dummyHashes.delete(passwords));
  }
  return h;
}

export interface LogInInput extends SignUpInput {
  clientAddress: string;
}

export async function logIn(ctx: UseCaseContext, throttle: LoginThrottle, input: LogInInput): Promise<SignUpResult> {
  await throttle.begin(input.email, input.clientAddress);
  const user = await ctx.repo.findUserByEmail(input.email);
  const stored = user?.passwordHash ?? (await dummyPasswordHash(ctx.passwords));
  const verified = await ctx.passwords.verify(input.password, stored);
  if (!user?.passwordHash || !verified) {
    throw new AppError('INVALID_CREDENTIALS', '이메일 또는 비밀번호가 올바르지 않습니다.');
  }
  await throttle.succeeded(input.email, input.clientAddress);
  const { token, expiresAt } = await ctx.tokens.issue({ userId: user.id, role: user.role });
  return { user: { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt }, token, expiresAt };
}
