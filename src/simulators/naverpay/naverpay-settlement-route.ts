import type { FastifyInstance } from 'fastify';
import type { SandboxState } from './naverpay-sandbox-state.ts';
import { settlementCsv, settlementSkewControl, skewedRow } from '../settlement-skew.ts';

/**
 * The sandbox's daily settlement file: one row per successful approval (`01`) or completed
 * cancel (`03` full, `04` partial) of the day (Korea time), in NaverPay's history field names,
 * with the sandbox's own fee arithmetic for settlement (totalCommissionAmount = round(amount ×
 * bps / 10,000), commissionVatAmount = round(fee / 10), default 250 bps; cancels carry no fee).
 * `settleDate` and `commissionVatAmount` are this sandbox's inventions (docs/operator-console-actions.md).
 *
 * - `GET /__sandbox/settlements/:date` (date `YYYY-MM-DD`): the CSV (UTF-8, header row).
 * - `POST /__sandbox/settlements/skew` (../settlement-skew.ts): make the file differ on purpose;
 *   keys name an approval row by paymentId, any row by payHistId (status e.g. "FAIL").
 */
const COLUMNS = [
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
];
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DEFAULT_FEE_BPS = 250;

const kst = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString();
const ymdt = (ms: number) => kst(ms).slice(0, 19).replace(/[-T:]/g, '');

export function registerSettlementRoute(app: FastifyInstance, state: SandboxState): void {
  const skewInForce = settlementSkewControl(app, DEFAULT_FEE_BPS);

  app.get('/__sandbox/settlements/:date', async (request, reply) => {
    const { date } = request.params as { date: string };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return reply.code(400).send({ code: 'InvalidParameter', message: 'date must be YYYY-MM-DD', body: null });
    const now = state.now();
    const settleDate = date.replace(/-/g, '');
    const rows: { at: number; fields: (string | number)[] }[] = [];
    const skew = skewInForce();
    const row = (at: number, f: { paymentId: string; payHistId: string; payKey: string; userKey: string; code: '01' | '03' | '04'; amount: number }) => {
      const payment = f.code === '01';
      const r = skewedRow(skew, payment ? [f.payHistId, f.paymentId] : [f.payHistId], { payment, amount: f.amount, status: 'SUCCESS' });
      if (r) rows.push({ at, fields: [settleDate, f.paymentId, f.payHistId, f.payKey, f.userKey, f.code, r.status, ymdt(at), ymdt(at), r.amount, r.fee, r.feeVat, r.settled] });
    };
    for (const p of state.store.payments.values()) {
      for (const h of p.history) {
        if (h.admissionState !== 'SUCCESS' || h.amount <= 0 || h.visibleAt > now || kst(h.at).slice(0, 10) !== date) continue;
        row(h.at, { paymentId: p.paymentId, payHistId: h.payHistId, payKey: p.merchantPayKey, userKey: p.merchantUserKey, code: h.admissionTypeCode, amount: h.amount });
      }
    }
    if (skew.phantom) {
      row(Date.parse(`${date}T12:00:00+09:00`), { paymentId: '20990101NP0000000001', payHistId: '20990101NP0000000002', payKey: 'phantom-order', userKey: 'phantom-user', code: '01', amount: 10_000 });
    }
    const text = settlementCsv(COLUMNS, rows);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="naverpay-settlement-${settleDate}.csv"`)
      .send(text);
  });
}
