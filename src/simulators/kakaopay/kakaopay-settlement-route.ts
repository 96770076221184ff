import type { FastifyInstance } from 'fastify';
import type { KakaoPayStore } from './kakaopay-store.ts';
import { settlementCsv, settlementSkewControl, skewedRow } from '../settlement-skew.ts';

/**
 * The sandbox's daily settlement file (정산 내역), one row per money movement of the day
 * (Korea time): a `PAYMENT` (approval, subscription charge) or a `CANCEL`, with the sandbox's
 * own fee arithmetic (fee = round(amount × bps / 10,000), fee_vat = round(fee / 10); cancels
 * carry no fee). KakaoPay documents no settlement file, so the layout is the sandbox's own,
 * named after the payment API's fields (docs/operator-console-actions.md "Settlement files").
 *
 * - `GET /__sandbox/settlements/:date` (date `YYYY-MM-DD`): the CSV (UTF-8, header row).
 * - `POST /__sandbox/settlements/skew` (../settlement-skew.ts): make the file differ on purpose;
 *   keys name a PAYMENT row by tid, any row by aid (status e.g. "FAIL_PAYMENT").
 */
const COLUMNS = ['settlement_date', 'cid', 'tid', 'aid', 'partner_order_id', 'partner_user_id', 'payment_action_type', 'payment_method_type', 'approved_at', 'amount', 'fee', 'fee_vat', 'settle_amount', 'status'];
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DEFAULT_FEE_BPS = 290;

const kstDay = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
const kstTime = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19);

export function registerSettlementRoute(app: FastifyInstance, store: KakaoPayStore): void {
  const skewInForce = settlementSkewControl(app, DEFAULT_FEE_BPS);

  app.get('/__sandbox/settlements/:date', async (request, reply) => {
    const { date } = request.params as { date: string };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return reply.code(400).send({ error: 'date must be YYYY-MM-DD' });
    const rows: { at: number; fields: (string | number)[] }[] = [];
    const skew = skewInForce();
    const row = (at: number, f: { cid: string; tid: string; aid: string; order: string; user: string; type: 'PAYMENT' | 'CANCEL'; method: string; amount: number; status: string }) => {
      const payment = f.type === 'PAYMENT';
      const r = skewedRow(skew, payment ? [f.aid, f.tid] : [f.aid], { payment, amount: f.amount, status: f.status });
      if (r) rows.push({ at, fields: [date, f.cid, f.tid, f.aid, f.order, f.user, f.type, f.method, kstTime(at), r.amount, r.fee, r.feeVat, r.settled, r.status] });
    };
    for (const p of store.payments.values()) {
      for (const a of p.actions) {
        if ((a.type !== 'PAYMENT' && a.type !== 'CANCEL') || a.amount <= 0 || kstDay(a.approvedAtMs) !== date) continue;
        const full = a.type === 'CANCEL' && a.amount === p.amount.total;
        row(a.approvedAtMs, {
          cid: p.cid,
          tid: p.tid,
          aid: a.aid,
          order: p.partnerOrderId,
          user: p.partnerUserId,
          type: a.type,
          method: a.paymentMethodType,
          amount: a.amount,
          status: a.type === 'PAYMENT' ? 'SUCCESS_PAYMENT' : full ? 'CANCEL_PAYMENT' : 'PART_CANCEL_PAYMENT',
        });
      }
    }
    if (skew.phantom) {
      const at = Date.parse(`${date}T12:00:00+09:00`);
      row(at, { cid: 'TC0ONETIME', tid: 'T_PHANTOM_0000000001', aid: 'A_PHANTOM_0000000001', order: 'phantom-order', user: 'phantom-user', type: 'PAYMENT', method: 'CARD', amount: 10_000, status: 'SUCCESS_PAYMENT' });
    }
    const text = settlementCsv(COLUMNS, rows);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="kakaopay-settlement-${date.replace(/-/g, '')}.csv"`)
      .send(text);
  });
}
