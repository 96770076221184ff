import type { AdminAuditEntry } from '../admin-audit.ts';
import type { SettlementDifference, SettlementLedger } from './settlement.ts';

/** One imported settlement file and what it added up to, against our ledger of its day. */
export interface SettlementImport {
  id: string;
  provider: string;
  settlementDate: string;
  fileName: string;
  lineCount: number;
  /** Payments minus cancels, as the file says. */
  fileAmountKrw: number;
  /** Fees plus their VAT, as the file says. */
  fileFeeKrw: number;
  /** Our payments minus our refunds of the day. */
  ledgerAmountKrw: number;
  /** The fees plus VAT we expect on our payments of the day. */
  ledgerFeeKrw: number;
  differenceCount: number;
  importedBy: string;
  createdAt: Date;
}

export interface StoredDifference extends SettlementDifference {
  id: string;
}

/** Storage of settlement imports and the reads of our ledger they are compared with. */
export interface SettlementStore {
  /**
   * Our side of a settlement day: paid payments (> 0 won) of `provider` approved in
   * [start, end), refunds of its payments that succeeded in [start, end), and any payment the
   * file names by provider ref.
   */
  ledgerForDay(provider: string, start: Date, end: Date, providerRefs: readonly string[]): Promise<SettlementLedger>;
  /** Stores the import, its differences and the audit row in one transaction. */
  saveImport(imp: SettlementImport, differences: readonly StoredDifference[], audit: AdminAuditEntry): Promise<void>;
  /** Newest first. */
  listImports(page: { limit: number; offset: number }): Promise<{ imports: SettlementImport[]; total: number }>;
  findImport(id: string): Promise<{ import: SettlementImport; differences: StoredDifference[] } | undefined>;
}
