import { AppError } from '../domain/errors.ts';
import type { AdminAction, AdminAuditEntry, AuditTargetType } from '../domain/admin-audit.ts';
import type { Subscription } from '../domain/records.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { Notice } from '../domain/subscription/renewal-records.ts';
import type { UseCaseContext } from './context.ts';
import { cancelSubscription } from './cancel-subscription.ts';
import { queueKeyRevocation, repriceOpenCycle, scopeOf } from './renewal-transitions.ts';
import { revokeBillingKeys } from './revoke-billing-key.ts';
import { stepSubscriptionNow } from './step-subscription-now.ts';
import type { RenewalOutcome } from './renewal-tasks.ts';

/**
 * Operator actions on a subscriber (issue 14.4). Each one takes the acting staff member and a
 * required reason, and writes its audit row (`admin_audit_log`) in the transaction of the change
 * it makes, with the target's relevant fields before and after. Provider calls (billing-key
 * revocation, a renewal charge) happen after that commit, through the existing use cases.
 */
export interface AdminActor {
  actorUserId: string;
  reason: string;
}

const DAY_MS = 86_400_000;
/** At most this many days per extension (a typo of 3000 would otherwise give years away). */
export const MAX_EXTEND_DAYS = 365;

/** The subscription fields an audit row records. */
export function subscriptionSnapshot(s: Subscription) {
  return {
    user_id: s.userId,
    status: s.status,
    plan_id: s.planId,
    pending_plan_id: s.pendingPlanId,
    auto_renew: s.autoRenew,
    has_billing_key: s.billingKey !== null,
    provider: s.provider,
    current_period_start: s.currentPeriodStart?.toISOString() ?? null,
    current_period_end: s.currentPeriodEnd?.toISOString() ?? null,
    next_renewal_at: s.nextRenewalAt?.toISOString() ?? null,
    grace_until: s.graceUntil?.toISOString() ?? null,
    canceled_at: s.canceledAt?.toISOString() ?? null,
    ended_at: s.endedAt?.toISOString() ?? null,
  };
}

function checkReason(reason: string): string {
  const r = reason.trim();
  if (!r) throw new AppError('VALIDATION_FAILED', '작업 사유를 입력해 주세요.', { field: 'reason' });
  if (r.length > 500) throw new AppError('VALIDATION_FAILED', '작업 사유는 500자 이내로 입력해 주세요.', { field: 'reason' });
  return r;
}

/** Builds an audit entry; `record` writes it with the caller's (transaction-bound) repository. */
export function auditEntry(
  ctx: UseCaseContext,
  actor: AdminActor,
  action: AdminAction,
  target: { type: AuditTargetType; id: string },
  before: unknown,
  after: unknown,
): AdminAuditEntry {
  return {
    id: ctx.ids.next('aud'),
    actorUserId: actor.actorUserId,
    action,
    targetType: target.type,
    targetId: target.id,
    reason: actor.reason.trim() || null,
    before: before ?? null,
    after: after ?? null,
    createdAt: ctx.clock.now(),
  };
}

async function lockedSubscription(repo: BillingRepository, userId: string): Promise<Subscription> {
  const sub = await repo.findSubscriptionByUserForUpdate(userId);
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND', '구독을 찾을 수 없습니다.');
  return sub;
}

function conflict(message: string, sub: Subscription): AppError {
  return new AppError('SUBSCRIPTION_STATE_CONFLICT', message, { status: sub.status, auto_renew: sub.autoRenew });
}

async function refuseWhileCharging(ctx: UseCaseContext, repo: BillingRepository, sub: Subscription): Promise<void> {
  const open = await scopeOf(ctx, repo, ctx.clock.now()).r.findOpenSubscriptionPayments([sub.id]);
  if (open.some((p) => p.status === 'approving' || p.status === 'unknown')) {
    throw new AppError('PAYMENT_IN_PROGRESS', '진행 중인 결제가 있습니다. 잠시 후 다시 시도해 주세요.');
  }
}

