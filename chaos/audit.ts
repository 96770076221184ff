import type pg from 'pg';
import { ORPHAN_ROWS_SQL } from '../src/storage/repositories/operations-repository.ts';

/** One provider-side payment that moved money, from a sandbox's `GET /__sandbox/ledger`. */
export interface ProviderEntry {
  provider: 'kakaopay' | 'naverpay';
  ref: string;
  /** Our payment id (KakaoPay `partner_order_id`, NaverPay `merchantPayKey`). */
  orderKey: string;
  approvedKrw: number;
  canceledKrw: number;
}

export interface AuditResult {
  checkouts: number;
  renewals: number;
  refunds: number;
  /** Approved at the provider (and not cancelled back), not paid with us. */
  lost: number;
  /** A second charge for one payment or one renewal period. */
  doubled: number;
  /** A payment, refund or due renewal whose outcome is still open after reconciliation. */
  stuck: number;
  /** A paid payment whose refunds at the provider differ from our refunds. */
  refundMismatches: number;
  /** Paid with us, but no such charge (or another amount) at the provider. */
  phantom: number;
  /** Checkouts waiting for their user (nothing charged at the provider): not counted as stuck. */
  openCheckouts: number;
  /** History rows whose parent is missing (`ORPHAN_ROWS_SQL`; set by `audit`, 0 from `compareLedgers`). */
  orphans: number;
  details: string[];
}

const PAID = new Set(['approved', 'partially_refunded', 'refunded']);

export interface OurPayment {
  id: string;
  kind: string;
  status: string;
  provider: string;
  amount: number;
  refunded: number;
  billing_cycle_id: string | null;
  next_lookup_at: Date | null;
}
export interface OurRefund {
  payment_id: string;
  status: string;
  amount: number;
}
export interface OpenCycle {
  id: string;
  status: string;
  sub_status: string;
}

/** Normalises the two sandboxes' `GET /__sandbox/ledger` entries. */
export function providerEntries(kakao: any[], naver: any[]): ProviderEntry[] {
  return [
    ...kakao.map((e) => ({ provider: 'kakaopay' as const, ref: e.tid, orderKey: e.partner_order_id, approvedKrw: e.approved_krw, canceledKrw: e.canceled_krw })),
    ...naver.map((e) => ({ provider: 'naverpay' as const, ref: e.paymentId, orderKey: e.merchantPayKey, approvedKrw: e.approved_krw, canceledKrw: e.canceled_krw })),
  ];
}

/** Reads our side of the ledger and compares it with the providers' (see compareLedgers). */
export async function audit(pool: pg.Pool, kakao: any[], naver: any[]): Promise<AuditResult> {
  const payments = (
    await pool.query(
      `SELECT id, kind, status, provider, amount_krw::int AS amount, refunded_krw::int AS refunded, billing_cycle_id, next_lookup_at FROM payments`,
    )
  ).rows as OurPayment[];
  const refunds = (await pool.query(`SELECT payment_id, status, amount_krw::int AS amount FROM refunds`)).rows as OurRefund[];
  // Renewals due (period started) whose subscription still renews, not charged after reconciliation.
  const openCycles = (
    await pool.query(
      `SELECT c.id, c.status, s.status AS sub_status FROM billing_cycles c JOIN subscriptions s ON s.id = c.subscription_id
       WHERE c.status IN ('scheduled', 'retrying') AND c.period_start <= now() AND s.status IN ('active', 'past_due') AND s.auto_renew`,
    )
  ).rows as OpenCycle[];
  const result = compareLedgers(providerEntries(kakao, naver), payments, refunds, openCycles);
  for (const row of (await pool.query<{ table: string; n: number }>(ORPHAN_ROWS_SQL)).rows) {
    const n = Number(row.n);
    if (n === 0) continue;
    result.orphans += n;
    result.details.push(`orphans: ${n} ${row.table} rows without their parent`);
  }
  return result;
}

