import type { PlanCatalog } from '../plans.ts';
import type { Subscription } from '../records.ts';
import type { EngineEventType } from './engine-events.ts';

/** Asia/Seoul is UTC+9 all year (no daylight saving time). */
const KST_OFFSET_MS = 9 * 3_600_000;

/**
 * The monthly auto-trading cap's period that contains `at`: the calendar month in Asia/Seoul,
 * from the 1st 00:00 KST (inclusive) to the next 1st 00:00 KST (exclusive), as UTC instants.
 * E.g. 2026-12-31T15:00Z is 2027-01-01 00:00 KST: January's period.
 */
export function capPeriodOf(at: Date): { start: Date; end: Date } {
  const kst = new Date(at.getTime() + KST_OFFSET_MS);
  const y = kst.getUTCFullYear();
  const m = kst.getUTCMonth();
  return { start: new Date(Date.UTC(y, m, 1) - KST_OFFSET_MS), end: new Date(Date.UTC(y, m + 1, 1) - KST_OFFSET_MS) };
}

/**
 * A reservation's id names its owner: `rsv_<24 hex>_<cap month YYYYMM, KST>_<user id, base64url>`.
 * The random part alone makes it unique and unguessable; the rest lets any service process commit
 * it without first reading whose it is (its user and cap period never change, and a different
 * user or month is a different id, so no id can claim another's reservation). Ids made before
 * this format (`rsv_<24 hex>`) name no owner: `reservationOwnerOf` answers undefined for them.
 */
export function reservationIdOf(randomId: string, userId: string, periodStart: Date): string {
  const kst = new Date(periodStart.getTime() + KST_OFFSET_MS);
  const month = `${kst.getUTCFullYear()}${String(kst.getUTCMonth() + 1).padStart(2, '0')}`;
  return `${randomId}_${month}_${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

const OWNED_RESERVATION_ID = /^rsv_[0-9a-f]{24}_(\d{4})(\d{2})_([A-Za-z0-9_-]+)$/;

/** The user and cap period a reservation id names (`reservationIdOf`), or undefined. */
export function reservationOwnerOf(id: string): { userId: string; periodStart: Date } | undefined {
  const m = OWNED_RESERVATION_ID.exec(id);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  const userId = Buffer.from(m[3]!, 'base64url').toString('utf8');
  // Only the canonical spelling: another spelling of the same user would be another id anyway.
  if (Buffer.from(userId, 'utf8').toString('base64url') !== m[3]) return undefined;
  return { userId, periodStart: new Date(Date.UTC(Number(m[1]), month - 1, 1) - KST_OFFSET_MS) };
}

/** What the trading engine may do for one user now (before usage is counted). */
export interface EntitlementState {
  userId: string;
  /** The plan whose entitlements apply now: the free plan when nothing paid applies. */
  plan: string;
  /** The subscription's status, or `free` when the user never subscribed. */
  status: string;
  autoTradingEnabled: boolean;
  /** null = unlimited; 0 when auto-trading is off. */
  monthlyLimitKrw: number | null;
  /** Machine names of the features that apply now (auto_trading, realtime_alerts, …). */
  features: string[];
  /** past_due with entitlements kept until `graceUntil` (a renewal charge failed). */
  inGrace: boolean;
  graceUntil: Date | null;
  /** End of the period paid for (active or past_due subscriptions), else null. */
  paidThrough: Date | null;
}

type SubscriptionView = Pick<Subscription, 'status' | 'planId' | 'currentPeriodEnd' | 'graceUntil'>;

/**
 * The entitlements that apply at `now`, with the same rule as the subscription page
 * (use-cases/get-subscription-status.ts): a period that has ended counts as ended before the
 * worker moves the status, and past_due keeps the plan until `graceUntil`.
 */
export function entitlementOf(userId: string, sub: SubscriptionView | undefined | null, plans: PlanCatalog, now: Date): EntitlementState {
  const running = sub !== undefined && sub !== null && (sub.status === 'active' || sub.status === 'past_due');
  const entitled =
    running &&
    (sub!.status === 'past_due' ? sub!.graceUntil === null || sub!.graceUntil > now : sub!.currentPeriodEnd !== null && sub!.currentPeriodEnd > now);
  const plan = (entitled && plans.find(sub!.planId)) || plans.freePlan;
  const e = plan.entitlements;
  const features = [
    e.autoTrading ? 'auto_trading' : null,
    e.realtimeAlerts ? 'realtime_alerts' : null,
    e.customStrategies ? 'custom_strategies' : null,
    e.prioritySupport ? 'priority_support' : null,
  ].filter((f): f is string => f !== null);
  const inGrace = entitled && sub!.status === 'past_due';
  return {
    userId,
    plan: plan.id,
    status: sub ? sub.status : 'free',
    autoTradingEnabled: e.autoTrading,
    monthlyLimitKrw: e.autoTrading ? e.autoTradingMonthlyLimitKrw : 0,
    features,
    inGrace,
    graceUntil: inGrace ? sub!.graceUntil : null,
    paidThrough: running ? sub!.currentPeriodEnd : null,
  };
}

/** Subscription audit types written when a refund changed the subscription (use-cases/refund-coverage.ts). */
const REFUND_CAUSES = new Set(['ended_by_refund', 'upgrade_refunded', 'period_refunded']);

type SubscriptionChangeView = Pick<Subscription, 'status' | 'planId' | 'currentPeriodEnd'>;

/**
 * The one event a subscription change means to the trading engine, or null when nothing the
 * engine cares about changed (auto-renew on/off, a downgrade scheduled for later, the agreed
 * price, the renewal calendar). `cause` is the subscription audit event's type.
 */
export function engineEventTypeOf(
  before: SubscriptionChangeView | undefined,
  after: SubscriptionChangeView,
  cause: string,
): EngineEventType | null {
  if (REFUND_CAUSES.has(cause)) return 'payment.refunded';
  const wasRunning = before !== undefined && (before.status === 'active' || before.status === 'past_due');
  if (after.status === 'active' && !wasRunning) return 'subscription.activated';
  if (before?.status === after.status || (after.status === 'active' && before?.status === 'past_due')) {
    if (after.status === 'active' || after.status === 'past_due') {
      if (before && before.planId !== after.planId) return 'subscription.plan_changed';
      const moved = (before?.currentPeriodEnd?.getTime() ?? 0) < (after.currentPeriodEnd?.getTime() ?? 0);
      if (moved || before?.status === 'past_due') return after.status === 'active' ? 'subscription.renewed' : null;
    }
    return null;
  }
  if (after.status === 'past_due') return 'subscription.past_due';
  if (after.status === 'canceled') return 'subscription.canceled';
  if (after.status === 'expired') return 'subscription.expired';
  return null;
}

/**
 * Every event's body: what the seed's `update_user_limits(user_id, {limit, auto_trading_enabled,
 * plan})` carried, the status, then the event's own fields.
 */
export function engineEventPayload(e: EntitlementState, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    user_id: e.userId,
    plan: e.plan,
    auto_trading_enabled: e.autoTradingEnabled,
    limit: e.monthlyLimitKrw,
    status: e.status,
    ...extra,
  };
}
