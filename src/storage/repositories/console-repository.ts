import { sql, type Kysely } from 'kysely';
import type {
  ConsoleStore,
  CountedPage,
  DunningEntry,
  PageRequest,
  RefundEntry,
  SearchMatch,
  SubscriptionEntry,
  SubscriptionListFilter,
  TimelineCursor,
  TimelineEntry,
  TimelineSource,
  UserSearchHit,
} from '../../domain/console-store.ts';
import type { RefundStatus } from '../../domain/payment/refund-states.ts';
import type { PaymentFilter } from '../../domain/report-store.ts';
import type { Role, Subscription, User } from '../../domain/records.ts';
import type { BillingCycle } from '../../domain/subscription/renewal-records.ts';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/subscription-states.ts';
import type { Database } from '../schema.ts';
import { toPayment, toSubscription, toUser } from './billing-rows.ts';
import { toRefund } from './refund-store.ts';
import { toCycle } from './renewal-repository.ts';
import { paymentFilterWhere } from './report-repository.ts';
import { compareTimeline, TIMELINE_QUERIES } from './timeline-sources.ts';
import { allInText, inText } from './in-text.ts';

const count = (v: unknown) => Number(v ?? 0);

/** Operator lists with true totals, search by any id and the per-user timeline (issue 14.1–14.3). */
export class KyselyConsoleRepository implements ConsoleStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Every way an id can lead to a user, one row per (user, match); a user found several ways
   * keeps the first match by rank. Exact ids use the indexes of 0019-console-views; the e-mail
   * part is a scan of users (LIKE '%…%').
   */
  private hits(query: string) {
    const q = query.trim();
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return sql`
      WITH hits AS (
        SELECT id AS user_id, 'user_id' AS matched_by, NULL::text AS ref, 0 AS rank FROM users WHERE id = ${q}
        UNION ALL SELECT id, 'email', NULL, 1 FROM users WHERE lower(email) LIKE ${pattern}
        UNION ALL SELECT user_id, 'payment_id', id, 2 FROM payments WHERE id = ${q}
        UNION ALL SELECT user_id, 'provider_ref', id, 3 FROM payments WHERE provider_ref = ${q}
        UNION ALL SELECT user_id, 'provider_ref', id, 3 FROM payments WHERE checkout_ref = ${q}
        UNION ALL SELECT user_id, 'subscription_id', id, 4 FROM subscriptions WHERE id = ${q}
        UNION ALL SELECT user_id, 'billing_key', id, 5 FROM subscriptions WHERE billing_key = ${q}
        UNION ALL SELECT s.user_id, 'billing_key', s.id, 5 FROM billing_key_revocations k JOIN subscriptions s ON s.id = k.subscription_id WHERE k.billing_key = ${q}
        UNION ALL SELECT p.user_id, 'refund_id', r.id, 6 FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = ${q}
        UNION ALL SELECT p.user_id, 'refund_id', r.id, 6 FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.provider_refund_ref = ${q}
      ),
      best AS (SELECT DISTINCT ON (user_id) user_id, matched_by, ref FROM hits ORDER BY user_id, rank, ref)`;
  }

  async searchUsers(query: string, page: PageRequest): Promise<CountedPage<UserSearchHit>> {
    if (!query.trim()) return { rows: [], total: 0 };
    const head = this.hits(query);
    const [{ rows }, totalRow] = await Promise.all([
      sql<any>`${head} SELECT u.*, b.matched_by, b.ref FROM best b JOIN users u ON u.id = b.user_id
        ORDER BY u.created_at DESC, u.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`.execute(this.db),
      sql<{ n: number }>`${head} SELECT count(*) AS n FROM best`.execute(this.db),
    ]);
    const users = rows.map((r) => toUser(r));
    const subs = await this.subscriptionsOf(users.map((u) => u.id));
    return {
      rows: rows.map((r, i) => ({ user: users[i], subscription: subs.get(users[i].id) ?? null, matchedBy: r.matched_by as SearchMatch, matchedRef: r.ref ?? null })),
      total: count(totalRow.rows[0]?.n),
    };
  }

  async countPayments(filter: PaymentFilter): Promise<number> {
    const r = await paymentFilterWhere(this.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')), filter).executeTakeFirst();
    return count(r?.n);
  }

  async dunningQueue(page: PageRequest): Promise<CountedPage<DunningEntry>> {
    const base = this.db.selectFrom('billing_cycles').where('status', '=', inText('retrying'));
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy(sql`next_attempt_at ASC NULLS LAST`).orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    const cycles = rows.map(toCycle);
    const subs = await this.subscriptionsByIds(cycles.map((c) => c.subscriptionId));
    const users = await this.usersByIds([...subs.values()].map((s) => s.userId));
    return {
      rows: cycles.flatMap((cycle) => {
        const subscription = subs.get(cycle.subscriptionId);
        const user = subscription && users.get(subscription.userId);
        return subscription && user ? [{ cycle, subscription, user }] : [];
      }),
      total: count(total?.n),
    };
  }

  async listSubscriptions(f: SubscriptionListFilter, page: PageRequest): Promise<CountedPage<SubscriptionEntry>> {
    let base = this.db.selectFrom('subscriptions');
    // The state is written into the text (the code's own constant, never the request's string):
    // under a generic plan `status = $1` cannot use the partial index of the states but `active`.
    const status = f.status && SUBSCRIPTION_STATUSES.find((s) => s === f.status);
    if (f.status && !status) throw new Error(`unknown subscription status ${f.status}`);
    if (status) base = base.where('status', '=', inText(status));
    if (f.grace === 'in') base = base.where('status', '=', inText('past_due')).where((eb) => eb.or([eb('grace_until', 'is', null), eb('grace_until', '>', f.now)]));
    if (f.grace === 'over') base = base.where('status', '=', inText('past_due')).where('grace_until', '<=', f.now);
    if (f.planId) base = base.where('plan_id', '=', f.planId);
    if (f.provider) base = base.where('provider', '=', f.provider);
    const order = f.status === 'past_due' || f.grace ? sql`grace_until ASC NULLS LAST` : sql`updated_at DESC`;
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy(order).orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    return { rows: await this.subscriptionEntries(rows.map(toSubscription)), total: count(total?.n) };
  }

  async upcomingRenewals(from: Date, to: Date, page: PageRequest): Promise<CountedPage<SubscriptionEntry>> {
    const base = this.db
      .selectFrom('subscriptions')
      .where('status', '=', inText('active'))
      .where('auto_renew', '=', true)
      .where('current_period_end', '>=', from)
      .where('current_period_end', '<', to);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('current_period_end').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    return { rows: await this.subscriptionEntries(rows.map(toSubscription)), total: count(total?.n) };
  }

  async listRefunds(statuses: readonly RefundStatus[], page: PageRequest): Promise<CountedPage<RefundEntry>> {
    if (statuses.length === 0) return { rows: [], total: 0 };
    const base = this.db.selectFrom('refunds').where('status', 'in', [...statuses]);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    const refunds = rows.map(toRefund);
    const payments = refunds.length
      ? new Map((await this.db.selectFrom('payments').selectAll().where('id', 'in', refunds.map((r) => r.paymentId)).execute()).map((p) => [p.id, toPayment(p)]))
      : new Map();
    const users = await this.usersByIds([...payments.values()].map((p) => p.userId));
    return {
      rows: refunds.flatMap((refund) => {
        const payment = payments.get(refund.paymentId);
        const user = payment && users.get(payment.userId);
        return payment && user ? [{ refund, payment, user }] : [];
      }),
      total: count(total?.n),
    };
  }

  async timeline(userId: string, opts: { sources: readonly TimelineSource[]; before?: TimelineCursor; limit: number }): Promise<CountedPage<TimelineEntry>> {
    // Each source gives its own newest `limit` before the cursor; the merged newest `limit` are among them.
    const [lists, counts] = await Promise.all([
      Promise.all(opts.sources.map((s) => TIMELINE_QUERIES[s].rows(this.db, userId, opts.before, opts.limit))),
      Promise.all(opts.sources.map((s) => TIMELINE_QUERIES[s].count(this.db, userId))),
    ]);
    const merged = lists.flat().sort(compareTimeline).slice(0, opts.limit);
    return { rows: merged, total: counts.reduce((a, b) => a + b, 0) };
  }

  async setRole(userId: string, role: Role): Promise<User | undefined> {
    const r = await this.db.updateTable('users').set({ role }).where('id', '=', userId).returningAll().executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  private async subscriptionEntries(subs: Subscription[]): Promise<SubscriptionEntry[]> {
    const users = await this.usersByIds(subs.map((s) => s.userId));
    const cycles = new Map<string, BillingCycle>();
    if (subs.length) {
      const rows = await this.db
        .selectFrom('billing_cycles')
        .selectAll()
        .where('subscription_id', 'in', subs.map((s) => s.id))
        .where('status', 'in', allInText(['scheduled', 'retrying']))
        .orderBy('period_start', 'desc')
        .execute();
      for (const r of rows) if (!cycles.has(r.subscription_id)) cycles.set(r.subscription_id, toCycle(r));
    }
    return subs.flatMap((subscription) => {
      const user = users.get(subscription.userId);
      return user ? [{ subscription, user, openCycle: cycles.get(subscription.id) ?? null }] : [];
    });
  }

  private async subscriptionsOf(userIds: string[]): Promise<Map<string, Subscription>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('subscriptions').selectAll().where('user_id', 'in', userIds).execute();
    return new Map(rows.map((s) => [s.user_id, toSubscription(s)]));
  }

  private async subscriptionsByIds(ids: string[]): Promise<Map<string, Subscription>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('subscriptions').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((s) => [s.id, toSubscription(s)]));
  }

  private async usersByIds(ids: string[]): Promise<Map<string, User>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((u) => [u.id, toUser(u)]));
  }
}
