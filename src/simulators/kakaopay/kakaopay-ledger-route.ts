import type { FastifyInstance } from 'fastify';
import type { KakaoPayStore } from './kakaopay-store.ts';

/** Statuses in which the money was taken at some point (possibly cancelled since). */
const CHARGED = new Set(['SUCCESS_PAYMENT', 'PART_CANCEL_PAYMENT', 'CANCEL_PAYMENT']);

/**
 * `GET /__sandbox/ledger` (sandbox only, no auth): every tid that moved money, for an audit
 * against the merchant's own ledger (the chaos run, `chaos/`). One entry per tid:
 * `{tid, kind, partner_order_id, partner_user_id, sid, status, approved_krw, canceled_krw}`.
 * 0-won SID registrations (`ISSUED_SID`) and unapproved tids are left out.
 */
export function registerLedgerRoute(app: FastifyInstance, store: KakaoPayStore): void {
  app.get('/__sandbox/ledger', async () => {
    const entries = [];
    for (const p of store.payments.values()) {
      if (!CHARGED.has(p.status)) continue;
      entries.push({
        tid: p.tid,
        kind: p.kind,
        partner_order_id: p.partnerOrderId,
        partner_user_id: p.partnerUserId,
        sid: p.sid ?? null,
        status: p.status,
        approved_krw: p.amount.total,
        canceled_krw: p.canceledAmount.total,
      });
    }
    return { entries };
  });
}
