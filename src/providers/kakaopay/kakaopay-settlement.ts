import { csvRecords, SettlementFormatError, wonField, type SettlementFile, type SettlementFileParser, type SettlementLine } from '../../domain/payment/settlement.ts';

/**
 * KakaoPay's daily settlement file (정산 내역), as our sandbox produces it. KakaoPay publishes
 * no settlement API for online payments; the partner admin offers the settlement list as a
 * download. The columns below are therefore INFERRED: named after the payment API's own
 * vocabulary (tid, aid, partner_order_id, payment_action_type, approved_at as in
 * `payment/order`'s payment_action_details), plus fee columns. See
 * docs/operator-console-actions.md "Settlement files" for what is confirmed and what is not.
 */
export const KAKAOPAY_SETTLEMENT_COLUMNS = [
  'settlement_date',
  'cid',
  'tid',
  'aid',
  'partner_order_id',
  'partner_user_id',
  'payment_action_type',
  'payment_method_type',
  'approved_at',
  'amount',
  'fee',
  'fee_vat',
  'settle_amount',
  'status',
] as const;

const SUCCEEDED = new Set(['SUCCESS_PAYMENT', 'CANCEL_PAYMENT', 'PART_CANCEL_PAYMENT']);

/** `2025-03-05T10:00:00` in Korea time (KakaoPay's timestamps carry no offset). */
function kstTime(v: string, lineNo: number): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)) throw new SettlementFormatError(`${lineNo}행 approved_at 형식이 올바르지 않습니다.`, lineNo);
  return new Date(`${v}+09:00`);
}

export const kakaoPaySettlementParser: SettlementFileParser = {
  provider: 'kakaopay',
  parse(text: string): SettlementFile {
    const records = csvRecords(text, KAKAOPAY_SETTLEMENT_COLUMNS);
    let date: string | null = null;
    const lines: SettlementLine[] = records.map((r) => {
      const d = r.get('settlement_date');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new SettlementFormatError(`${r.lineNo}행 settlement_date 형식이 올바르지 않습니다.`, r.lineNo);
      if (date && d !== date) throw new SettlementFormatError('한 파일에는 하루치 정산만 넣을 수 있습니다.', r.lineNo);
      date = d;
      const type = r.get('payment_action_type');
      if (type !== 'PAYMENT' && type !== 'CANCEL') throw new SettlementFormatError(`${r.lineNo}행 payment_action_type은 PAYMENT 또는 CANCEL이어야 합니다.`, r.lineNo);
      const tid = r.get('tid');
      if (!tid) throw new SettlementFormatError(`${r.lineNo}행 tid가 없습니다.`, r.lineNo);
      const status = r.get('status');
      return {
        lineNo: r.lineNo,
        kind: type === 'PAYMENT' ? 'payment' : 'cancel',
        providerRef: tid,
        transactionRef: r.get('aid') || null,
        orderRef: r.get('partner_order_id') || null,
        occurredAt: kstTime(r.get('approved_at'), r.lineNo),
        amountKrw: wonField(r.get('amount'), 'amount', r.lineNo),
        feeKrw: wonField(r.get('fee'), 'fee', r.lineNo),
        feeVatKrw: wonField(r.get('fee_vat'), 'fee_vat', r.lineNo),
        status: SUCCEEDED.has(status) ? 'succeeded' : 'failed',
        rawStatus: status,
      };
    });
    return { provider: 'kakaopay', settlementDate: date, lines };
  },
};
