import type { FastifyInstance } from 'fastify';
import type { SandboxState } from './naverpay-sandbox-state.ts';

/**
 * `GET /__sandbox/ledger` (sandbox only, no auth): every payment that moved money, for an audit
 * against the merchant's own ledger (the chaos run, `chaos/`). One entry per approved paymentId:
 * `{paymentId, kind, merchantPayKey, merchantUserKey, recurrentId, approved_krw, canceled_krw}`;
 * `canceled_krw` counts the cancels that completed (visible or not yet in history).
 */
export function registerLedgerRoute(app: FastifyInstance, state: SandboxState): void {
  app.get('/__sandbox/ledger', async () => {
    const entries = [];
    for (const p of state.store.payments.values()) {
      if (p.approvedAt === undefined) continue;
      entries.push({
        paymentId: p.paymentId,
        kind: p.kind,
        merchantPayKey: p.merchantPayKey,
        merchantUserKey: p.merchantUserKey,
        recurrentId: p.recurrentId ?? null,
        state: p.state,
        approved_krw: p.totalPayAmount,
        canceled_krw: p.totalPayAmount - p.remaining.total,
      });
    }
    return { entries };
  });
}
