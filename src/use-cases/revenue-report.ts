import { AppError } from '../domain/errors.ts';
import { providerFee, divRoundHalfUp } from '../domain/payment/fees.ts';
import { krw } from '../domain/money.ts';
import type { MonthKey, ReportStore } from '../domain/report-store.ts';
import type { UseCaseContext } from './context.ts';

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const MAX_MONTHS = 36;

/** The written rules the report follows; returned with every report. */
export const REPORT_RULES = {
  month: 'Calendar months in Korea time (UTC+9). A payment counts in the month of its approval; a refund in the month it succeeded.',
  gross: 'gross = sum of amount_krw (VAT included) of payments of more than 0 won approved in the month (approved, partially_refunded or refunded); declined attempts and 0-won billing-key registrations are not payments.',
  vat: 'vat = sum of the VAT of those payments (vat_krw, fixed when the payment was priced).',
  refunds: 'refunds = sum of amount_krw (VAT included) of refunds that succeeded in the month, whatever the month of the payment; refunds_vat = their VAT.',
  fee: 'fee = round_half_up(amount × bps / 10000) per payment, in whole won, summed; refunds do not give fees back.',
  fee_vat: 'fee_vat = round_half_up(fee / 10) per payment (10% VAT on the provider fee).',
  net: 'net (순매출) = (gross − vat) − (refunds − refunds_vat): sales net of VAT and of refunds; provider fees are an expense, not a deduction from sales.',
  payout: 'payout = gross − refunds − fee − fee_vat: what the providers pay out.',
  subscribers: 'Paying subscribers at an instant: users with an approved or partially refunded payment whose period covers it, whose subscription had not ended by then. Month figures are taken at the month end (or now, for the current month).',
  mrr: 'MRR = sum over paying subscribers of the plan price per month (price × 30 / period_days, rounded half up; the price itself with 30-day periods).',
  failed_renewals: 'Renewal payments declined, by the month they were attempted.',
  churn: 'churn = subscriptions ended (canceled or expired) in the month / paying subscribers at the month start.',
} as const;

export interface RevenueFigures {
  payments: number;
  grossKrw: number;
  vatKrw: number;
  refundCount: number;
  refundsKrw: number;
  refundsVatKrw: number;
  feeKrw: number;
  feeVatKrw: number;
  /** 순매출: (gross − vat) − (refunds − refunds VAT). */
  netKrw: number;
  /** gross − refunds − fee − fee VAT. */
  payoutKrw: number;
}

export interface ProviderFigures extends RevenueFigures {
  provider: string;
  feeBps: number;
}

export interface PlanFigures {
  planId: string;
  planName: string;
  monthlyPriceKrw: number;
  payments: number;
  grossKrw: number;
  subscribers: number;
  mrrKrw: number;
}

export interface RevenueMonth extends RevenueFigures {
  month: MonthKey;
  startAt: Date;
  endAt: Date;
  /** The instant subscribers and MRR are measured at: the month end, or now. Null for a future month. */
  subscribersAt: Date | null;
  providers: ProviderFigures[];
  plans: PlanFigures[];
  subscribers: number;
  mrrKrw: number;
  failedRenewals: number;
  failedRenewalsKrw: number;
  churn: { activeAtStart: number; ended: number; rate: number | null };
}

export interface RevenueReport {
  from: MonthKey;
  to: MonthKey;
  generatedAt: Date;
  totals: RevenueFigures & { providers: ProviderFigures[]; failedRenewals: number; failedRenewalsKrw: number; ended: number };
  months: RevenueMonth[];
  current: { asOf: Date; subscribers: number; mrrKrw: number; plans: { planId: string; planName: string; subscribers: number; mrrKrw: number }[] };
}

export interface RevenueReportDeps {
  reports: ReportStore;
  /** Provider fee in basis points by provider id (`config.fees`). */
  feesBps: Readonly<Record<string, number>>;
}

/** A plan's price per month for MRR: price × 30 / period_days, rounded half up (0 for an unknown plan). */
export function monthlyPriceKrw(ctx: Pick<UseCaseContext, 'plans'>, planId: string): number {
  const plan = ctx.plans.find(planId);
  return plan ? divRoundHalfUp(plan.priceKrw * 30, ctx.plans.periodDays) : 0;
}