/**
 * Extends (comps) an active subscription by `days` without charging: the period end moves
 * later, and the renewal calendar is woken so that the open cycle (planned for the old end) is
 * replaced by one for the new end. Refused for a subscription that is not active, or while a
 * charge is in flight.
 */
export async function extendSubscription(ctx: UseCaseContext, actor: AdminActor, input: { userId: string; days: number }): Promise<Subscription> {
  checkReason(actor.reason);
  if (!Number.isSafeInteger(input.days) || input.days < 1 || input.days > MAX_EXTEND_DAYS) {
    throw new AppError('VALIDATION_FAILED', `연장 일수는 1~${MAX_EXTEND_DAYS}일이어야 합니다.`, { field: 'days' });
  }
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await lockedSubscription(repo, input.userId);
    if (sub.status !== 'active' || !sub.currentPeriodEnd) throw conflict('이용 중인 구독만 기간을 연장할 수 있습니다.', sub);
    await refuseWhileCharging(ctx, repo, sub);
    const end = new Date(Math.max(sub.currentPeriodEnd.getTime(), now.getTime()) + input.days * DAY_MS);
    const moved = await repo.transitionSubscription(sub.id, 'active', 'active', now, { currentPeriodEnd: end, nextRenewalAt: now }, {
      type: 'comp_days',
      data: { days: input.days, by: actor.actorUserId, period_end_before: sub.currentPeriodEnd.toISOString(), period_end: end.toISOString() },
    });
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'subscription.extend', { type: 'subscription', id: sub.id }, subscriptionSnapshot(sub), { ...subscriptionSnapshot(moved), days: input.days }),
    );
    return moved;
  });
}

/**
 * Moves an active subscription to another plan without charging or refunding anything (an
 * operator's decision, e.g. a goodwill upgrade): `now` switches the plan at once, `next_renewal`
 * schedules it for the next period, as a user's downgrade does. Either way the next renewal is
 * priced at the new plan (the open cycle is repriced and its notice sent again).
 */
export async function adminChangePlan(
  ctx: UseCaseContext,
  actor: AdminActor,
  input: { userId: string; planId: string; when: 'now' | 'next_renewal' },
): Promise<Subscription> {
  checkReason(actor.reason);
  const target = ctx.plans.find(input.planId);
  if (!target || target.priceKrw <= 0) throw new AppError('UNKNOWN_PLAN', `알 수 없는 플랜입니다: ${input.planId}`, { plan: input.planId });
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await lockedSubscription(repo, input.userId);
    if (sub.status !== 'active') throw conflict('이용 중인 구독만 플랜을 바꿀 수 있습니다.', sub);
    await refuseWhileCharging(ctx, repo, sub);
    if (input.when === 'now' ? sub.planId === target.id && !sub.pendingPlanId : (sub.pendingPlanId ?? sub.planId) === target.id) {
      throw conflict('이미 그 플랜입니다.', sub);
    }
    const sc = scopeOf(ctx, repo, now);
    const patch =
      input.when === 'now'
        ? { planId: target.id, pendingPlanId: null, agreedPriceKrw: target.priceKrw, nextRenewalAt: now }
        : { pendingPlanId: target.id === sub.planId ? null : target.id, agreedPriceKrw: target.priceKrw, nextRenewalAt: now };
    const moved = await repo.transitionSubscription(sub.id, 'active', 'active', now, patch, {
      type: input.when === 'now' ? 'plan_changed_by_admin' : 'plan_change_scheduled_by_admin',
      data: { from_plan: sub.planId, to_plan: target.id, by: actor.actorUserId },
    });
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    const cycle = (await sc.r.findOpenCycles([sub.id]))[0];
    await repriceOpenCycle(sc, cycle, target.id, target.priceKrw);
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'subscription.change_plan', { type: 'subscription', id: sub.id }, subscriptionSnapshot(sub), {
        ...subscriptionSnapshot(moved),
        when: input.when,
      }),
    );
    return moved;
  });
}

