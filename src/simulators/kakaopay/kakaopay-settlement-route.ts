import type { FastifyInstance } from 'fastify';
import type { KakaoPayStore } from './kakaopay-store.ts';

/**
 * The sandbox's daily settlement file (정산 내역), one row per money movement of the day
 * (Korea time): a `PAYMENT` (approval, subscription charge) or a `CANCEL`, with the sandbox's
 * own fee arithmetic (fee = round(amount × bps / 10,000), fee_vat = round(fee / 10); cancels
 * carry no fee). KakaoPay documents no settlement file, so the layout is the sandbox's own,
 * named after the payment API's fields (docs/operator-console-actions.md "Settlement files").
 *
 * - `GET /__sandbox/settlements/:date` (date `YYYY-MM-DD`): the CSV (UTF-8, header row).
 * - `POST /__sandbox/settlements/skew`: make the file differ on purpose, to test reconciliation:
 *   `{fee_bps?, omit?: [tid|aid], amount_delta?: {tid|aid: n}, fee_delta?: {tid|aid: n},
 *   status?: {tid|aid: "FAIL_PAYMENT"}, phantom?: boolean}`. Keys name a PAYMENT row by tid, any
 *   row by aid. `phantom` adds a payment we never made. `POST /__sandbox/reset` clears it.
 */
const COLUMNS = ['settlement_date', 'cid', 'tid', 'aid', 'partner_order_id', 'partner_user_id', 'payment_action_type', 'payment_method_type', 'approved_at', 'amount', 'fee', 'fee_vat', 'settle_amount', 'status'];
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DEFAULT_FEE_BPS = 290;

interface Skew {
  feeBps: number;
  omit: Set<string>;
  amountDelta: Map<string, number>;
  feeDelta: Map<string, number>;
  status: Map<string, string>;
  phantom: boolean;
}

const fresh = (): Skew => ({ feeBps: DEFAULT_FEE_BPS, omit: new Set(), amountDelta: new Map(), feeDelta: new Map(), status: new Map(), phantom: false });
const kstDay = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
const kstTime = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19);
const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function registerSettlementRoute(app: FastifyInstance, store: KakaoPayStore): void {
  let skew = fresh();
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && request.url.split('?')[0] === '/__sandbox/reset') skew = fresh();
  });

  app.post('/__sandbox/settlements/skew', async (request) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    const next = fresh();
    if (typeof b.fee_bps === 'number') next.feeBps = b.fee_bps;
    if (Array.isArray(b.omit)) for (const k of b.omit) next.omit.add(String(k));
    for (const [k, v] of Object.entries((b.amount_delta ?? {}) as Record<string, number>)) next.amountDelta.set(k, Number(v));
    for (const [k, v] of Object.entries((b.fee_delta ?? {}) as Record<string, number>)) next.feeDelta.set(k, Number(v));
    for (const [k, v] of Object.entries((b.status ?? {}) as Record<string, string>)) next.status.set(k, String(v));
    next.phantom = b.phantom === true;
    skew = next;
    return { skew: { fee_bps: next.feeBps, omit: [...next.omit], amount_delta: Object.fromEntries(next.amountDelta), fee_delta: Object.fromEntries(next.feeDelta), status: Object.fromEntries(next.status), phantom: next.phantom } };
  });

  app.get('/__sandbox/settlements/:date', async (request, reply) => {
    const { date } = request.params as { date: string };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return reply.code(400).send({ error: 'date must be YYYY-MM-DD' });
    const rows: { at: number; fields: (string | number)[] }[] = [];
    const row = (at: number, f: { cid: string; tid: string; aid: string; order: string; user: string; type: 'PAYMENT' | 'CANCEL'; method: string; amount: number; status: string }) => {
      const keyed = (m: Map<string, number | string>) => m.get(f.aid) ?? (f.type === 'PAYMENT' ? m.get(f.tid) : undefined);
      if (skew.omit.has(f.aid) || (f.type === 'PAYMENT' && skew.omit.has(f.tid))) return;
      const amount = f.amount + Number(keyed(skew.amountDelta) ?? 0);
      const fee = (f.type === 'PAYMENT' ? Math.round((amount * skew.feeBps) / 10_000) : 0) + Number(keyed(skew.feeDelta) ?? 0);
      const feeVat = Math.round(fee / 10);
      const status = String(keyed(skew.status) ?? f.status);
      rows.push({ at, fields: [date, f.cid, f.tid, f.aid, f.order, f.user, f.type, f.method, kstTime(at), amount, fee, feeVat, f.type === 'PAYMENT' ? amount - fee - feeVat : -amount, status] });
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
    rows.sort((a, b) => a.at - b.at);
    const text = [COLUMNS, ...rows.map((r) => r.fields)].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="kakaopay-settlement-${date.replace(/-/g, '')}.csv"`)
      .send(text);
  });
}
