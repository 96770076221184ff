import type { Kysely, Transaction } from 'kysely';
import { krw, type Krw } from '../../domain/money.ts';
import { assertRefundTransition, type Refund, type RefundStatus } from '../../domain/payment/refund-states.ts';
import type { NewRefund, RefundPatch, RefundStore } from '../../domain/payment/refund-store.ts';
import type { Database, RefundRow } from '../schema.ts';
import { compareAndSetStatus } from './compare-and-set.ts';
import { allInText, inText } from './in-text.ts';

export function toRefund(r: RefundRow): Refund {
  return {
    id: r.id,
    paymentId: r.payment_id,
    kind: r.kind,
    amountKrw: krw(r.amount_krw),
    vatKrw: krw(r.vat_krw),
    reason: r.reason,
    requestedBy: r.requested_by,
    status: r.status,
    providerRefundRef: r.provider_refund_ref,
    failureCode: r.failure_code,
    failureMessage: r.failure_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    settledAt: r.settled_at,
  };
}

function patchColumns(p: RefundPatch) {
  const cols: { vat_krw?: number; provider_refund_ref?: string | null; failure_code?: string | null; failure_message?: string | null; settled_at?: Date | null } = {};
  if (p.vatKrw !== undefined) cols.vat_krw = p.vatKrw;
  if (p.providerRefundRef !== undefined) cols.provider_refund_ref = p.providerRefundRef;
  if (p.failureCode !== undefined) cols.failure_code = p.failureCode;
  if (p.failureMessage !== undefined) cols.failure_message = p.failureMessage;
  if (p.settledAt !== undefined) cols.settled_at = p.settledAt;
  return cols;
}

/** Refund rows on whatever connection it is given (a transaction's, from `BillingRepository.refunds()`). */
export class KyselyRefundStore implements RefundStore {
  constructor(protected readonly db: Kysely<Database> | Transaction<Database>) {}

  async insertRefund(r: NewRefund): Promise<Refund> {
    const row = await this.db
      .insertInto('refunds')
      .values({
        id: r.id,
        payment_id: r.paymentId,
        kind: r.kind,
        amount_krw: r.amountKrw,
        vat_krw: r.vatKrw,
        reason: r.reason,
        requested_by: r.requestedBy,
        status: 'requested',
        provider_refund_ref: null,
        failure_code: null,
        failure_message: null,
        created_at: r.createdAt,
        updated_at: r.createdAt,
        settled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRefund(row);
  }

  async findRefund(id: string) {
    const r = await this.db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRefund(r) : undefined;
  }

  async listRefundsByPayment(paymentId: string) {
    const rows = await this.db
      .selectFrom('refunds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRefund);
  }

  async listRefundsByPayments(paymentIds: readonly string[]) {
    if (paymentIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('refunds')
      .selectAll()
      .where('payment_id', 'in', [...paymentIds])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRefund);
  }

  async transitionRefund(id: string, from: RefundStatus, to: RefundStatus, at: Date, patch: RefundPatch = {}) {
    const r = await compareAndSetStatus(this.db, 'refunds', assertRefundTransition, { id, from, to, at, set: patchColumns(patch) });
    return r ? toRefund(r) : undefined;
  }

  async setRequestedRefundVat(id: string, vatKrw: Krw, at: Date) {
    await this.db
      .updateTable('refunds')
      .set({ vat_krw: vatKrw, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', inText('requested'))
      .execute();
  }

  async listUnsettledRefunds(olderThan: Date, limit: number) {
    const rows = await this.db
      .selectFrom('refunds')
      .selectAll()
      .where('status', 'in', allInText(['requested', 'unknown']))
      .where('updated_at', '<', olderThan)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map(toRefund);
  }
}

