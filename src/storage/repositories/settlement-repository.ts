import type { ColumnType, Kysely } from 'kysely';
import type { AdminAuditEntry } from '../../domain/admin-audit.ts';
import type { DifferenceKind, LedgerPayment, SettlementLedger, SettlementLineKind } from '../../domain/payment/settlement.ts';
import type { SettlementImport, SettlementStore, StoredDifference } from '../../domain/payment/settlement-store.ts';
import type { Database, SettlementImportsTable } from '../schema.ts';
import { insertAdminAudit } from './admin-audit-repository.ts';
import { allInText, inText } from './in-text.ts';

const PAID = ['approved', 'partially_refunded', 'refunded'] as const;

function toImport(r: { [K in keyof SettlementImportsTable]: SettlementImportsTable[K] extends ColumnType<infer S, any, any> ? S : SettlementImportsTable[K] }): SettlementImport {
  return {
    id: r.id,
    provider: r.provider,
    settlementDate: r.settlement_date,
    fileName: r.file_name,
    lineCount: r.line_count,
    fileAmountKrw: Number(r.file_amount_krw),
    fileFeeKrw: Number(r.file_fee_krw),
    ledgerAmountKrw: Number(r.ledger_amount_krw),
    ledgerFeeKrw: Number(r.ledger_fee_krw),
    differenceCount: r.difference_count,
    importedBy: r.imported_by,
    createdAt: new Date(r.created_at),
  };
}

export class KyselySettlementRepository implements SettlementStore {
  constructor(private readonly db: Kysely<Database>) {}

  async ledgerForDay(provider: string, start: Date, end: Date, providerRefs: readonly string[]): Promise<SettlementLedger> {
    const cols = ['id', 'provider_ref', 'amount_krw', 'status', 'approved_at'] as const;
    const toLedger = (r: { id: string; provider_ref: string | null; amount_krw: number; status: string; approved_at: Date | null }): LedgerPayment => ({
      paymentId: r.id,
      providerRef: r.provider_ref,
      amountKrw: r.amount_krw,
      status: r.status,
      approvedAt: r.approved_at,
    });
    const payments = await this.db
      .selectFrom('payments')
      .select(cols)
      .where('provider', '=', provider)
      .where('status', 'in', allInText(PAID))
      .where('amount_krw', '>', 0)
      .where('approved_at', '>=', start)
      .where('approved_at', '<', end)
      .orderBy('approved_at')
      .execute();
    const refunds = await this.db
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .select(['refunds.id', 'refunds.payment_id', 'payments.provider_ref', 'refunds.provider_refund_ref', 'refunds.amount_krw', 'refunds.settled_at'])
      .where('payments.provider', '=', provider)
      .where('refunds.status', '=', inText('succeeded'))
      .where('refunds.settled_at', '>=', start)
      .where('refunds.settled_at', '<', end)
      .orderBy('refunds.settled_at')
      .execute();
    const byProviderRef = new Map<string, LedgerPayment>();
    const refs = [...new Set(providerRefs)];
    for (let i = 0; i < refs.length; i += 1000) {
      const rows = await this.db
        .selectFrom('payments')
        .select(cols)
        .where('provider', '=', provider)
        .where('provider_ref', 'in', refs.slice(i, i + 1000))
        .execute();
      for (const r of rows) if (r.provider_ref) byProviderRef.set(r.provider_ref, toLedger(r));
    }
    for (const p of payments) if (p.provider_ref && !byProviderRef.has(p.provider_ref)) byProviderRef.set(p.provider_ref, toLedger(p));
    return {
      payments: payments.map(toLedger),
      refunds: refunds.map((r) => ({
        refundId: r.id,
        paymentId: r.payment_id,
        paymentProviderRef: r.provider_ref,
        providerRefundRef: r.provider_refund_ref,
        amountKrw: r.amount_krw,
        settledAt: r.settled_at!,
      })),
      byProviderRef,
    };
  }

  async saveImport(imp: SettlementImport, differences: readonly StoredDifference[], audit: AdminAuditEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('settlement_imports')
        .values({
          id: imp.id,
          provider: imp.provider,
          settlement_date: imp.settlementDate,
          file_name: imp.fileName,
          line_count: imp.lineCount,
          file_amount_krw: imp.fileAmountKrw,
          file_fee_krw: imp.fileFeeKrw,
          ledger_amount_krw: imp.ledgerAmountKrw,
          ledger_fee_krw: imp.ledgerFeeKrw,
          difference_count: imp.differenceCount,
          imported_by: imp.importedBy,
          created_at: imp.createdAt,
        })
        .execute();
      for (let i = 0; i < differences.length; i += 500) {
        await trx
          .insertInto('settlement_differences')
          .values(
            differences.slice(i, i + 500).map((d) => ({
              id: d.id,
              import_id: imp.id,
              kind: d.kind,
              line_kind: d.lineKind,
              provider_ref: d.providerRef,
              transaction_ref: d.transactionRef,
              payment_id: d.paymentId,
              refund_id: d.refundId,
              file_value: d.fileValue ? JSON.stringify(d.fileValue) : null,
              ledger_value: d.ledgerValue ? JSON.stringify(d.ledgerValue) : null,
              created_at: imp.createdAt,
            })),
          )
          .execute();
      }
      await insertAdminAudit(trx as unknown as Kysely<Database>, audit);
    });
  }

  async listImports(page: { limit: number; offset: number }) {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('settlement_imports').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
      this.db.selectFrom('settlement_imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { imports: rows.map(toImport), total: Number(count.n) };
  }

  async findImport(id: string) {
    const row = await this.db.selectFrom('settlement_imports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const diffs = await this.db.selectFrom('settlement_differences').selectAll().where('import_id', '=', id).orderBy('id').execute();
    return {
      import: toImport(row),
      differences: diffs.map(
        (d): StoredDifference => ({
          id: d.id,
          kind: d.kind,
          lineKind: d.line_kind,
          providerRef: d.provider_ref,
          transactionRef: d.transaction_ref,
          paymentId: d.payment_id,
          refundId: d.refund_id,
          fileValue: (d.file_value ?? null) as StoredDifference['fileValue'],
          ledgerValue: (d.ledger_value ?? null) as StoredDifference['ledgerValue'],
        }),
      ),
    };
  }
}
