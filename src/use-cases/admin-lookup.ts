import { AppError } from '../domain/errors.ts';
import type { Refund } from '../domain/payment/refund-states.ts';
import type { RefundStore } from '../domain/payment/refund-store.ts';
import type { Payment, User } from '../domain/records.ts';
import type { AdminDirectory, PaymentFilter, UserSummary } from '../domain/report-store.ts';
import type { ConsoleStore, CountedPage, UserSearchHit } from '../domain/console-store.ts';
import type { UseCaseContext } from './context.ts';
import { refundableKrw } from './refund-amounts.ts';

export interface AdminLookupDeps {
  directory: AdminDirectory;
  refunds: RefundStore;
}

export interface PaymentWithRefunds {
  payment: Payment;
  refunds: Refund[];
  refundableKrw: number;
}

/** Users found by any id (e-mail part, user, payment, provider transaction, billing key…), with how many match in all. */
export async function searchUsers(store: ConsoleStore, input: { query: string; limit: number; offset: number }): Promise<CountedPage<UserSearchHit>> {
  if (!input.query.trim()) return { rows: [], total: 0 };
  return store.searchUsers(input.query, { limit: input.limit, offset: input.offset });
}

export async function getUserSummary(deps: AdminLookupDeps, userId: string): Promise<UserSummary> {
  const s = await deps.directory.findUserSummary(userId);
  if (!s) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: userId });
  return s;
}

/** Payments (newest first) with their refunds, for operators. */
export async function listPaymentsWithRefunds(deps: AdminLookupDeps, filter: PaymentFilter): Promise<PaymentWithRefunds[]> {
  const payments = await deps.directory.listPayments(filter);
  return attachRefunds(deps, payments);
}

export async function attachRefunds(deps: AdminLookupDeps, payments: Payment[]): Promise<PaymentWithRefunds[]> {
  const refunds = await deps.refunds.listRefundsByPayments(payments.map((p) => p.id));
  const byPayment = new Map<string, Refund[]>();
  for (const r of refunds) byPayment.set(r.paymentId, [...(byPayment.get(r.paymentId) ?? []), r]);
  return payments.map((payment) => {
    const rs = byPayment.get(payment.id) ?? [];
    return { payment, refunds: rs, refundableKrw: refundableKrw(payment, rs) };
  });
}

export async function getPaymentForAdmin(ctx: UseCaseContext, deps: AdminLookupDeps, paymentId: string): Promise<PaymentWithRefunds & { user: UserSummary | null }> {
  const payment = await ctx.repo.findPayment(paymentId);
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  const [withRefunds] = await attachRefunds(deps, [payment]);
  return { ...withRefunds, user: (await deps.directory.findUserSummary(payment.userId)) ?? null };
}

/** Every payment matching `filter` (newest first), page by page, with its user, for the CSV export. */
export async function* exportPayments(
  deps: AdminLookupDeps,
  filter: Omit<PaymentFilter, 'limit' | 'before'>,
  pageSize = 1000,
): AsyncGenerator<PaymentWithRefunds & { user: User | undefined }> {
  let before: PaymentFilter['before'];
  for (;;) {
    const page = await deps.directory.listPayments({ ...filter, before, limit: pageSize });
    if (page.length === 0) return;
    const users = new Map((await deps.directory.usersByIds([...new Set(page.map((p) => p.userId))])).map((u) => [u.id, u]));
    for (const row of await attachRefunds(deps, page)) yield { ...row, user: users.get(row.payment.userId) };
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    before = { createdAt: last.createdAt, id: last.id };
  }
}
