import { AppError, ProviderDeclinedError, ProviderError, ProviderUnavailableError } from '../domain/errors.ts';
import { krw, type Krw } from '../domain/money.ts';
import { REFUNDABLE_STATUSES } from '../domain/payment/payment-states.ts';
import { refundVat, type RefundPolicy } from '../domain/payment/refund-policy.ts';
import type { Refund, RefundKind } from '../domain/payment/refund-states.ts';
import type { UsageStore } from '../domain/payment/refund-store.ts';
import type { RefundRepository, RefundUnitOfWork } from '../domain/repositories.ts';
import type { Payment } from '../domain/records.ts';
import type { PaymentGateway, RefundResult } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';
import type { KeyedSerializer } from './keyed-serializer.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';
import { applyRefundToCoverage } from './refund-coverage.ts';
import { enqueueNotice } from './enqueue-notice.ts';
import { planName, providerName } from './renewal-transitions.ts';

/** What refund use cases need besides the common context; built in composition.ts. */
export interface RefundDeps {
  refunds: RefundRepository;
  usage: UsageStore;
  /** One provider cancel per payment at a time (in this process). */
  serializer: KeyedSerializer;
  settings: {
    /** How `cancel-now` refunds unused days (`REFUND_POLICY`). */
    policy: RefundPolicy;
    /** 청약철회 window after approval, in days (`WITHDRAWAL_DAYS`, 7). */
    withdrawalDays: number;
    /**
     * A refund the provider has not processed, by lookup, is declared failed only this
     * long after it was requested (a cancel may still be queued at the provider before).
     */
    unknownGraceMs: number;
  };
}

export interface RefundPaymentInput {
  paymentId: string;
  /** Omitted: everything still refundable (a full refund). */
  amountKrw?: number;
  reason: string;
  kind: RefundKind;
  /** User id of whoever asks (operator or subscriber). */
  requestedBy: string;
  /** When set, only this user's payment is found (others get PAYMENT_NOT_FOUND). */
  ownerId?: string;
  /** Runs in the reservation's transaction (an operator's refund writes its audit row here). */
  onReserved?: (tx: RefundUnitOfWork, payment: Payment, refund: Refund) => Promise<void>;
}

export interface RefundPaymentResult {
  refund: Refund;
  payment: Payment;
  /** `unknown`: the provider's answer was lost; reconcile with `syncRefund`. */
  outcome: 'succeeded' | 'unknown';
}

function notFound(): AppError {
  return new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
}

function gatewayOf(ctx: UseCaseContext, payment: Payment): PaymentGateway {
  const g = ctx.gateways.get(payment.provider);
  if (!g) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  return g;
}

const sumKrw = (rs: readonly Refund[]) => krw(rs.reduce((a, r) => a + r.amountKrw, 0));
const sumVat = (rs: readonly Refund[]) => krw(rs.reduce((a, r) => a + r.vatKrw, 0));
const pendingOf = (rs: readonly Refund[]) => rs.filter((r) => r.status === 'requested' || r.status === 'unknown');

/** What is left to refund on a payment, counting refunds still in flight as spent. */
export function refundableKrw(payment: Payment, refunds: readonly Refund[]): Krw {
  if (!REFUNDABLE_STATUSES.includes(payment.status)) return krw(0);
  return krw(Math.max(0, payment.amountKrw - payment.refundedKrw - sumKrw(pendingOf(refunds))));
}

/**
 * Refunds a payment, fully or partly, through the provider's cancel API.
 *
 * 1. Reserve: one transaction locks the payment row (`FOR UPDATE`), checks
 *    refunded + in-flight refunds + amount ≤ paid, and inserts the refund `requested`.
 *    Concurrent requests therefore never reserve more than was paid.
 * 2. Commit, then call the provider (idempotency key `refund-<refundId>`); calls for one
 *    payment are serialized in this process.
 * 3. Settle in one transaction: refund `succeeded`, payment `refunded_krw` += amount and
 *    approved → partially_refunded → refunded. A full refund takes back what the payment
 *    paid for in the same transaction (`applyRefundToCoverage`: the remaining payments'
 *    periods, the subscription's end and plan, the renewal calendar).
 *
 * A declined / unreachable provider marks the refund `failed` (reservation released) and
 * throws. A timeout marks it `unknown`; a lookup then settles it, never a blind retry.
 * Throws PAYMENT_NOT_FOUND, NOT_REFUNDABLE, REFUND_EXCEEDS_REMAINING, PAYMENT_IN_PROGRESS
 * (an earlier refund's outcome is still unknown) and provider errors (see `toAppError`).
 */
