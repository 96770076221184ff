import type { AccountingStore } from '../domain/accounting-store.ts';
import type { MonthKey } from '../domain/report-store.ts';
import type { UseCaseContext } from './context.ts';
import { kstMonthStart, monthlyPriceKrw, nextMonth, revenueReport, type RevenueReport, type RevenueReportDeps } from './revenue-report.ts';

/** The written rules of the MRR movements and the dunning recovery rate; returned with the report. */
export const ACCOUNTING_RULES = {
  mrr_movements:
    'Per Korea-time month, each user’s MRR at the month start is compared with the month end (or now): new = paying at the end, not at the start, and never paid before the month; reactivation = the same but paid before; expansion / contraction = paying at both with a higher / lower MRR; churn = paying at the start, not at the end. start + new + expansion − contraction − churn + reactivation = end.',
  recovery:
    'Dunning recovery: renewal cycles whose first declined attempt fell in the month; recovered = those later paid by a renewal charge of the same cycle (up to now). rate = recovered / failed.',
} as const;

export interface MrrMovementMonth {
  month: MonthKey;
  startMrrKrw: number;
  endMrrKrw: number;
  newKrw: number;
  expansionKrw: number;
  contractionKrw: number;
  churnKrw: number;
  reactivationKrw: number;
  counts: { new: number; expansion: number; contraction: number; churn: number; reactivation: number };
}

export interface RecoveryMonth {
  month: MonthKey;
  failedCycles: number;
  failedKrw: number;
  recoveredCycles: number;
  recoveredKrw: number;
  /** recovered / failed, 4 decimals; null without failures. */
  rate: number | null;
}

export interface AccountingReport {
  revenue: RevenueReport;
  movements: MrrMovementMonth[];
  recovery: RecoveryMonth[];
}

export interface AccountingReportDeps extends RevenueReportDeps {
  accounting: AccountingStore;
}

/**
 * The revenue report (net of VAT, refunds by the month they happened, fees per provider) with
 * MRR movements and the dunning recovery rate per month (`ACCOUNTING_RULES`).
 */
export async function accountingReport(ctx: UseCaseContext, deps: AccountingReportDeps, input: { from: MonthKey; to: MonthKey }): Promise<AccountingReport> {
  const revenue = await revenueReport(ctx, deps, input);
  const now = ctx.clock.now();
  const months = revenue.months.filter((m) => m.startAt <= now);
  const instants = [...new Map(months.flatMap((m) => [m.startAt, m.subscribersAt!]).map((d) => [d.getTime(), d])).values()];
  const paying = await deps.accounting.payingUsersAt(instants);
  const firstPaid = await deps.accounting.firstPaidStarts([...new Set(paying.map((p) => p.userId))]);
  const mrrAt = (at: Date) => new Map(paying.filter((p) => p.at.getTime() === at.getTime()).map((p) => [p.userId, monthlyPriceKrw(ctx, p.planId)]));

  const movements = months.map((m): MrrMovementMonth => {
    const start = mrrAt(m.startAt);
    const end = mrrAt(m.subscribersAt!);
    const out: MrrMovementMonth = {
      month: m.month,
      startMrrKrw: [...start.values()].reduce((a, b) => a + b, 0),
      endMrrKrw: [...end.values()].reduce((a, b) => a + b, 0),
      newKrw: 0,
      expansionKrw: 0,
      contractionKrw: 0,
      churnKrw: 0,
      reactivationKrw: 0,
      counts: { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0 },
    };
    for (const [user, mrr] of end) {
      const before = start.get(user);
      if (before === undefined) {
        const first = firstPaid.get(user);
        if (first && first < m.startAt) {
          out.reactivationKrw += mrr;
          out.counts.reactivation++;
        } else {
          out.newKrw += mrr;
          out.counts.new++;
        }
      } else if (mrr > before) {
        out.expansionKrw += mrr - before;
        out.counts.expansion++;
      } else if (mrr < before) {
        out.contractionKrw += before - mrr;
        out.counts.contraction++;
      }
    }
    for (const [user, mrr] of start) {
      if (!end.has(user)) {
        out.churnKrw += mrr;
        out.counts.churn++;
      }
    }
    return out;
  });

  const rangeStart = kstMonthStart(revenue.from);
  const rangeEnd = kstMonthStart(nextMonth(revenue.to));
  const dunning = await deps.accounting.dunning(rangeStart, rangeEnd);
  const recovery = revenue.months.map((m): RecoveryMonth => {
    const d = dunning.find((x) => x.month === m.month);
    const failedCycles = d?.failedCycles ?? 0;
    const recoveredCycles = d?.recoveredCycles ?? 0;
    return {
      month: m.month,
      failedCycles,
      failedKrw: d?.failedKrw ?? 0,
      recoveredCycles,
      recoveredKrw: d?.recoveredKrw ?? 0,
      rate: failedCycles > 0 ? Math.round((recoveredCycles / failedCycles) * 10_000) / 10_000 : null,
    };
  });
  return { revenue, movements, recovery };
}