/** Start of a Korea-time month as an instant. */
export function kstMonthStart(key: MonthKey): Date {
  const [y, m] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1) - KST_OFFSET_MS);
}

export function kstMonthOf(at: Date): MonthKey {
  const d = new Date(at.getTime() + KST_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function nextMonth(key: MonthKey): MonthKey {
  const [y, m] = key.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function monthsBetween(from: MonthKey, to: MonthKey): MonthKey[] {
  const out: MonthKey[] = [];
  for (let k = from; k <= to; k = nextMonth(k)) {
    out.push(k);
    if (out.length > MAX_MONTHS) break;
  }
  return out;
}

const zero = (): RevenueFigures => ({ payments: 0, grossKrw: 0, vatKrw: 0, refundCount: 0, refundsKrw: 0, refundsVatKrw: 0, feeKrw: 0, feeVatKrw: 0, netKrw: 0, payoutKrw: 0 });

function addInto(target: RevenueFigures, f: RevenueFigures): void {
  target.payments += f.payments;
  target.grossKrw += f.grossKrw;
  target.vatKrw += f.vatKrw;
  target.refundCount += f.refundCount;
  target.refundsKrw += f.refundsKrw;
  target.refundsVatKrw += f.refundsVatKrw;
  target.feeKrw += f.feeKrw;
  target.feeVatKrw += f.feeVatKrw;
  target.netKrw += f.netKrw;
  target.payoutKrw += f.payoutKrw;
}

/**
 * Revenue, fees, refunds, subscribers, MRR, failed renewals and churn per Korea-time month
 * from `from` to `to` (inclusive, `YYYY-MM`, at most 36 months), by provider and plan, with
 * the rules in `REPORT_RULES`. Fees are computed per payment with `providerFee`.
 */
export async function revenueReport(ctx: UseCaseContext, deps: RevenueReportDeps, input: { from: MonthKey; to: MonthKey }): Promise<RevenueReport> {
  if (input.from > input.to) throw new AppError('VALIDATION_FAILED', '조회 시작 월이 종료 월보다 늦습니다.', { from: input.from, to: input.to });
  const keys = monthsBetween(input.from, input.to);
  if (keys.length > MAX_MONTHS) throw new AppError('VALIDATION_FAILED', `최대 ${MAX_MONTHS}개월까지 조회할 수 있습니다.`);
  const now = ctx.clock.now();
  const rangeStart = kstMonthStart(keys[0]);
  const rangeEnd = kstMonthStart(nextMonth(keys[keys.length - 1]));

  const [gross, refunds, failed, ended] = await Promise.all([
    deps.reports.grossGroups(rangeStart, rangeEnd),
    deps.reports.refundGroups(rangeStart, rangeEnd),
    deps.reports.failedRenewals(rangeStart, rangeEnd),
    deps.reports.endedSubscriptions(rangeStart, rangeEnd),
  ]);

  const providerIds = [...new Set([...ctx.gateways.list().map((g) => g.id), ...Object.keys(deps.feesBps), ...gross.map((g) => g.provider), ...refunds.map((r) => r.provider)])].sort();
  const bpsOf = (p: string) => deps.feesBps[p] ?? 0;
  const monthlyPrice = (planId: string) => monthlyPriceKrw(ctx, planId);
  const planName = (planId: string) => ctx.plans.find(planId)?.name ?? planId;

  // Instants: each month's start (churn base) and end (or now); future instants are skipped.
  const months = keys.map((key) => {
    const startAt = kstMonthStart(key);
    const endAt = kstMonthStart(nextMonth(key));
    return { key, startAt, endAt, at: startAt > now ? null : new Date(Math.min(endAt.getTime(), now.getTime())) };
  });
  const instants = [...new Map(months.flatMap((m) => [m.startAt, m.at]).filter((d): d is Date => d !== null && d <= now).map((d) => [d.getTime(), d])).values()];
  const counts = await deps.reports.subscribersAt(instants);
  const countsAt = (at: Date | null) => (at ? counts.filter((c) => c.at.getTime() === at.getTime()) : []);

  const totals = { ...zero(), providers: providerIds.map((provider) => ({ provider, feeBps: bpsOf(provider), ...zero() })), failedRenewals: 0, failedRenewalsKrw: 0, ended: 0 };
  const out: RevenueMonth[] = months.map((m) => {
    const providers: ProviderFigures[] = providerIds.map((provider) => ({ provider, feeBps: bpsOf(provider), ...zero() }));
    const byProvider = new Map(providers.map((p) => [p.provider, p]));
    const planRows = new Map<string, PlanFigures>();
    const planRow = (planId: string) => {
      let r = planRows.get(planId);
      if (!r) {
        r = { planId, planName: planName(planId), monthlyPriceKrw: monthlyPrice(planId), payments: 0, grossKrw: 0, subscribers: 0, mrrKrw: 0 };
        planRows.set(planId, r);
      }
      return r;
    };
    for (const p of ctx.plans.plans) if (p.priceKrw > 0) planRow(p.id);

    for (const g of gross.filter((x) => x.month === m.key)) {
      const pf = byProvider.get(g.provider)!;
      const fee = providerFee(krw(g.amountKrw), bpsOf(g.provider));
      pf.payments += g.count;
      pf.grossKrw += g.amountKrw * g.count;
      pf.vatKrw += g.vatKrw * g.count;
      pf.feeKrw += fee.feeKrw * g.count;
      pf.feeVatKrw += fee.feeVatKrw * g.count;
      const plan = planRow(g.planId);
      plan.payments += g.count;
      plan.grossKrw += g.amountKrw * g.count;
    }
    for (const r of refunds.filter((x) => x.month === m.key)) {
      const pf = byProvider.get(r.provider)!;
      pf.refundCount += r.count;
      pf.refundsKrw += r.amountKrw;
      pf.refundsVatKrw += r.vatKrw;
    }
    const figures = zero();
    for (const pf of providers) {
      pf.netKrw = pf.grossKrw - pf.vatKrw - (pf.refundsKrw - pf.refundsVatKrw);
      pf.payoutKrw = pf.grossKrw - pf.refundsKrw - pf.feeKrw - pf.feeVatKrw;
      addInto(figures, pf);
    }
    for (const c of countsAt(m.at)) {
      const plan = planRow(c.planId);
      plan.subscribers += c.count;
      plan.mrrKrw += c.count * plan.monthlyPriceKrw;
    }
    const plans = [...planRows.values()];
    const activeAtStart = m.startAt <= now ? countsAt(m.startAt).reduce((a, c) => a + c.count, 0) : 0;
    const endedCount = ended.find((e) => e.month === m.key)?.count ?? 0;
    const failedRow = failed.find((f) => f.month === m.key);

    addInto(totals, figures);
    for (const pf of providers) addInto(totals.providers.find((t) => t.provider === pf.provider)!, pf);
    totals.failedRenewals += failedRow?.count ?? 0;
    totals.failedRenewalsKrw += failedRow?.amountKrw ?? 0;
    totals.ended += endedCount;
    return {
      month: m.key,
      startAt: m.startAt,
      endAt: m.endAt,
      subscribersAt: m.at,
      ...figures,
      providers,
      plans,
      subscribers: plans.reduce((a, p) => a + p.subscribers, 0),
      mrrKrw: plans.reduce((a, p) => a + p.mrrKrw, 0),
      failedRenewals: failedRow?.count ?? 0,
      failedRenewalsKrw: failedRow?.amountKrw ?? 0,
      churn: { activeAtStart, ended: endedCount, rate: activeAtStart > 0 ? Math.round((endedCount / activeAtStart) * 10_000) / 10_000 : null },
    };
  });

  const active = await deps.reports.activeSubscriptionsByPlan(now);
  const currentPlans = active.map((a) => ({ planId: a.planId, planName: planName(a.planId), subscribers: a.count, mrrKrw: a.count * monthlyPrice(a.planId) }));
  return {
    from: keys[0],
    to: keys[keys.length - 1],
    generatedAt: now,
    totals,
    months: out,
    current: {
      asOf: now,
      subscribers: currentPlans.reduce((a, p) => a + p.subscribers, 0),
      mrrKrw: currentPlans.reduce((a, p) => a + p.mrrKrw, 0),
      plans: currentPlans,
    },
  };
}