export async function refundPayment(ctx: UseCaseContext, deps: RefundDeps, input: RefundPaymentInput): Promise<RefundPaymentResult> {
  const existing = await ctx.repo.findPayment(input.paymentId);
  if (!existing || (input.ownerId !== undefined && existing.userId !== input.ownerId)) throw notFound();
  await settleUnknownRefunds(ctx, deps, existing.id);
  const refund = await reserveRefund(ctx, deps, input);
  return executeRefund(ctx, deps, refund);
}

/** Step 1: reserve the amount and insert the refund row, in one transaction. */
export async function reserveRefund(ctx: UseCaseContext, deps: RefundDeps, input: RefundPaymentInput): Promise<Refund> {
  const reason = input.reason.trim();
  if (!reason) throw new AppError('VALIDATION_FAILED', '환불 사유를 입력해 주세요.', { field: 'reason' });
  if (input.amountKrw !== undefined && (!Number.isSafeInteger(input.amountKrw) || input.amountKrw <= 0)) {
    throw new AppError('VALIDATION_FAILED', '환불 금액은 1원 이상의 정수여야 합니다.', { field: 'amount_krw' });
  }
  return deps.refunds.transaction(async (tx) => {
    const payment = await tx.billing.findPaymentForUpdate(input.paymentId);
    if (!payment || (input.ownerId !== undefined && payment.userId !== input.ownerId)) throw notFound();
    const amountKrw = await checkRefundable(ctx, tx, payment, input.amountKrw);
    const refund = await insertReservedRefund(ctx, tx, payment, { ...input, reason, amountKrw });
    await input.onReserved?.(tx, payment, refund);
    return refund;
  });
}

/**
 * Checks that `requested` (or everything left) may be refunded now, with the payment row
 * locked by the caller; returns the amount to reserve.
 */
export async function checkRefundable(ctx: UseCaseContext, tx: RefundUnitOfWork, payment: Payment, requested: number | undefined): Promise<Krw> {
  if (!REFUNDABLE_STATUSES.includes(payment.status) || !payment.providerRef) {
    throw new AppError('NOT_REFUNDABLE', payment.status === 'refunded' ? '이미 전액 환불된 결제입니다.' : '환불할 수 없는 결제입니다.', {
      payment_id: payment.id,
      status: payment.status,
    });
  }
  const gateway = gatewayOf(ctx, payment);
  const refunds = await tx.refunds.listRefundsByPayment(payment.id);
  if (refunds.some((r) => r.status === 'unknown')) {
    throw new AppError('PAYMENT_IN_PROGRESS', '이전 환불의 결과를 결제사에 확인하고 있습니다. 잠시 후 다시 시도해 주세요.', {
      payment_id: payment.id,
    });
  }
  const left = refundableKrw(payment, refunds);
  const amount = requested ?? left;
  if (amount <= 0 || amount > left) {
    throw new AppError('REFUND_EXCEEDS_REMAINING', `환불 가능 금액(${left.toLocaleString('ko-KR')}원)을 초과했습니다.`, {
      payment_id: payment.id,
      requested_krw: requested ?? null,
      refundable_krw: left,
      refunded_krw: payment.refundedKrw,
      pending_krw: sumKrw(pendingOf(refunds)),
    });
  }
  if (amount < payment.amountKrw - payment.refundedKrw && !gateway.capabilities.partialRefund) {
    throw new AppError('NOT_REFUNDABLE', '이 결제 수단은 부분 환불을 지원하지 않습니다.', { payment_id: payment.id, provider: payment.provider });
  }
  return krw(amount);
}

/** Inserts a `requested` refund with its provisional VAT (computed again before the call). */
export async function insertReservedRefund(
  ctx: UseCaseContext,
  tx: RefundUnitOfWork,
  payment: Payment,
  r: { amountKrw: Krw; reason: string; kind: RefundKind; requestedBy: string },
): Promise<Refund> {
  const refunds = await tx.refunds.listRefundsByPayment(payment.id);
  const held = refunds.filter((x) => x.status !== 'failed');
  const vatKrw = refundVat({
    amountKrw: r.amountKrw,
    refundableBeforeKrw: krw(payment.amountKrw - sumKrw(held)),
    paymentVatKrw: payment.vatKrw,
    vatRefundedKrw: sumVat(held),
  });
  const now = ctx.clock.now();
  const refund = await tx.refunds.insertRefund({
    id: ctx.ids.next('ref'),
    paymentId: payment.id,
    kind: r.kind,
    amountKrw: r.amountKrw,
    vatKrw,
    reason: r.reason.slice(0, 500),
    requestedBy: r.requestedBy,
    createdAt: now,
  });
  await tx.billing.addPaymentEvent(payment.id, {
    type: 'refund_requested',
    from: payment.status,
    to: payment.status,
    data: { refund_id: refund.id, amount_krw: refund.amountKrw, kind: refund.kind, requested_by: refund.requestedBy },
    at: now,
  });
  return refund;
}