/** Compares every provider-side charge and refund with our payments and refunds. */
export function compareLedgers(entries: ProviderEntry[], payments: OurPayment[], refundRows: OurRefund[], openCycles: OpenCycle[]): AuditResult {
  const ours = new Map(payments.map((p) => [p.id, p]));
  const details: string[] = [];
  let lost = 0;
  let doubled = 0;
  let phantom = 0;
  let refundMismatches = 0;

  const byOrder = new Map<string, ProviderEntry[]>();
  for (const e of entries) byOrder.set(e.orderKey, [...(byOrder.get(e.orderKey) ?? []), e]);

  for (const [orderKey, list] of byOrder) {
    const p = ours.get(orderKey);
    const charged = list.filter((e) => e.approvedKrw - e.canceledKrw > 0);
    if (charged.length > 1) {
      doubled += charged.length - 1;
      details.push(`doubled: ${orderKey} charged ${charged.length} times at ${list[0].provider} (${charged.map((e) => e.ref).join(', ')})`);
    }
    if (charged.length > 0 && (!p || !PAID.has(p.status))) {
      lost += 1;
      details.push(`lost: ${list[0].provider} ${charged[0].ref} (${charged[0].approvedKrw - charged[0].canceledKrw}원) for ${orderKey}, ours: ${p ? p.status : 'no payment row'}`);
    }
    if (p && PAID.has(p.status)) {
      const approved = list.reduce((s, e) => s + e.approvedKrw, 0);
      const canceled = list.reduce((s, e) => s + e.canceledKrw, 0);
      // (A second charge is reported as doubled above, not again here.)
      if (charged.length <= 1 && approved !== p.amount) {
        phantom += 1;
        details.push(`amount: ${orderKey} ${p.amount}원 with us, ${approved}원 at ${p.provider}`);
      }
      const succeeded = refundRows.filter((r) => r.payment_id === orderKey && r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
      if (canceled !== p.refunded || canceled !== succeeded) {
        refundMismatches += 1;
        details.push(`refund mismatch: ${orderKey} refunded ${canceled}원 at ${p.provider}, ours refunded_krw=${p.refunded} succeeded refunds=${succeeded}`);
      }
    }
  }
  for (const p of payments) {
    if (PAID.has(p.status) && p.amount > 0 && !(byOrder.get(p.id) ?? []).some((e) => e.approvedKrw > 0)) {
      phantom += 1;
      details.push(`phantom: ${p.id} (${p.kind}) is ${p.status} with us, no charge at ${p.provider}`);
    }
  }
  // One charge per renewal period: two paid payments (or provider charges) for one billing cycle.
  const byCycle = new Map<string, Set<string>>();
  for (const p of payments) {
    if (!p.billing_cycle_id) continue;
    const charged = PAID.has(p.status) || (byOrder.get(p.id) ?? []).some((e) => e.approvedKrw - e.canceledKrw > 0);
    if (charged) byCycle.set(p.billing_cycle_id, new Set([...(byCycle.get(p.billing_cycle_id) ?? []), p.id]));
  }
  for (const [cycle, ids] of byCycle) {
    if (ids.size > 1) {
      doubled += ids.size - 1;
      details.push(`doubled: billing cycle ${cycle} charged by ${[...ids].join(', ')}`);
    }
  }

  const stuckPayments = payments.filter((p) => p.status === 'approving' || p.status === 'unknown');
  const stuckRefunds = refundRows.filter((r) => r.status === 'requested' || r.status === 'unknown');
  for (const p of stuckPayments) details.push(`stuck: payment ${p.id} (${p.kind}, ${p.provider}) ${p.status}`);
  for (const r of stuckRefunds) details.push(`stuck: refund of ${r.payment_id} ${r.status}`);
  for (const c of openCycles) details.push(`stuck: billing cycle ${c.id} ${c.status} (subscription ${c.sub_status})`);

  return {
    checkouts: payments.filter((p) => p.kind === 'checkout' && PAID.has(p.status)).length,
    renewals: payments.filter((p) => p.kind === 'renewal' && PAID.has(p.status)).length,
    refunds: refundRows.filter((r) => r.status === 'succeeded').length,
    lost,
    doubled,
    stuck: stuckPayments.length + stuckRefunds.length + openCycles.length,
    refundMismatches,
    phantom,
    openCheckouts: payments.filter((p) => p.status === 'ready' && p.next_lookup_at !== null).length,
    orphans: 0,
    details,
  };
}
