import type { FastifyInstance } from 'fastify';

/**
 * The part both sandboxes' settlement files share (their layouts and fields are each provider's
 * own): the control that makes a file differ on purpose, to test reconciliation, the fee
 * arithmetic (fee = round(amount × bps / 10,000), fee VAT = round(fee / 10); only payments carry
 * a fee), and the CSV text. Not wire code: no adapter sees any of it.
 *
 * `POST /__sandbox/settlements/skew` `{fee_bps?, omit?: [key], amount_delta?: {key: n},
 * fee_delta?: {key: n}, status?: {key: text}, phantom?: boolean}` replaces the skew in force;
 * `POST /__sandbox/reset` clears it. A key names a row by its own id, or a payment row by its
 * payment's id.
 */
export interface SettlementSkew {
  feeBps: number;
  omit: Set<string>;
  amountDelta: Map<string, number>;
  feeDelta: Map<string, number>;
  status: Map<string, string>;
  /** Add a payment the merchant never made. */
  phantom: boolean;
}

const fresh = (feeBps: number): SettlementSkew => ({ feeBps, omit: new Set(), amountDelta: new Map(), feeDelta: new Map(), status: new Map(), phantom: false });

/** Registers the skew control and its reset on the sandbox; returns the skew in force at each call. */
export function settlementSkewControl(app: FastifyInstance, defaultFeeBps: number): () => SettlementSkew {
  let skew = fresh(defaultFeeBps);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && request.url.split('?')[0] === '/__sandbox/reset') skew = fresh(defaultFeeBps);
  });
  app.post('/__sandbox/settlements/skew', async (request) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    const next = fresh(defaultFeeBps);
    if (typeof b.fee_bps === 'number') next.feeBps = b.fee_bps;
    if (Array.isArray(b.omit)) for (const k of b.omit) next.omit.add(String(k));
    for (const [k, v] of Object.entries((b.amount_delta ?? {}) as Record<string, number>)) next.amountDelta.set(k, Number(v));
    for (const [k, v] of Object.entries((b.fee_delta ?? {}) as Record<string, number>)) next.feeDelta.set(k, Number(v));
    for (const [k, v] of Object.entries((b.status ?? {}) as Record<string, string>)) next.status.set(k, String(v));
    next.phantom = b.phantom === true;
    skew = next;
    return {
      skew: {
        fee_bps: next.feeBps,
        omit: [...next.omit],
        amount_delta: Object.fromEntries(next.amountDelta),
        fee_delta: Object.fromEntries(next.feeDelta),
        status: Object.fromEntries(next.status),
        phantom: next.phantom,
      },
    };
  });
  return () => skew;
}

/**
 * A row's money and status under the skew, or null when the skew omits it. `keys`: the row's own
 * id, then (a payment row) its payment's id; the first key the skew names decides.
 */
export function skewedRow(
  skew: SettlementSkew,
  keys: readonly string[],
  row: { payment: boolean; amount: number; status: string },
): { amount: number; fee: number; feeVat: number; settled: number; status: string } | null {
  if (keys.some((k) => skew.omit.has(k))) return null;
  const keyed = <V>(m: Map<string, V>): V | undefined => {
    for (const k of keys) if (m.has(k)) return m.get(k);
    return undefined;
  };
  const amount = row.amount + (keyed(skew.amountDelta) ?? 0);
  const fee = (row.payment ? Math.round((amount * skew.feeBps) / 10_000) : 0) + (keyed(skew.feeDelta) ?? 0);
  const feeVat = Math.round(fee / 10);
  return { amount, fee, feeVat, settled: row.payment ? amount - fee - feeVat : -amount, status: keyed(skew.status) ?? row.status };
}

const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The file's text: the header, then the rows in time order; CRLF line ends (RFC 4180). */
export function settlementCsv(columns: readonly string[], rows: { at: number; fields: (string | number)[] }[]): string {
  const sorted = [...rows].sort((a, b) => a.at - b.at);
  return [columns, ...sorted.map((r) => r.fields)].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
