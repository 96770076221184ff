import type { AccountingStore } from '../domain/accounting-store.ts';
import { krw, supplyOf } from '../domain/money.ts';
import { providerFee } from '../domain/payment/fees.ts';
import type { MonthKey } from '../domain/report-store.ts';
import type { UseCaseContext } from './context.ts';
import { kstMonthOf, kstMonthStart, nextMonth, revenueReport, type RevenueReportDeps } from './revenue-report.ts';

/** One export as a table: a header row and its rows (numbers are whole won). */
export interface ExportTable {
  name: string;
  columns: readonly string[];
  rows: AsyncIterable<(string | number | null)[]>;
}

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `YYYY-MM-DD HH:mm:ss` in Korea time. */
export function kstDateTime(d: Date | null): string | null {
  return d ? new Date(d.getTime() + KST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ') : null;
}

export interface ExportDeps extends RevenueReportDeps {
  accounting: AccountingStore;
}

function range(from: MonthKey, to: MonthKey) {
  return { start: kstMonthStart(from), end: kstMonthStart(nextMonth(to)) };
}

/**
 * Payments for the books: every payment of more than 0 won approved in the months (declined
 * attempts and 0-won registrations are not payments), dated by approval, with supply, VAT and
 * the provider fee (domain/payment/fees.ts), and the provider's approval number (승인번호, for
 * matching card statements). Refunds are not netted here: they are rows of
 * their own (`refundsExport`) in the month they happened.
 */
export function paymentsExport(deps: ExportDeps, months: { from: MonthKey; to: MonthKey }): ExportTable {
  const { start, end } = range(months.from, months.to);
  return {
    name: '결제',
    columns: ['payment_id', 'approved_at_kst', 'month', 'provider', 'provider_ref', '승인번호', 'user_id', 'kind', 'plan', 'status', 'amount_krw', 'supply_krw', 'vat_krw', 'fee_krw', 'fee_vat_krw', 'refunded_krw'],
    rows: (async function* () {
      for await (const p of deps.accounting.paidPayments(start, end)) {
        const fee = providerFee(krw(p.amountKrw), deps.feesBps[p.provider] ?? 0);
        yield [p.id, kstDateTime(p.approvedAt), kstMonthOf(p.approvedAt), p.provider, p.providerRef, p.approvalNo, p.userId, p.kind, p.planId, p.status, p.amountKrw, supplyOf(p.amountKrw, p.vatKrw), p.vatKrw, fee.feeKrw, fee.feeVatKrw, p.refundedKrw];
      }
    })(),
  };
}

/** Refunds as dated rows: each succeeded refund in the month it succeeded (it reduces that VAT period). */
export function refundsExport(deps: ExportDeps, months: { from: MonthKey; to: MonthKey }): ExportTable {
  const { start, end } = range(months.from, months.to);
  return {
    name: '환불',
    columns: ['refund_id', 'refunded_at_kst', 'month', 'payment_id', 'payment_approved_at_kst', 'provider', 'provider_ref', 'provider_refund_ref', 'user_id', 'kind', 'amount_krw', 'supply_krw', 'vat_krw', 'reason'],
    rows: (async function* () {
      for await (const r of deps.accounting.settledRefunds(start, end)) {
        yield [r.id, kstDateTime(r.settledAt), kstMonthOf(r.settledAt), r.paymentId, kstDateTime(r.paymentApprovedAt), r.provider, r.providerRef, r.providerRefundRef, r.userId, r.kind, r.amountKrw, supplyOf(r.amountKrw, r.vatKrw), r.vatKrw, r.reason];
      }
    })(),
  };
}

/** The monthly settlement summary: per month and provider, the revenue report's figures. */
export async function settlementSummaryExport(ctx: UseCaseContext, deps: ExportDeps, months: { from: MonthKey; to: MonthKey }): Promise<ExportTable> {
  const report = await revenueReport(ctx, deps, months);
  const rows: (string | number | null)[][] = [];
  for (const m of report.months) {
    for (const p of m.providers) {
      rows.push([m.month, p.provider, p.feeBps, p.payments, p.grossKrw, p.vatKrw, supplyOf(p.grossKrw, p.vatKrw), p.refundCount, p.refundsKrw, p.refundsVatKrw, p.netKrw, p.feeKrw, p.feeVatKrw, p.payoutKrw]);
    }
  }
  return {
    name: '월별 정산 요약',
    columns: ['month', 'provider', 'fee_bps', 'payments', 'gross_krw', 'vat_krw', 'supply_krw', 'refund_count', 'refunds_krw', 'refunds_vat_krw', 'net_krw', 'fee_krw', 'fee_vat_krw', 'payout_krw'],
    rows: (async function* () {
      yield* rows;
    })(),
  };
}
