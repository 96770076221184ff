import type { Consent } from './legal/legal-documents.ts';

/** A password-reset token as stored: only the SHA-256 of the token the mail carried. */
export interface PasswordResetToken {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  /** Real time (not the sandbox test clock), like session lifetimes. */
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * Consents and password resets (migration 0017), bound to the transaction of the
 * BillingRepository that handed it out (`repo.accounts()`).
 */
export interface AccountStore {
  insertConsents(consents: readonly Consent[]): Promise<void>;
  listConsents(userId: string): Promise<Consent[]>;
  /** The `order` consent stored with a payment attempt, if any. */
  findPaymentConsent(paymentId: string): Promise<Consent | undefined>;

  insertPasswordResetToken(t: Omit<PasswordResetToken, 'usedAt'>): Promise<void>;
  /** The token row for this hash, locked for the rest of the transaction. */
  findPasswordResetTokenForUpdate(tokenHash: string): Promise<PasswordResetToken | undefined>;
  /** Tokens of the user created at or after `since` (the per-account request limit). */
  countPasswordResetTokensSince(userId: string, since: Date): Promise<number>;
  /** Marks every unused token of the user used at `at` (a reset voids the other links too). */
  useAllPasswordResetTokens(userId: string, at: Date): Promise<void>;

  updatePasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** Revokes every live session of the user; returns how many. */
  revokeAllSessions(userId: string, at: Date): Promise<number>;
}
