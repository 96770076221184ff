import { supplyOf } from '../../../domain/money.ts';
import { paymentFee } from '../../../domain/payment/fees.ts';
import { PAID_STATUSES } from '../../../domain/payment/payment-states.ts';
import type { PlanCatalog } from '../../../domain/plans.ts';
import type { User } from '../../../domain/records.ts';
import type { PaymentWithRefunds } from '../../../use-cases/admin-lookup.ts';
import { PROVIDER_NAMES } from '../../schemas/views.ts';

export const CSV_COLUMNS = [
  'payment_id',
  'user_id',
  'email',
  'provider',
  'provider_name',
  'kind',
  'plan',
  'plan_name',
  'status',
  'amount_krw',
  'supply_krw',
  'vat_krw',
  'refunded_krw',
  'net_krw',
  'fee_krw',
  'fee_vat_krw',
  'refund_count',
  'method_kind',
  'method_label',
  'provider_ref',
  'period_start',
  'period_end',
  'approved_at',
  'approved_at_kst',
  'created_at',
] as const;

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `YYYY-MM-DD HH:mm:ss` in Korea time, which Excel reads as a date. */
function kst(d: Date | null): string {
  if (!d) return '';
  return new Date(d.getTime() + KST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** NUL and lone surrogates: a NUL ends the text for many readers; a lone surrogate is not Unicode. */
const UNSAFE_CSV_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, with quotes
 * doubled. Text starting with = + - @ (or tab / CR) gets a leading apostrophe so that
 * spreadsheets do not run it as a formula; numbers are written as they are. A NUL or a lone
 * surrogate becomes U+FFFD, so no cell can cut the file short.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let s = value.replace(UNSAFE_CSV_TEXT, '\uFFFD');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The payments export: UTF-8 with a BOM (Excel), CRLF lines, a header row, then one row per payment. */
export async function* paymentsCsv(
  rows: AsyncIterable<PaymentWithRefunds & { user: User | undefined }>,
  plans: PlanCatalog,
  feesBps: Readonly<Record<string, number>>,
): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(CSV_COLUMNS)}`;
  for await (const { payment: p, refunds, user } of rows) {
    const paid = PAID_STATUSES.includes(p.status);
    const fee = paymentFee(p, feesBps);
    yield csvLine([
      p.id,
      p.userId,
      user?.email ?? '',
      p.provider,
      PROVIDER_NAMES[p.provider] ?? p.provider,
      p.kind,
      p.planId,
      plans.find(p.planId)?.name ?? p.planId,
      p.status,
      p.amountKrw,
      supplyOf(p.amountKrw, p.vatKrw),
      p.vatKrw,
      p.refundedKrw,
      paid ? p.amountKrw - p.refundedKrw : 0,
      fee.feeKrw,
      fee.feeVatKrw,
      refunds.filter((r) => r.status === 'succeeded').length,
      p.methodKind,
      p.methodLabel,
      p.providerRef,
      p.periodStart?.toISOString() ?? '',
      p.periodEnd?.toISOString() ?? '',
      p.approvedAt?.toISOString() ?? '',
      kst(p.approvedAt),
      p.createdAt.toISOString(),
    ]);
  }
}
