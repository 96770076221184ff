import { csvRecords, SettlementFormatError, wonField, type SettlementFile, type SettlementFileParser, type SettlementLine } from '../../domain/payment/settlement.ts';

/**
 * NaverPay's daily settlement file, as our sandbox produces it. The per-transaction fields are
 * NaverPay's documented ones (payment history `/v2.2/list/history`: paymentId, payHistId,
 * merchantPayKey, merchantUserKey, admissionTypeCode 01/03/04, admissionState, admissionYmdt,
 * tradeConfirmYmdt "settlement basis", totalPayAmount, and settleInfo's totalCommissionAmount /
 * totalSettleAmount). `settleDate` and `commissionVatAmount` (the fee's VAT) are INFERRED:
 * NaverPay documents no file layout and no separate fee VAT. See
 * docs/operator-console-actions.md "Settlement files".
 */
export const NAVERPAY_SETTLEMENT_COLUMNS = [
  'settleDate',
  'paymentId',
  'payHistId',
  'merchantPayKey',
  'merchantUserKey',
  'admissionTypeCode',
  'admissionState',
  'admissionYmdt',
  'tradeConfirmYmdt',
  'totalPayAmount',
  'totalCommissionAmount',
  'commissionVatAmount',
  'totalSettleAmount',
] as const;

/** `20250305100000` in Korea time. */
function ymdt(v: string, lineNo: number): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v);
  if (!m) throw new SettlementFormatError(`${lineNo}행 admissionYmdt 형식이 올바르지 않습니다.`, lineNo);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+09:00`);
}

export const naverPaySettlementParser: SettlementFileParser = {
  provider: 'naverpay',
  parse(text: string): SettlementFile {
    const records = csvRecords(text, NAVERPAY_SETTLEMENT_COLUMNS);
    let date: string | null = null;
    const lines: SettlementLine[] = records.map((r) => {
      const raw = r.get('settleDate');
      const dm = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
      if (!dm) throw new SettlementFormatError(`${r.lineNo}행 settleDate 형식이 올바르지 않습니다 (YYYYMMDD).`, r.lineNo);
      const d = `${dm[1]}-${dm[2]}-${dm[3]}`;
      if (date && d !== date) throw new SettlementFormatError('한 파일에는 하루치 정산만 넣을 수 있습니다.', r.lineNo);
      date = d;
      const code = r.get('admissionTypeCode');
      if (!['01', '03', '04'].includes(code)) throw new SettlementFormatError(`${r.lineNo}행 admissionTypeCode는 01, 03, 04 중 하나여야 합니다.`, r.lineNo);
      const paymentId = r.get('paymentId');
      if (!paymentId) throw new SettlementFormatError(`${r.lineNo}행 paymentId가 없습니다.`, r.lineNo);
      const state = r.get('admissionState');
      return {
        lineNo: r.lineNo,
        kind: code === '01' ? 'payment' : 'cancel',
        providerRef: paymentId,
        transactionRef: r.get('payHistId') || null,
        orderRef: r.get('merchantPayKey') || null,
        occurredAt: ymdt(r.get('admissionYmdt'), r.lineNo),
        amountKrw: wonField(r.get('totalPayAmount'), 'totalPayAmount', r.lineNo),
        feeKrw: wonField(r.get('totalCommissionAmount'), 'totalCommissionAmount', r.lineNo),
        feeVatKrw: wonField(r.get('commissionVatAmount'), 'commissionVatAmount', r.lineNo),
        status: state === 'SUCCESS' ? 'succeeded' : 'failed',
        rawStatus: state,
      };
    });
    return { provider: 'naverpay', settlementDate: date, lines };
  },
};