/** Turns auto-renewal off through the subscriber's own cancel (cancel-subscription.ts), audited. */
export async function adminCancelSubscription(ctx: UseCaseContext, actor: AdminActor, input: { userId: string }) {
  checkReason(actor.reason);
  const r = await cancelSubscription(ctx, input.userId, {
    onChanged: (repo, before, after) =>
      repo.recordAdminAction(auditEntry(ctx, actor, 'subscription.cancel', { type: 'subscription', id: before.id }, subscriptionSnapshot(before), subscriptionSnapshot(after))),
  });
  if (!r.changed) throw conflict('이미 자동 결제가 꺼져 있습니다.', r.subscription);
  return r.subscription;
}

/**
 * Turns auto-renewal back on for an active subscription that still holds its billing key (as
 * the subscriber's resume does). Without a key only the subscriber can register a new one, so
 * this is refused.
 */
export async function adminResumeSubscription(ctx: UseCaseContext, actor: AdminActor, input: { userId: string }): Promise<Subscription> {
  checkReason(actor.reason);
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const sub = await lockedSubscription(repo, input.userId);
    if (sub.status !== 'active' || !sub.currentPeriodEnd || sub.currentPeriodEnd <= now) throw conflict('이용 기간이 끝난 구독은 다시 켤 수 없습니다.', sub);
    if (sub.autoRenew && sub.billingKey) throw conflict('이미 자동 결제가 켜져 있습니다.', sub);
    if (!sub.billingKey) throw conflict('결제 수단이 해지되어 사용자가 직접 다시 등록해야 합니다.', sub);
    const moved = await repo.transitionSubscription(sub.id, 'active', 'active', now, { autoRenew: true, canceledAt: null, nextRenewalAt: now }, {
      type: 'auto_renew_on',
      data: { by: actor.actorUserId },
    });
    if (!moved) throw new Error(`subscription ${sub.id} changed while locked`);
    await repo.recordAdminAction(auditEntry(ctx, actor, 'subscription.resume', { type: 'subscription', id: sub.id }, subscriptionSnapshot(sub), subscriptionSnapshot(moved)));
    return moved;
  });
}

export interface RetryRenewalResult {
  subscription: Subscription;
  outcome: RenewalOutcome;
}

/**
 * Charges a past-due subscription's failed renewal now instead of at its next scheduled retry:
 * the open cycle's next attempt and the subscription's calendar are set to now (with the audit
 * row), then the worker's own step and charge run for this one subscription
 * (step-subscription-now.ts). The attempt counts like any retry.
 */
export async function retryRenewalNow(ctx: UseCaseContext, actor: AdminActor, input: { userId: string }): Promise<RetryRenewalResult> {
  checkReason(actor.reason);
  const now = ctx.clock.now();
  const subId = await ctx.repo.transaction(async (repo) => {
    const sub = await lockedSubscription(repo, input.userId);
    if (sub.status !== 'past_due' || !sub.autoRenew || !sub.billingKey) throw conflict('결제 실패로 연체 중이고 결제 수단이 있는 구독만 재시도할 수 있습니다.', sub);
    await refuseWhileCharging(ctx, repo, sub);
    const r = scopeOf(ctx, repo, now).r;
    const cycle = (await r.findOpenCycles([sub.id]))[0];
    if (!cycle || cycle.status !== 'retrying') throw conflict('재시도할 갱신 결제가 없습니다.', sub);
    await r.updateCycle(cycle.id, now, { nextAttemptAt: now });
    await r.updateSubscription(sub.id, now, { nextRenewalAt: now });
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'renewal.retry', { type: 'subscription', id: sub.id }, { ...subscriptionSnapshot(sub), cycle_id: cycle.id, attempts: cycle.attemptCount, next_attempt_at: cycle.nextAttemptAt?.toISOString() ?? null }, {
        cycle_id: cycle.id,
        next_attempt_at: now.toISOString(),
      }),
    );
    return sub.id;
  });
  const outcome = await stepSubscriptionNow(ctx, subId, now);
  return { subscription: (await ctx.repo.findSubscriptionByUser(input.userId))!, outcome };
}