/** Steps 2 and 3 for a reserved refund, one provider call per payment at a time. */
export async function executeRefund(ctx: UseCaseContext, deps: RefundDeps, reserved: Refund): Promise<RefundPaymentResult> {
  return deps.serializer.run(reserved.paymentId, async () => {
    const refund = (await deps.refunds.findRefund(reserved.id))!;
    const payment = (await ctx.repo.findPayment(refund.paymentId))!;
    if (refund.status !== 'requested') return resultOf(refund, payment);

    const all = await deps.refunds.listRefundsByPayment(payment.id);
    for (const other of all.filter((r) => r.status === 'unknown')) await syncRefundLocked(ctx, deps, other.id);
    const fresh = (await ctx.repo.findPayment(payment.id))!;
    const others = await deps.refunds.listRefundsByPayment(payment.id);
    if (others.some((r) => r.status === 'unknown')) {
      // What the provider has left is uncertain: do not send a cancel on a guess.
      await markFailed(ctx, deps, refund, 'PAYMENT_IN_PROGRESS', 'an earlier refund is unknown');
      throw new AppError('PAYMENT_IN_PROGRESS', '이전 환불의 결과를 결제사에 확인하고 있습니다. 잠시 후 다시 시도해 주세요.', { payment_id: payment.id });
    }
    const refundableBefore = krw(fresh.amountKrw - fresh.refundedKrw);
    if (refund.amountKrw > refundableBefore) {
      await markFailed(ctx, deps, refund, 'REFUND_EXCEEDS_REMAINING', 'exceeds what is left');
      throw new AppError('REFUND_EXCEEDS_REMAINING', '환불 가능 금액을 초과했습니다.', { payment_id: payment.id, refundable_krw: refundableBefore });
    }
    const vatKrw = refundVat({
      amountKrw: refund.amountKrw,
      refundableBeforeKrw: refundableBefore,
      paymentVatKrw: fresh.vatKrw,
      vatRefundedKrw: sumVat(others.filter((r) => r.status === 'succeeded')),
    });
    if (vatKrw !== refund.vatKrw) await deps.refunds.setRequestedRefundVat(refund.id, vatKrw, ctx.clock.now());

    let result: RefundResult;
    try {
      result = await gatewayOf(ctx, fresh).refund({
        paymentId: fresh.id,
        providerRef: fresh.providerRef!,
        amountKrw: refund.amountKrw,
        vatKrw,
        refundableBeforeKrw: refundableBefore,
        reason: refund.reason,
        idempotencyKey: `refund-${refund.id}`,
      });
    } catch (err) {
      return handleRefundFailure(ctx, deps, { ...refund, vatKrw }, err);
    }
    if (result.amountKrw !== refund.amountKrw) {
      // The provider refunded another amount than asked: keep it unknown for an operator.
      ctx.logger.error({ refund_id: refund.id, requested_krw: refund.amountKrw, reported_krw: result.amountKrw }, 'provider refunded a different amount');
      const u = await markUnknown(ctx, deps, refund, 'AMOUNT_MISMATCH', `provider reported ${result.amountKrw}`);
      return resultOf(u, fresh);
    }
    return settleRefundSucceeded(ctx, deps, refund.id, 'requested', result.providerRefundRef, result.raw);
  });
}

async function handleRefundFailure(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, err: unknown): Promise<RefundPaymentResult> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ProviderUnavailableError && err.outcomeUnknown) {
    await markUnknown(ctx, deps, refund, failureCodeOf(err), message);
    const synced = await syncRefundLocked(ctx, deps, refund.id);
    return resultOf(synced.refund, synced.payment);
  }
  if (err instanceof ProviderDeclinedError || err instanceof ProviderError) {
    // Declined, or never processed (connection refused, maintenance, bad request): nothing moved.
    await markFailed(ctx, deps, refund, failureCodeOf(err), message);
    throw toAppError(err);
  }
  // Our own failure after the reservation: we cannot tell whether the call went out.
  await markUnknown(ctx, deps, refund, failureCodeOf(err), message);
  throw err;
}

