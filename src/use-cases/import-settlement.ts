import { AppError } from '../domain/errors.ts';
import { krw } from '../domain/money.ts';
import { providerFee } from '../domain/payment/fees.ts';
import { reconcileSettlement, SettlementFormatError, type SettlementFileParser } from '../domain/payment/settlement.ts';
import type { SettlementImport, SettlementStore, StoredDifference } from '../domain/payment/settlement-store.ts';
import type { UseCaseContext } from './context.ts';
import { auditEntry } from './admin-actions.ts';

export interface SettlementDeps {
  settlements: SettlementStore;
  /** One parser per provider id (providers/<p>/<p>-settlement.ts). */
  parsers: Readonly<Record<string, SettlementFileParser>>;
  /** Provider fee in basis points by provider id (`config.fees`). */
  feesBps: Readonly<Record<string, number>>;
}

export interface ImportSettlementInput {
  provider: string;
  fileName: string;
  text: string;
  /** `YYYY-MM-DD`; needed only for a file without lines (which names no day). */
  settlementDate?: string;
  actorUserId: string;
}

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/**
 * Imports one provider settlement file: parses it with the provider's parser, compares it
 * with our ledger of its Korea-time day (`reconcileSettlement`) and stores the import, each
 * difference and the audit row in one transaction. Bad files are refused with
 * VALIDATION_FAILED and nothing is stored.
 */
export async function importSettlement(ctx: UseCaseContext, deps: SettlementDeps, input: ImportSettlementInput) {
  const parser = deps.parsers[input.provider];
  if (!parser) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제사입니다: ${input.provider}`, { provider: input.provider });
  let file;
  try {
    file = parser.parse(input.text);
  } catch (err) {
    if (err instanceof SettlementFormatError) throw new AppError('VALIDATION_FAILED', `정산 파일을 읽을 수 없습니다: ${err.message}`, { field: 'content', line: err.lineNo });
    throw err;
  }
  if (file.settlementDate && input.settlementDate && file.settlementDate !== input.settlementDate) {
    throw new AppError('VALIDATION_FAILED', `파일의 정산일(${file.settlementDate})이 입력한 날짜(${input.settlementDate})와 다릅니다.`, { field: 'settlement_date' });
  }
  const date = file.settlementDate ?? input.settlementDate;
  if (!date) throw new AppError('VALIDATION_FAILED', '빈 정산 파일은 정산일을 함께 입력해 주세요.', { field: 'settlement_date' });
  const start = new Date(Date.parse(`${date}T00:00:00Z`) - KST_OFFSET_MS);
  if (Number.isNaN(start.getTime())) throw new AppError('VALIDATION_FAILED', '정산일 형식이 올바르지 않습니다.', { field: 'settlement_date' });
  const end = new Date(start.getTime() + DAY_MS);

  const bps = deps.feesBps[input.provider] ?? 0;
  const ledger = await deps.settlements.ledgerForDay(input.provider, start, end, file.lines.map((l) => l.providerRef));
  const differences = reconcileSettlement(file, ledger, bps);

  const sign = (kind: string) => (kind === 'cancel' ? -1 : 1);
  const id = ctx.ids.next('stl');
  const imp: SettlementImport = {
    id,
    provider: input.provider,
    settlementDate: date,
    fileName: input.fileName.slice(0, 200),
    lineCount: file.lines.length,
    fileAmountKrw: file.lines.reduce((a, l) => a + sign(l.kind) * l.amountKrw, 0),
    fileFeeKrw: file.lines.reduce((a, l) => a + l.feeKrw + l.feeVatKrw, 0),
    ledgerAmountKrw: ledger.payments.reduce((a, p) => a + p.amountKrw, 0) - ledger.refunds.reduce((a, r) => a + r.amountKrw, 0),
    ledgerFeeKrw: ledger.payments.reduce((a, p) => {
      const f = providerFee(krw(p.amountKrw), bps);
      return a + f.feeKrw + f.feeVatKrw;
    }, 0),
    differenceCount: differences.length,
    importedBy: input.actorUserId,
    createdAt: ctx.clock.now(),
  };
  const stored: StoredDifference[] = differences.map((d, i) => ({ ...d, id: `${id}-${String(i + 1).padStart(6, '0')}` }));
  const audit = auditEntry(ctx, { actorUserId: input.actorUserId, reason: '' }, 'settlement.import', { type: 'settlement_import', id }, null, {
    provider: imp.provider,
    settlement_date: imp.settlementDate,
    file_name: imp.fileName,
    lines: imp.lineCount,
    differences: imp.differenceCount,
  });
  await deps.settlements.saveImport(imp, stored, audit);
  return { import: imp, differences: stored };
}
