import { AppError } from '../domain/errors.ts';
import type { PreparedCheckout } from '../domain/ports.ts';
import type { Payment, Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { UseCaseContext } from './context.ts';
import { startKeyRegistration } from './start-key-registration.ts';

export interface ChangePaymentMethodInput {
  userId: string;
  /** Provider of the new billing key: the same one (another card or account) or the other. */
  method: string;
}

export interface ChangePaymentMethodResult {
  subscription: Subscription;
  /** The 0-won registration payment; approving it switches the subscription to the new key. */
  payment: Payment;
  checkout: PreparedCheckout;
}

/** Whether the subscription can take a new billing key now: running, auto-renewal on. */
function refusal(sub: Subscription | undefined, now: Date): AppError | null {
  if (!sub) return new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
  const running =
    (sub.status === 'active' && sub.currentPeriodEnd !== null && sub.currentPeriodEnd > now) ||
    (sub.status === 'past_due' && sub.graceUntil !== null && sub.graceUntil > now);
  if (!running) {
    return new AppError('SUBSCRIPTION_STATE_CONFLICT', '이용 중인 구독이 없어 결제 수단을 바꿀 수 없습니다.', { status: sub.status });
  }
  if (!sub.autoRenew) {
    return new AppError('SUBSCRIPTION_STATE_CONFLICT', '자동 결제가 꺼져 있습니다. 자동 결제를 다시 켠 뒤 결제 수단을 바꿔 주세요.', {
      status: sub.status,
      auto_renew: false,
    });
  }
  return null;
}

/**
 * Changes the payment method of a running subscription without cancelling it (결제 수단 변경):
 * starts a 0-won registration checkout with `method` (`startKeyRegistration`); nothing changes
 * until the provider approves the new key. Approving it (the existing approve endpoint) settles
 * in one transaction (`settleSubscriptionPayment`): the subscription switches to the new key
 * and provider, and the old key's revocation is queued there (the job runner revokes it,
 * retrying until the provider confirms). A past_due subscription's failed renewal is retried
 * on the new key at once. Switching between KakaoPay and NaverPay works the same way.
 *
 * Refused without a running subscription (SUBSCRIPTION_NOT_FOUND / SUBSCRIPTION_STATE_CONFLICT),
 * with auto-renewal off (SUBSCRIPTION_STATE_CONFLICT: turn it back on first, which is free
 * while the key is kept), and while a charge on the current key is in flight
 * (PAYMENT_IN_PROGRESS). Starting again abandons the previous registration still `ready`.
 */
export async function changePaymentMethod(ctx: UseCaseContext, input: ChangePaymentMethodInput): Promise<ChangePaymentMethodResult> {
  const now = ctx.clock.now();
  const sub = await ctx.repo.findSubscriptionByUser(input.userId);
  const early = refusal(sub, now);
  if (early) throw early;
  const guard = async (repo: BillingRepository) => {
    const locked = await repo.findSubscriptionByUserForUpdate(input.userId);
    const late = refusal(locked, now);
    if (late) throw late;
    const open = await repo.renewals().findOpenSubscriptionPayments([locked!.id]);
    if (open.some((p) => p.kind !== 'registration' && (p.status === 'approving' || p.status === 'unknown'))) {
      throw new AppError('PAYMENT_IN_PROGRESS', '진행 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.');
    }
  };
  const plan = ctx.plans.find(sub!.planId);
  const { payment, checkout } = await startKeyRegistration(ctx, sub!, {
    method: input.method,
    itemName: `ShowMeTheStock ${plan?.name ?? sub!.planId} 결제 수단 변경`,
    guard,
  });
  return { subscription: sub!, payment, checkout };
}