async function markFailed(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, code: string, message: string): Promise<Refund> {
  const now = ctx.clock.now();
  const r = await deps.refunds.transitionRefund(refund.id, refund.status, 'failed', now, {
    failureCode: code,
    failureMessage: message.slice(0, 500),
    settledAt: now,
  });
  await ctx.repo.addPaymentEvent(refund.paymentId, { type: 'refund_failed', from: null, to: null, data: { refund_id: refund.id, code }, at: now });
  return r ?? (await deps.refunds.findRefund(refund.id))!;
}

async function markUnknown(ctx: UseCaseContext, deps: RefundDeps, refund: Refund, code: string, message: string): Promise<Refund> {
  const now = ctx.clock.now();
  const r = await deps.refunds.transitionRefund(refund.id, 'requested', 'unknown', now, { failureCode: code, failureMessage: message.slice(0, 500) });
  await ctx.repo.addPaymentEvent(refund.paymentId, { type: 'refund_unknown', from: null, to: null, data: { refund_id: refund.id, code }, at: now });
  ctx.logger.warn({ refund_id: refund.id, payment_id: refund.paymentId, code }, 'refund outcome unknown');
  return r ?? (await deps.refunds.findRefund(refund.id))!;
}

function resultOf(refund: Refund, payment: Payment): RefundPaymentResult {
  if (refund.status === 'failed') {
    throw new AppError('PROVIDER_DECLINED', '환불이 처리되지 않았습니다.', { refund_id: refund.id, code: refund.failureCode });
  }
  return { refund, payment, outcome: refund.status === 'succeeded' ? 'succeeded' : 'unknown' };
}

/**
 * Records a refund the provider made: refund `succeeded`, payment total and status, and
 * (when nothing is left) what the payment paid for (`applyRefundToCoverage`), in one
 * transaction. Idempotent.
 */
export async function settleRefundSucceeded(
  ctx: UseCaseContext,
  deps: RefundDeps,
  refundId: string,
  from: 'requested' | 'unknown',
  providerRefundRef: string | null,
  raw: unknown,
): Promise<RefundPaymentResult> {
  return deps.refunds.transaction(async (tx) => {
    const current = (await tx.refunds.findRefund(refundId))!;
    // Lock order as in every settlement: the subscription row, then payment rows. A full refund
    // may rewrite the periods of the subscription's other payments (applyRefundToCoverage), so
    // two refunds of one subscription settle one after the other instead of deadlocking.
    const owner = (await tx.billing.findPayment(current.paymentId))!;
    await tx.billing.findSubscriptionByUserForUpdate(owner.userId);
    const payment = (await tx.billing.findPaymentForUpdate(current.paymentId))!;
    const now = ctx.clock.now();
    const refund = await tx.refunds.transitionRefund(refundId, from, 'succeeded', now, {
      providerRefundRef,
      settledAt: now,
      failureCode: null,
      failureMessage: null,
    });
    if (!refund) return resultOf((await tx.refunds.findRefund(refundId))!, payment);
    const refunded = krw(payment.refundedKrw + refund.amountKrw);
    if (refunded > payment.amountKrw) throw new Error(`refund ${refundId} would exceed payment ${payment.id}`);
    const to = refunded === payment.amountKrw ? 'refunded' : 'partially_refunded';
    const updated = await tx.billing.transitionPayment(
      payment.id,
      payment.status,
      to,
      now,
      { refundedKrw: refunded },
      { type: 'refund_succeeded', data: { refund_id: refund.id, amount_krw: refund.amountKrw, vat_krw: refund.vatKrw, provider: raw } },
    );
    if (!updated) throw new Error(`payment ${payment.id} changed while locked`);
    if (to === 'refunded') await applyRefundToCoverage(ctx, tx.billing, updated, refund, now);
    const common = { planName: planName(ctx, payment.planId), amountKrw: refund.amountKrw, paymentId: payment.id, providerName: providerName(payment.provider) };
    await enqueueNotice(
      ctx,
      tx.billing,
      refund.kind === 'withdrawal'
        ? { kind: 'withdrawal_completed', userId: payment.userId, subscriptionId: payment.subscriptionId, data: common, dedupeKey: `refund:${refund.id}` }
        : {
            kind: 'refund_completed',
            userId: payment.userId,
            subscriptionId: payment.subscriptionId,
            data: { ...common, reason: refund.reason },
            dedupeKey: `refund:${refund.id}`,
          },
      now,
    );
    return { refund, payment: updated, outcome: 'succeeded' as const };
  });
}

