import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv, reconcileSettlement, SettlementFormatError, type SettlementFile, type SettlementLedger } from './settlement.ts';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF and LF, a BOM, and skips blank lines', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\nlast,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['last', ''],
    ]);
    expect(() => parseCsv('a,"open\n')).toThrow(SettlementFormatError);
  });

  it('refuses a file without the required columns', () => {
    expect(() => csvRecords('a,b\n1,2\n', ['a', 'tid'])).toThrow(/tid/);
  });
});

describe('reconcileSettlement', () => {
  const line = (over: Partial<SettlementFile['lines'][number]>) => ({
    lineNo: 1, kind: 'payment' as const, providerRef: 'T1', transactionRef: 'A1', orderRef: 'pay_1', occurredAt: new Date(0),
    amountKrw: 29000, feeKrw: 841, feeVatKrw: 84, status: 'succeeded' as const, rawStatus: 'SUCCESS_PAYMENT', ...over,
  });
  const ledger = (): SettlementLedger => {
    const p = { paymentId: 'pay_1', providerRef: 'T1', amountKrw: 29000, status: 'approved', approvedAt: new Date(0) };
    return { payments: [p], refunds: [], byProviderRef: new Map([['T1', p]]) };
  };
  const file = (lines: SettlementFile['lines']): SettlementFile => ({ provider: 'kakaopay', settlementDate: '2025-03-05', lines });

  it('a payment whose amount and fee (29,000원 at 290 bps: 841 + 84) agree is no difference', () => {
    expect(reconcileSettlement(file([line({})]), ledger(), 290)).toEqual([]);
  });

  it('names each kind of difference', () => {
    const kinds = (l: SettlementFile['lines'], lg = ledger()) => reconcileSettlement(file(l), lg, 290).map((d) => d.kind);
    expect(kinds([line({ feeKrw: 842 })])).toEqual(['fee_mismatch']);
    expect(kinds([line({ feeVatKrw: 85 })])).toEqual(['fee_mismatch']);
    expect(kinds([line({ amountKrw: 29100 })])).toEqual(['amount_mismatch']);
    expect(kinds([line({ status: 'failed', rawStatus: 'FAIL_PAYMENT' })])).toEqual(['status_mismatch']);
    expect(kinds([])).toEqual(['missing_in_file']);
    expect(kinds([line({}), line({ providerRef: 'T9' })])).toEqual(['missing_in_ledger']);
    expect(kinds([line({ kind: 'cancel', transactionRef: 'A2', amountKrw: 1000, feeKrw: 0, feeVatKrw: 0 }), line({})])).toEqual(['missing_in_ledger']);
  });
});