/**
 * Sends a notice again: a copy (same subject and body) goes into the outbox as a new pending
 * notice with its own dedupe key, and the notice worker delivers it as usual.
 */
export async function resendNotice(ctx: UseCaseContext, actor: AdminActor, input: { userId: string; noticeId: string }): Promise<Notice> {
  checkReason(actor.reason);
  const now = ctx.clock.now();
  return ctx.repo.transaction(async (repo) => {
    const r = repo.renewals();
    const original = (await r.listNotices({ userId: input.userId, limit: 500 })).find((n) => n.id === input.noticeId);
    if (!original) throw new AppError('NOT_FOUND', '알림을 찾을 수 없습니다.', { notice_id: input.noticeId });
    const audit = auditEntry(ctx, actor, 'notice.resend', { type: 'notice', id: original.id }, { status: original.status, sent_at: original.sentAt?.toISOString() ?? null }, null);
    const copyId = ctx.ids.next('ntc');
    await r.insertNotice({
      id: copyId,
      userId: original.userId,
      subscriptionId: original.subscriptionId,
      kind: original.kind,
      dedupeKey: `resend:${audit.id}`,
      subject: original.subject,
      body: original.body,
      data: { ...(typeof original.data === 'object' && original.data ? original.data : {}), resent_from: original.id },
      createdAt: now,
    });
    await repo.recordAdminAction({ ...audit, after: { resent_as: copyId, status: 'pending' } });
    const copy = (await r.listNotices({ userId: input.userId, limit: 500 })).find((n) => n.id === copyId);
    return copy!;
  });
}

/**
 * Revokes the subscription's billing key: the key is dropped and its revocation queued in one
 * transaction (with the audit row), then revoked at the provider at once through
 * revoke-billing-key.ts (the worker retries on failure). Auto-renewal stays as it was: without
 * a key the subscription ends with its period unless the subscriber registers a new one.
 */
export async function adminRevokeBillingKey(ctx: UseCaseContext, actor: AdminActor, input: { userId: string }): Promise<Subscription> {
  checkReason(actor.reason);
  const now = ctx.clock.now();
  const { moved, revocationId } = await ctx.repo.transaction(async (repo) => {
    const sub = await lockedSubscription(repo, input.userId);
    if (!sub.billingKey) throw conflict('해지할 결제 수단이 없습니다.', sub);
    await refuseWhileCharging(ctx, repo, sub);
    const sc = scopeOf(ctx, repo, now);
    const revocationId = await queueKeyRevocation(sc, sub, 'revoked_by_admin');
    await sc.r.updateSubscription(sub.id, now, { billingKey: null, nextRenewalAt: sub.status === 'active' || sub.status === 'past_due' ? now : sub.nextRenewalAt });
    await repo.addSubscriptionEvent(sub.id, { type: 'billing_key_revoked_by_admin', from: sub.status, to: sub.status, data: { by: actor.actorUserId }, at: now });
    const moved = (await repo.findSubscriptionByUser(input.userId))!;
    await repo.recordAdminAction(
      auditEntry(ctx, actor, 'billing_key.revoke', { type: 'subscription', id: sub.id }, subscriptionSnapshot(sub), { ...subscriptionSnapshot(moved), revocation_id: revocationId }),
    );
    return { moved, revocationId };
  });
  if (revocationId) {
    await revokeBillingKeys(ctx, now, 1, revocationId).catch((err) =>
      ctx.logger.warn({ err, revocation_id: revocationId }, 'immediate billing key revocation failed; the worker retries'),
    );
  }
  return moved;
}