export interface SyncRefundResult {
  refund: Refund;
  payment: Payment;
  /** False when the provider could not be asked or its answer does not fit; the refund stays as it was. */
  reconciled: boolean;
}

/**
 * Settles a refund whose outcome is unknown by asking the provider what is left to refund
 * (never by sending the cancel again): left = ours − amount → succeeded; left = ours →
 * not processed, failed once `unknownGraceMs` has passed since the request; anything else
 * stays unknown for an operator. A `requested` refund older than the grace period (its
 * process died mid-call) is settled the same way.
 */
export async function syncRefund(ctx: UseCaseContext, deps: RefundDeps, refundId: string): Promise<SyncRefundResult> {
  const refund = await deps.refunds.findRefund(refundId);
  if (!refund) throw new AppError('NOT_FOUND', '환불을 찾을 수 없습니다.', { refund_id: refundId });
  return deps.serializer.run(refund.paymentId, () => syncRefundLocked(ctx, deps, refundId, true));
}

/** Settles every unknown refund of a payment, before a new refund is reserved. */
async function settleUnknownRefunds(ctx: UseCaseContext, deps: RefundDeps, paymentId: string): Promise<void> {
  const refunds = await deps.refunds.listRefundsByPayment(paymentId);
  if (!refunds.some((r) => r.status === 'unknown')) return;
  await deps.serializer.run(paymentId, async () => {
    for (const r of refunds.filter((x) => x.status === 'unknown')) await syncRefundLocked(ctx, deps, r.id);
  });
}

async function syncRefundLocked(ctx: UseCaseContext, deps: RefundDeps, refundId: string, includeStaleRequested = false): Promise<SyncRefundResult> {
  const refund = (await deps.refunds.findRefund(refundId))!;
  const payment = (await ctx.repo.findPayment(refund.paymentId))!;
  const now = ctx.clock.now();
  const pastGrace = now.getTime() - refund.createdAt.getTime() >= deps.settings.unknownGraceMs;
  if (refund.status === 'succeeded' || refund.status === 'failed') return { refund, payment, reconciled: true };
  if (refund.status === 'requested' && !(includeStaleRequested && pastGrace)) return { refund, payment, reconciled: false };

  let left: Krw;
  try {
    left = (await gatewayOf(ctx, payment).getPayment({ paymentId: payment.id, providerRef: payment.providerRef })).refundableKrw;
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    ctx.logger.warn({ refund_id: refund.id, code: failureCodeOf(err) }, 'refund lookup failed');
    return { refund, payment, reconciled: false };
  }
  const ours = payment.amountKrw - payment.refundedKrw;
  if (left === ours - refund.amountKrw) {
    const r = await settleRefundSucceeded(ctx, deps, refund.id, refund.status, null, { lookup_refundable_krw: left });
    return { refund: r.refund, payment: r.payment, reconciled: true };
  }
  if (left === ours && pastGrace) {
    const r = await markFailed(ctx, deps, refund, 'NOT_PROCESSED', `provider still has ${left} to refund`);
    return { refund: r, payment, reconciled: true };
  }
  if (left !== ours) {
    ctx.logger.error({ refund_id: refund.id, provider_refundable_krw: left, our_refundable_krw: ours, amount_krw: refund.amountKrw }, 'refund lookup does not match; operator needed');
  }
  return { refund, payment, reconciled: false };
}

/**
 * Reconciliation sweep for a periodic task: settles refunds left `unknown`, or `requested`
 * past the grace period (a process died mid-call), oldest first. Returns how many were settled.
 */
export async function syncStaleRefunds(ctx: UseCaseContext, deps: RefundDeps, limit = 50): Promise<number> {
  const stale = await deps.refunds.listUnsettledRefunds(new Date(ctx.clock.now().getTime() - 60_000), limit);
  let settled = 0;
  for (const r of stale) {
    const res = await syncRefund(ctx, deps, r.id);
    if (res.reconciled && (res.refund.status === 'succeeded' || res.refund.status === 'failed')) settled++;
  }
  return settled;
}
