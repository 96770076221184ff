import { AppError, ProviderDeclinedError, ProviderError, ProviderUnavailableError } from '../domain/errors.ts';
import { PAID_STATUSES } from '../domain/payment/payment-states.ts';
import { APPROVING_CLAIM_MS, claimLapsed, lookupAfterClaim } from '../domain/payment/payment-lookup.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { PaymentGateway, PaymentResult } from '../domain/ports.ts';
import type { PaymentKind } from '../domain/payment/payment-states.ts';
import type { UseCaseContext } from './context.ts';
import { failureCodeOf, toAppError } from './provider-errors.ts';
import { checkoutConflict, rejectAmountMismatch, settleApprovedWithSubscription } from './settle-payment.ts';
import { planChangeMismatch } from '../domain/subscription/subscription-periods.ts';
import { refusalError, refuseBeforeApproval, type RefusalCode } from './refuse-approval.ts';
import { syncPayment } from './sync-payment.ts';
import { confirmCheckoutExit } from './confirm-checkout-exit.ts';

export interface ApproveCheckoutInput {
  userId: string;
  method: string;
  /** Our payment id, when the caller has it (our return URL always carries it). */
  paymentId?: string;
  /** What the provider gave the browser (return URL query or the approve body). */
  params: Record<string, string | undefined>;
  /** Set by our return URL for cancel_url / fail_url. */
  outcome?: 'cancel' | 'fail';
}

export interface ApproveCheckoutResult {
  payment: Payment;
  /** approved: paid; canceled/failed: the user did not pay; pending: outcome unknown, being reconciled. */
  outcome: 'approved' | 'canceled' | 'failed' | 'pending';
  /** The subscription as this approval's settlement wrote it (absent: it wrote none; read it). */
  subscription?: Subscription;
}

function resultOf(payment: Payment): ApproveCheckoutResult {
  if (PAID_STATUSES.includes(payment.status)) return { payment, outcome: 'approved' };
  if (payment.status === 'abandoned') return { payment, outcome: 'canceled' };
  if (payment.status === 'declined') return { payment, outcome: 'failed' };
  return { payment, outcome: 'pending' };
}

/**
 * Approves a checkout the user authorized at the provider. Only the user who
 * started the payment may approve it. Exactly one caller claims the approval
 * (compare-and-set ready → approving); concurrent and repeated calls wait for
 * that one and get the same answer. The amount the provider reports must equal
 * the amount we asked for. A timeout leaves the payment `unknown` and asks the
 * provider, never guessing.
 *
 * An upgrade priced for a period or plan the subscription has left, or a checkout for
 * another plan than the running one, is refused (PLAN_CHANGE_STALE,
 * SUBSCRIPTION_STATE_CONFLICT): before the approval it is abandoned and never approved at
 * the provider; if the subscription changes during the approval, settlement cancels it at
 * the provider (docs/checkout-rules.md).
 */
