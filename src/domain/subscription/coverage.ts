/**
 * What each payment of a subscription pays for, and what follows from it after a refund: the
 * covered period of every remaining payment, the subscription's period end and its plan.
 * Written rules (also in docs/refunds-and-admin-api.md, "Covered periods"):
 *
 * 1. A period payment (checkout or renewal) covers its own period [start, end) with its plan.
 *    The period payments of one run of a subscription form a chain laid end to end (a renewal
 *    or a prepaid extension starts where the previous period ends).
 * 2. An upgrade payment covers [upgrade instant, period end at that instant) and pays only the
 *    price difference from the plan it upgraded from to its plan: it never covers time alone.
 * 3. A fully refunded payment covers nothing. When a period payment is refunded in full, the
 *    period payments after it in its chain move earlier by its length (same length, same
 *    order): the chain has no hole, so a later, prepaid payment now pays for the period that
 *    is running and has started. When that chain is the subscription's current one, the
 *    subscription's end moves back by the same length; if it is then not after now, the
 *    subscription ends now. Upgrade payments keep their span. Partial refunds change nothing.
 * 4. The plan in force at instant t is paid for: rate(t) = the price of the plan of the period
 *    payment covering t + for every non-refunded upgrade payment covering t, price(its plan) −
 *    price(the plan it upgraded from). The plan is the highest-ranked plan whose price is at
 *    most rate(t), never above the highest plan a payment covering t bought. No period
 *    payment covering t: no plan (nothing is paid for t).
 *
 * Example (rule 4): standard 29,000 → premium upgrade → pro upgrade; refunding the premium
 * upgrade leaves 29,000 + (99,000 − 59,000) = 69,000 per period: premium (59,000), not pro.
 */

/** One paid payment of a subscription, as far as coverage is concerned. */
export interface CoveragePayment {
  id: string;
  /** `period`: checkout or renewal; `upgrade`: a prorated plan-change charge. */
  kind: 'period' | 'upgrade';
  /** The plan it pays for (an upgrade: the plan upgraded to). */
  planId: string;
  /** Upgrade: the plan it upgraded from; null for a period payment. */
  fromPlanId: string | null;
  start: Date;
  end: Date;
  /** Fully refunded: it pays for nothing any more. */
  refunded: boolean;
}

/** A plan of the catalog (price per period, VAT included). */
export interface CoveragePlan {
  id: string;
  rank: number;
  priceKrw: number;
}

/** A period payment's new covered period. */
export interface PeriodMove {
  id: string;
  start: Date;
  end: Date;
}

export interface RelayResult {
  /** Period payments that move earlier (rule 3), in chain order. */
  moves: PeriodMove[];
  /** Where the refunded payment's chain ended before the refund. */
  chainEnd: Date;
  /** How far the chain's later payments and its end move back, ms. */
  shiftMs: number;
}

/**
 * Rule 3 for the payment `refundedId` (refunded in full now): the period payments after it in
 * its chain, moved earlier by its length. Null for an upgrade payment (nothing moves).
 */
export function relayAfterRefund(payments: readonly CoveragePayment[], refundedId: string): RelayResult | null {
  const refunded = payments.find((p) => p.id === refundedId);
  if (!refunded || refunded.kind !== 'period') return null;
  const shiftMs = refunded.end.getTime() - refunded.start.getTime();
  const rest = payments.filter((p) => p.kind === 'period' && !p.refunded && p.id !== refundedId);
  const moves: PeriodMove[] = [];
  let cursor = refunded.end.getTime();
  for (;;) {
    const i = rest.findIndex((p) => p.start.getTime() === cursor);
    if (i < 0) break;
    const [next] = rest.splice(i, 1);
    moves.push({ id: next.id, start: new Date(next.start.getTime() - shiftMs), end: new Date(next.end.getTime() - shiftMs) });
    cursor = next.end.getTime();
  }
  return { moves, chainEnd: new Date(cursor), shiftMs };
}

/** Rule 4: the plan in force at `at`, or null when no period payment covers it. */
export function planAt(payments: readonly CoveragePayment[], at: Date, plans: readonly CoveragePlan[]): string | null {
  const t = at.getTime();
  const covering = payments.filter((p) => !p.refunded && p.start.getTime() <= t && t < p.end.getTime());
  const periods = covering.filter((p) => p.kind === 'period');
  if (periods.length === 0) return null;
  const find = (id: string | null) => (id === null ? undefined : plans.find((p) => p.id === id));
  let base: CoveragePlan | undefined;
  for (const p of periods) {
    const plan = find(p.planId);
    if (plan && (!base || plan.rank > base.rank)) base = plan;
  }
  // A plan no longer in the catalog cannot be priced: the period payment's own plan stands.
  if (!base) return periods[0].planId;
  let rate = base.priceKrw;
  let cap = base.rank;
  for (const u of covering) {
    if (u.kind !== 'upgrade') continue;
    const to = find(u.planId);
    const from = find(u.fromPlanId);
    if (!to || !from) continue;
    rate += Math.max(0, to.priceKrw - from.priceKrw);
    cap = Math.max(cap, to.rank);
  }
  let best = base;
  for (const p of plans) if (p.rank <= cap && p.priceKrw <= rate && p.rank > best.rank) best = p;
  return best.id;
}

export interface CoverageAfterRefundInput {
  /** The subscription's paid payments, the one being refunded included (not yet marked). */
  payments: readonly CoveragePayment[];
  refundedId: string;
  /** The subscription's current period end. */
  periodEnd: Date;
  now: Date;
  plans: readonly CoveragePlan[];
}

export interface CoverageAfterRefund {
  /** Period payments whose covered period moves (rule 3). */
  moves: PeriodMove[];
  /** The subscription's period end after the refund. */
  periodEnd: Date;
  /** A period was taken back and nothing is paid for now any more: the subscription ends now. */
  ended: boolean;
  /**
   * The plan in force now (rule 4; in the grace period after the end: at the end's last
   * instant); null when ended or when no period payment covers that instant.
   */
  planId: string | null;
  /** The payments after the refund (moved, the refunded one marked). */
  payments: CoveragePayment[];
}

/** Applies rules 3 and 4 to the full refund of `refundedId`. */
export function coverageAfterRefund(input: CoverageAfterRefundInput): CoverageAfterRefund {
  const relay = relayAfterRefund(input.payments, input.refundedId);
  const moves = relay?.moves ?? [];
  const moved = new Map(moves.map((m) => [m.id, m]));
  const payments = input.payments.map((p) => {
    const m = moved.get(p.id);
    return { ...p, ...(m ? { start: m.start, end: m.end } : {}), refunded: p.refunded || p.id === input.refundedId };
  });
  const current = relay !== null && relay.chainEnd.getTime() === input.periodEnd.getTime();
  const periodEnd = current ? new Date(input.periodEnd.getTime() - relay.shiftMs) : input.periodEnd;
  // Only taking back a period ends anything; an upgrade refund in the grace period (past_due,
  // end already passed) changes the plan of the last period, which the grace period extends.
  const ended = relay !== null && periodEnd.getTime() <= input.now.getTime();
  const at = new Date(Math.min(input.now.getTime(), periodEnd.getTime() - 1));
  return { moves, periodEnd, ended, planId: ended ? null : planAt(payments, at, input.plans), payments };
}
