import type { FastifyInstance } from 'fastify';
import type { SandboxState } from './naverpay-sandbox-state.ts';

/**
 * The sandbox's daily settlement file: one row per successful approval (`01`) or completed
 * cancel (`03` full, `04` partial) of the day (Korea time), in NaverPay's history field names,
 * with the sandbox's own fee arithmetic for settlement (totalCommissionAmount = round(amount ×
 * bps / 10,000), commissionVatAmount = round(fee / 10), default 250 bps; cancels carry no fee).
 * `settleDate` and `commissionVatAmount` are this sandbox's inventions (docs/operator-console-actions.md).
 *
 * - `GET /__sandbox/settlements/:date` (date `YYYY-MM-DD`): the CSV (UTF-8, header row).
 * - `POST /__sandbox/settlements/skew`: make the file differ on purpose:
 *   `{fee_bps?, omit?: [paymentId|payHistId], amount_delta?: {key: n}, fee_delta?: {key: n},
 *   status?: {key: "FAIL"}, phantom?: boolean}`. Keys name an approval row by paymentId, any row
 *   by payHistId. `POST /__sandbox/reset` clears it.
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

interface Skew {
  feeBps: number;
  omit: Set<string>;
  amountDelta: Map<string, number>;
  feeDelta: Map<string, number>;
  status: Map<string, string>;
  phantom: boolean;
}

const fresh = (): Skew => ({ feeBps: DEFAULT_FEE_BPS, omit: new Set(), amountDelta: new Map(), feeDelta: new Map(), status: new Map(), phantom: false });
const kst = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString();
const ymdt = (ms: number) => kst(ms).slice(0, 19).replace(/[-T:]/g, '');
const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function registerSettlementRoute(app: FastifyInstance, state: SandboxState): void {
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
    return { skew: { fee_bps: next.feeBps, omit: [...next.omit], phantom: next.phantom } };
  });

  app.get('/__sandbox/settlements/:date', async (request, reply) => {
    const { date } = request.params as { date: string };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return reply.code(400).send({ code: 'InvalidParameter', message: 'date must be YYYY-MM-DD', body: null });
    const now = state.now();
    const settleDate = date.replace(/-/g, '');
    const rows: { at: number; fields: (string | number)[] }[] = [];
    const row = (at: number, f: { paymentId: string; payHistId: string; payKey: string; userKey: string; code: '01' | '03' | '04'; amount: number }) => {
      const keyed = (m: Map<string, number | string>) => m.get(f.payHistId) ?? (f.code === '01' ? m.get(f.paymentId) : undefined);
      if (skew.omit.has(f.payHistId) || (f.code === '01' && skew.omit.has(f.paymentId))) return;
      const amount = f.amount + Number(keyed(skew.amountDelta) ?? 0);
      const fee = (f.code === '01' ? Math.round((amount * skew.feeBps) / 10_000) : 0) + Number(keyed(skew.feeDelta) ?? 0);
      const feeVat = Math.round(fee / 10);
      const admissionState = String(keyed(skew.status) ?? 'SUCCESS');
      rows.push({
        at,
        fields: [settleDate, f.paymentId, f.payHistId, f.payKey, f.userKey, f.code, admissionState, ymdt(at), ymdt(at), amount, fee, feeVat, f.code === '01' ? amount - fee - feeVat : -amount],
      });
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
    rows.sort((a, b) => a.at - b.at);
    const text = [COLUMNS, ...rows.map((r) => r.fields)].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="naverpay-settlement-${settleDate}.csv"`)
      .send(text);
  });
}