export async function approveCheckout(ctx: UseCaseContext, input: ApproveCheckoutInput): Promise<ApproveCheckoutResult> {
  const gateway = ctx.gateways.get(input.method);
  if (!gateway) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${input.method}`, { method: input.method });

  const decoded =
    input.outcome === 'cancel'
      ? ({ outcome: 'canceled', reason: 'user_cancel' } as const)
      : input.outcome === 'fail'
        ? ({ outcome: 'failed', reason: 'provider_fail' } as const)
        : gateway.parseReturn(input.params);
  const ref = decoded.outcome === 'authorized' ? decoded.providerRef : null;

  // The payment and its user's subscription (for the checks before the claim), in one read.
  // With the browser's reference, also which payment holds it (`approvalRef`'s check), in the same read.
  let found: Awaited<ReturnType<typeof ctx.repo.findPaymentWithSubscription>>;
  if (input.paymentId) found = await ctx.repo.findPaymentWithSubscription({ id: input.paymentId }, ref ?? undefined);
  else if (ref) found = await ctx.repo.findPaymentWithSubscription({ provider: gateway.id, ref }, ref);
  else throw new AppError('VALIDATION_FAILED', '결제 식별자가 필요합니다.', { required: ['payment_id'] });
  let payment = found?.payment;
  // Read with the payment; read again if the payment is read again (after a sync or a wait).
  let subscription: Subscription | null | undefined = found?.subscription;

  if (!payment || payment.provider !== gateway.id) throw new AppError('PAYMENT_NOT_FOUND', '결제를 찾을 수 없습니다.');
  if (payment.userId !== input.userId) {
    throw new AppError('FORBIDDEN', '본인이 시작한 결제만 승인할 수 있습니다.', { payment_id: payment.id });
  }
  // Renewals (and any other kind the worker charges) are never approved or closed from the browser.
  if (!BROWSER_KINDS.includes(payment.kind)) {
    throw new AppError('PAYMENT_NOT_APPROVABLE', '브라우저에서 승인할 수 있는 결제가 아닙니다.', { payment_id: payment.id, kind: payment.kind });
  }

  const now = () => ctx.clock.now();
  // A cancel / fail return only closes the payment when the provider agrees.
  if (decoded.outcome !== 'authorized') return resultOf(await confirmCheckoutExit(ctx, gateway, payment, decoded));
  const providerRef = await approvalRef(ctx, gateway, payment, ref, found?.refOwnerId);

  if (payment.status === 'unknown') {
    const synced = await syncPayment(ctx, payment.id);
    if (synced.payment.status !== 'ready') return resultOf(synced.payment);
    payment = synced.payment;
    subscription = undefined;
  }
  if (payment.status === 'approving') {
    const held = claimLapsed(payment.nextLookupAt, now()) ? payment : await waitForSettle(ctx, payment.id);
    if (held.status !== 'approving' || !claimLapsed(held.nextLookupAt, now())) return resultOf(held);
    // The request that claimed the approval is gone (a live one renews its claim): ask the
    // provider now rather than leave the user waiting for the worker. Never approves twice:
    // the sync only reads, and a checkout the provider has not approved goes back to ready.
    const synced = await syncPayment(ctx, payment.id);
    if (synced.payment.status !== 'ready') return resultOf(synced.payment);
    payment = synced.payment;
    subscription = undefined;
  }
  if (payment.status !== 'ready') {
    if (payment.status === 'declined' || payment.status === 'abandoned') {
      throw new AppError('PAYMENT_NOT_APPROVABLE', '이미 종료된 결제입니다. 다시 결제해 주세요.', {
        payment_id: payment.id,
        status: payment.status,
      });
    }
    return resultOf(payment);
  }

  // Never ask the provider to approve what settlement would refuse (settlement checks again, locked).
  const refusal = await refusalBeforeApproval(ctx, payment, subscription);
  if (refusal) throw await refuseBeforeApproval(ctx, payment, refusal.code, refusal.details);
  const claimedAt = now();
  const claimed = await ctx.repo.transitionPayment(payment.id, 'ready', 'approving', claimedAt, {
    ...(providerRef !== payment.checkoutRef && providerRef !== payment.providerRef ? { providerRef } : {}),
    // From here on the approval may reach the provider: keep the payment reconcilable until
    // the provider's answer is final, whatever happens to this request (issue 9 item 14).
    nextLookupAt: lookupAfterClaim(claimedAt),
  });
  if (!claimed) return resultOf(await waitForSettle(ctx, payment.id));

  let result: PaymentResult;
  // Renew the claim's lease while the provider call runs (best effort: a lapsed lease only lets
  // a lookup run early, which reads and never approves).
  const renewal = setInterval(() => {
    const at = now();
    void ctx.repo.reschedulePaymentLookup(payment.id, 'approving', at, lookupAfterClaim(at), claimed.lookupAttempts).catch(() => undefined);
  }, APPROVING_CLAIM_MS / 3);
  try {
    result = await gateway.approveCheckout({
      paymentId: payment.id,
      userRef: payment.userId,
      providerRef,
      approvalToken: decoded.approvalToken,
      amountKrw: payment.amountKrw,
      recurring: payment.recurring,
      idempotencyKey: approvalKey(payment, claimedAt),
    });
  } catch (err) {
    clearInterval(renewal);
    return handleApproveFailure(ctx, claimed, err);
  }
  clearInterval(renewal);
  if (result.amountKrw !== payment.amountKrw || (result.orderRef !== null && result.orderRef !== payment.id)) {
    await rejectAmountMismatch(ctx, claimed, 'approving', result);
  }
  // The subscription read with the payment, if not read again since: settlement checks its version instead of reading it locked.
  const read = subscription && found?.subscriptionVersion ? { subscription, version: found.subscriptionVersion } : undefined;
  const settled = await settleApprovedWithSubscription(ctx, payment.id, 'approving', result, claimed, read);
  const refused = refusalError(settled.payment);
  if (refused) throw refused;
  return { ...resultOf(settled.payment), ...(settled.subscription ? { subscription: settled.subscription } : {}) };
}

/**
 * The idempotency key of one approval attempt. The first attempt uses `approve-<id>`. After an
 * attempt that failed (the payment carries its failure code), a new attempt gets a key of its own:
 * NaverPay replays a stored failure for a reused key (spec §2.6), so a retry after maintenance
 * would never reach it. A second approval of an approved payment is refused by both providers
 * (already approved), which the failure handling turns into a lookup, so a fresh key cannot
 * charge twice. A registration keeps one key: its steps are single-use per return token.
 */
function approvalKey(payment: Payment, claimedAt: Date): string {
  const base = `approve-${payment.id}`;
  return payment.failureCode !== null && !payment.recurring ? `${base}-${claimedAt.getTime().toString(36)}` : base;
}

/** The payments a user starts in the browser; only these are approved (or closed) through a return. */
const BROWSER_KINDS: readonly PaymentKind[] = ['checkout', 'upgrade', 'registration'];

/**
 * The provider reference the approval must use. Where the provider gave one at ready (KakaoPay's
 * tid), it is that one, whatever the browser sends; where the provider assigns it when the user
 * authorizes (NaverPay's paymentId), the browser's, bound to the payment by the first approval
 * and required to match from then on. A reference bound to another of our payments is refused.
 */
async function approvalRef(
  ctx: UseCaseContext,
  gateway: PaymentGateway,
  payment: Payment,
  ref: string | null,
  /** The id of the payment holding `ref`, when read with the payment (null: none; undefined: read it). */
  refOwnerId?: string | null,
): Promise<string> {
  const mismatch = () => new AppError('PAYMENT_NOT_FOUND', '결제 정보가 일치하지 않습니다.', { payment_id: payment.id });
  const mode = payment.recurring ? gateway.capabilities.returnRef.recurring : gateway.capabilities.returnRef.onetime;
  if (mode === 'prepared') {
    // No checkout was prepared for it (an upgrade charged on the billing key): nothing to approve.
    if (!payment.checkoutRef) throw new AppError('PAYMENT_NOT_APPROVABLE', '브라우저에서 승인할 수 있는 결제가 아닙니다.', { payment_id: payment.id });
    if (ref && ref !== payment.checkoutRef) throw mismatch();
    return payment.checkoutRef;
  }
  if (payment.providerRef) {
    if (ref && ref !== payment.providerRef) throw mismatch();
    return payment.providerRef;
  }
  if (!ref) throw new AppError('VALIDATION_FAILED', '결제사 결제 번호가 없습니다.', { payment_id: payment.id });
  const ownerId = refOwnerId !== undefined ? refOwnerId : ((await ctx.repo.findPaymentByRef(gateway.id, ref))?.id ?? null);
  if (ownerId !== null && ownerId !== payment.id) throw mismatch();
  return ref;
}

/**
 * The same checks settlement makes (docs/checkout-rules.md), before the approval: an upgrade
 * must still fit the period and plan it priced, whichever provider pays it; a checkout must
 * not buy another plan than the one running.
 */
async function refusalBeforeApproval(
  ctx: UseCaseContext,
  payment: Payment,
  /** The user's subscription if already read with the payment (null: none); undefined: read it. */
  known: Subscription | null | undefined,
): Promise<{ code: RefusalCode; details: Record<string, unknown> } | null> {
  if (payment.kind !== 'upgrade' && payment.kind !== 'checkout') return null;
  const sub = known === undefined ? await ctx.repo.findSubscriptionByUser(payment.userId) : (known ?? undefined);
  const now = ctx.clock.now();
  if (payment.kind === 'checkout') {
    const conflict = checkoutConflict(sub, payment.planId, now);
    return conflict ? { code: 'SUBSCRIPTION_STATE_CONFLICT', details: conflict } : null;
  }
  const mismatch = sub ? planChangeMismatch(payment, sub, now) : 'no_subscription';
  return mismatch ? { code: 'PLAN_CHANGE_STALE', details: { mismatch } } : null;
}

async function handleApproveFailure(ctx: UseCaseContext, payment: Payment, err: unknown): Promise<ApproveCheckoutResult> {
  const at = ctx.clock.now();
  const failure = { failureCode: failureCodeOf(err), failureMessage: err instanceof Error ? err.message : String(err) };
  if (err instanceof ProviderDeclinedError && err.reason === 'already_approved') {
    // Approved before (by us, in an attempt whose answer was lost): ask which.
    await ctx.repo.transitionPayment(payment.id, 'approving', 'unknown', at, failure);
    return resultOf((await syncPayment(ctx, payment.id)).payment);
  }
  if (err instanceof ProviderDeclinedError && err.reason === 'user_auth_incomplete') {
    await ctx.repo.transitionPayment(payment.id, 'approving', 'ready', at, failure);
    throw new AppError('PAYMENT_NOT_APPROVABLE', '결제 인증이 아직 완료되지 않았습니다.', { payment_id: payment.id });
  }
  if (err instanceof ProviderDeclinedError) {
    await ctx.repo.transitionPayment(payment.id, 'approving', err.reason === 'expired' ? 'abandoned' : 'declined', at, failure);
    throw toAppError(err);
  }
  if (err instanceof ProviderUnavailableError && err.outcomeUnknown) {
    await ctx.repo.transitionPayment(payment.id, 'approving', 'unknown', at, failure, { type: 'outcome_unknown' });
    return resultOf((await syncPayment(ctx, payment.id)).payment);
  }
  if (err instanceof ProviderError) {
    // The provider did not process the request: the user may try again.
    await ctx.repo.transitionPayment(payment.id, 'approving', 'ready', at, failure);
    throw toAppError(err);
  }
  // Our own failure after the claim: we cannot tell whether the call went out.
  await ctx.repo.transitionPayment(payment.id, 'approving', 'unknown', at, failure);
  throw err;
}

/** Waits while another request holds the approval, then returns the settled payment. */
async function waitForSettle(ctx: UseCaseContext, paymentId: string): Promise<Payment> {
  // Wall-clock wait, not business time: the test clock may jump while we poll.
  const deadline = Date.now() + ctx.settings.approveWaitMs;
  let delay = 10;
  for (;;) {
    const p = (await ctx.repo.findPayment(paymentId))!;
    if (p.status !== 'approving' || Date.now() >= deadline) return p;
    await ctx.sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
}
