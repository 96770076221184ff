import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AccountStore, PasswordResetToken } from '../../domain/account-store.ts';
import type { Consent } from '../../domain/legal/legal-documents.ts';
import type { ConsentsTable, Database } from '../schema.ts';

const toConsent = (r: Selectable<ConsentsTable>): Consent => ({
  id: r.id,
  userId: r.user_id,
  document: r.document,
  version: r.version,
  agreedAt: r.agreed_at,
  paymentId: r.payment_id,
});

export class KyselyAccountRepository implements AccountStore {
  constructor(private readonly db: Kysely<Database> | Transaction<Database>) {}

  async insertConsents(consents: readonly Consent[]): Promise<void> {
    if (consents.length === 0) return;
    await this.db
      .insertInto('consents')
      .values(consents.map((c) => ({ id: c.id, user_id: c.userId, document: c.document, version: c.version, agreed_at: c.agreedAt, payment_id: c.paymentId })))
      .execute();
  }

  async listConsents(userId: string): Promise<Consent[]> {
    const rows = await this.db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('agreed_at').orderBy('id').execute();
    return rows.map(toConsent);
  }

  async findPaymentConsent(paymentId: string): Promise<Consent | undefined> {
    const r = await this.db.selectFrom('consents').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
    return r ? toConsent(r) : undefined;
  }

  async insertPasswordResetToken(t: Omit<PasswordResetToken, 'usedAt'>): Promise<void> {
    await this.db
      .insertInto('password_reset_tokens')
      .values({ id: t.id, user_id: t.userId, token_hash: t.tokenHash, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null })
      .execute();
  }

  async findPasswordResetTokenForUpdate(tokenHash: string): Promise<PasswordResetToken | undefined> {
    const r = await this.db.selectFrom('password_reset_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
    return r
      ? { id: r.id, userId: r.user_id, tokenHash: r.token_hash, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at }
      : undefined;
  }

  async countPasswordResetTokensSince(userId: string, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('password_reset_tokens')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    // pg returns count as a string, PGlite as a number.
    return Number(r.n);
  }

  async useAllPasswordResetTokens(userId: string, at: Date): Promise<void> {
    await this.db.updateTable('password_reset_tokens').set({ used_at: at }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  }

  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  }

  async revokeAllSessions(userId: string, at: Date): Promise<number> {
    const r = await this.db.updateTable('auth_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
