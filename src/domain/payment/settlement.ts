import { krw } from '../money.ts';
import { providerFee } from './fees.ts';

/**
 * Settlement reconciliation (issue 14.7; docs/operator-console-actions.md "Settlement files").
 * A provider's settlement file for one day lists each transaction that moved money that day: an
 * approval (`payment`) or a cancel (`cancel`), with the amount, the provider's fee and its VAT.
 * Each provider adapter parses its own file format into `SettlementFile`; this module compares
 * it with our ledger of the same day and names each difference.
 */
export type SettlementLineKind = 'payment' | 'cancel';

export interface SettlementLine {
  /** 1-based data line number in the file (after the header). */
  lineNo: number;
  kind: SettlementLineKind;
  /** The provider's id of the payment (KakaoPay tid, NaverPay paymentId). */
  providerRef: string;
  /** The provider's id of this transaction (KakaoPay aid, NaverPay payHistId). */
  transactionRef: string | null;
  /** Our order key as the provider holds it (our payment id). */
  orderRef: string | null;
  occurredAt: Date;
  amountKrw: number;
  feeKrw: number;
  feeVatKrw: number;
  /** Normalized: the transaction went through, or the provider lists it as failed / other. */
  status: 'succeeded' | 'failed';
  /** The provider's own status word, for display. */
  rawStatus: string;
}

export interface SettlementFile {
  provider: string;
  /** Korea-time day the file settles, `YYYY-MM-DD` (null: a file without lines names no day). */
  settlementDate: string | null;
  lines: SettlementLine[];
}

/** One provider's settlement file format. Throws `SettlementFormatError` on a malformed file. */
export interface SettlementFileParser {
  provider: string;
  parse(text: string): SettlementFile;
}

export class SettlementFormatError extends Error {
  constructor(
    message: string,
    readonly lineNo: number | null = null,
  ) {
    super(message);
    this.name = 'SettlementFormatError';
  }
}

/** A payment of ours as the reconciliation sees it. */
export interface LedgerPayment {
  paymentId: string;
  providerRef: string | null;
  amountKrw: number;
  status: string;
  approvedAt: Date | null;
}

/** A succeeded refund of ours. */
export interface LedgerRefund {
  refundId: string;
  paymentId: string;
  paymentProviderRef: string | null;
  providerRefundRef: string | null;
  amountKrw: number;
  settledAt: Date;
}

export interface SettlementLedger {
  /** Our payments of more than 0 won approved (paid status) on the day, with this provider. */
  payments: LedgerPayment[];
  /** Our refunds that succeeded on the day, of this provider's payments. */
  refunds: LedgerRefund[];
  /** Any payment of ours the file names (by provider ref), whatever its day or status. */
  byProviderRef: Map<string, LedgerPayment>;
}

export const DIFFERENCE_KINDS = ['missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'fee_mismatch', 'status_mismatch'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface SettlementDifference {
  kind: DifferenceKind;
  lineKind: SettlementLineKind;
  providerRef: string | null;
  transactionRef: string | null;
  paymentId: string | null;
  refundId: string | null;
  /** What the file says (null: not in the file). */
  fileValue: { line_no: number; amount_krw: number; fee_krw: number; fee_vat_krw: number; status: string } | null;
  /** What our ledger says (null: not in the ledger). */
  ledgerValue: { amount_krw: number; fee_krw: number; fee_vat_krw: number; status: string } | null;
}

const PAID = new Set(['approved', 'partially_refunded', 'refunded']);

/**
 * Compares a settlement file with our ledger of its day. Payment lines match our payments by
 * the provider's payment id; cancel lines match our refunds by the provider's transaction id
 * (KakaoPay aid / NaverPay payHistId), else by payment id and amount. The fee we expect is
 * `providerFee` (domain/payment/fees.ts) at our configured rate; cancels carry no fee (refunds
 * do not give the fee back). Differences:
 * - missing_in_ledger: a line we have no record of (or, for a payment, no paid payment at all);
 * - missing_in_file: a payment or refund of ours the file does not list;
 * - amount_mismatch / fee_mismatch: the line's amount / fee or fee VAT differs from ours;
 * - status_mismatch: the file lists it as failed while ours is paid, or lists as paid a
 *   payment of ours that is not (declined, unknown, …).
 */
export function reconcileSettlement(file: SettlementFile, ledger: SettlementLedger, feeBps: number): SettlementDifference[] {
  const out: SettlementDifference[] = [];
  const expectFee = (amount: number) => (amount > 0 ? providerFee(krw(amount), feeBps) : { feeKrw: 0, feeVatKrw: 0 });
  const fileValue = (l: SettlementLine) => ({ line_no: l.lineNo, amount_krw: l.amountKrw, fee_krw: l.feeKrw, fee_vat_krw: l.feeVatKrw, status: l.rawStatus });

  const seenPayments = new Set<string>();
  for (const line of file.lines.filter((l) => l.kind === 'payment')) {
    const ours = ledger.byProviderRef.get(line.providerRef);
    const base = { lineKind: 'payment' as const, providerRef: line.providerRef, transactionRef: line.transactionRef, refundId: null };
    if (!ours) {
      out.push({ ...base, kind: 'missing_in_ledger', paymentId: null, fileValue: fileValue(line), ledgerValue: null });
      continue;
    }
    seenPayments.add(ours.paymentId);
    const fee = expectFee(ours.amountKrw);
    const ledgerValue = { amount_krw: ours.amountKrw, fee_krw: fee.feeKrw, fee_vat_krw: fee.feeVatKrw, status: ours.status };
    const diff = (kind: DifferenceKind) => out.push({ ...base, kind, paymentId: ours.paymentId, fileValue: fileValue(line), ledgerValue });
    if ((line.status === 'succeeded') !== PAID.has(ours.status)) diff('status_mismatch');
    if (line.amountKrw !== ours.amountKrw) diff('amount_mismatch');
    else if (line.status === 'succeeded' && (line.feeKrw !== fee.feeKrw || line.feeVatKrw !== fee.feeVatKrw)) diff('fee_mismatch');
  }
  for (const p of ledger.payments) {
    if (seenPayments.has(p.paymentId)) continue;
    const fee = expectFee(p.amountKrw);
    out.push({
      kind: 'missing_in_file',
      lineKind: 'payment',
      providerRef: p.providerRef,
      transactionRef: null,
      paymentId: p.paymentId,
      refundId: null,
      fileValue: null,
      ledgerValue: { amount_krw: p.amountKrw, fee_krw: fee.feeKrw, fee_vat_krw: fee.feeVatKrw, status: p.status },
    });
  }

  const unmatched = [...ledger.refunds];
  const take = (pred: (r: LedgerRefund) => boolean) => {
    const i = unmatched.findIndex(pred);
    return i < 0 ? undefined : unmatched.splice(i, 1)[0];
  };
  for (const line of file.lines.filter((l) => l.kind === 'cancel')) {
    const ours =
      (line.transactionRef ? take((r) => r.providerRefundRef === line.transactionRef) : undefined) ??
      take((r) => r.paymentProviderRef === line.providerRef && r.amountKrw === line.amountKrw) ??
      take((r) => r.paymentProviderRef === line.providerRef && (!line.transactionRef || r.providerRefundRef === null));
    const base = { lineKind: 'cancel' as const, providerRef: line.providerRef, transactionRef: line.transactionRef };
    if (!ours) {
      out.push({ ...base, kind: 'missing_in_ledger', paymentId: ledger.byProviderRef.get(line.providerRef)?.paymentId ?? null, refundId: null, fileValue: fileValue(line), ledgerValue: null });
      continue;
    }
    const ledgerValue = { amount_krw: ours.amountKrw, fee_krw: 0, fee_vat_krw: 0, status: 'succeeded' };
    const diff = (kind: DifferenceKind) => out.push({ ...base, kind, paymentId: ours.paymentId, refundId: ours.refundId, fileValue: fileValue(line), ledgerValue });
    if (line.status !== 'succeeded') diff('status_mismatch');
    if (line.amountKrw !== ours.amountKrw) diff('amount_mismatch');
    else if (line.feeKrw !== 0 || line.feeVatKrw !== 0) diff('fee_mismatch');
  }
  for (const r of unmatched) {
    out.push({
      kind: 'missing_in_file',
      lineKind: 'cancel',
      providerRef: r.paymentProviderRef,
      transactionRef: r.providerRefundRef,
      paymentId: r.paymentId,
      refundId: r.refundId,
      fileValue: null,
      ledgerValue: { amount_krw: r.amountKrw, fee_krw: 0, fee_vat_krw: 0, status: 'succeeded' },
    });
  }
  return out;
}

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, an optional UTF-8 BOM) into
 * rows of fields. Blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c === '\r') {
      if (text[i + 1] !== '\n') endRow();
    } else field += c;
  }
  if (quoted) throw new SettlementFormatError('닫히지 않은 따옴표가 있습니다.');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Rows of a CSV with a header as records keyed by column name; the named columns must exist. */
export function csvRecords(text: string, required: readonly string[]): { lineNo: number; get(column: string): string }[] {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new SettlementFormatError('빈 파일입니다.');
  const header = rows[0].map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new SettlementFormatError(`필수 열이 없습니다: ${missing.join(', ')}`, 0);
  const index = new Map(header.map((h, i) => [h, i]));
  return rows.slice(1).map((r, i) => ({ lineNo: i + 1, get: (c: string) => (r[index.get(c) ?? -1] ?? '').trim() }));
}

/** A whole-won amount field of a settlement file. */
export function wonField(value: string, column: string, lineNo: number): number {
  if (!/^-?\d{1,15}$/.test(value)) throw new SettlementFormatError(`${lineNo}행 ${column}: 원 단위 정수가 아닙니다 (${value.slice(0, 20)})`, lineNo);
  return Number(value);
}
