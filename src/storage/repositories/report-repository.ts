import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { AdminDirectory, GrossGroup, MonthCount, PaymentFilter, PlanCountAt, RefundGroup, ReportStore, UserSummary } from '../../domain/report-store.ts';
import type { Database } from '../schema.ts';
import { PAID_STATUSES, REFUNDABLE_STATUSES } from '../../domain/payment/payment-states.ts';
import { toPayment, toSubscription, toUser } from './billing-rows.ts';
import { allInText, inText } from './in-text.ts';

/** Korea-time `YYYY-MM` of a timestamptz column (UTC+9 fixed: Korea has no daylight saving). */
const kstMonth = (column: string) => sql<string>`to_char((${sql.ref(column)} AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM')`;

const PAID = PAID_STATUSES;

/** The WHERE of an operator's payment filter (list and count share it; `before`/`limit` are the caller's). */
export function paymentFilterWhere<Q extends SelectQueryBuilder<Database, 'payments', any>>(query: Q, f: Omit<PaymentFilter, 'limit' | 'before'>): Q {
  let q = query as SelectQueryBuilder<Database, 'payments', any>;
  if (f.userId) q = q.where('user_id', '=', f.userId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.statuses) q = f.statuses.length === 0 ? q.where(sql<boolean>`false`) : q.where('status', 'in', [...f.statuses]);
  if (f.provider) q = q.where('provider', '=', f.provider);
  if (f.planId) q = q.where('plan_id', '=', f.planId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.minKrw !== undefined) q = q.where('amount_krw', '>=', f.minKrw);
  if (f.maxKrw !== undefined) q = q.where('amount_krw', '<=', f.maxKrw);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  return q as Q;
}

export class KyselyReportRepository implements ReportStore, AdminDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async grossGroups(from: Date, to: Date): Promise<GrossGroup[]> {
    const rows = await this.db
      .selectFrom('payments')
      .select([kstMonth('approved_at').as('month'), 'provider', 'plan_id', 'amount_krw', 'vat_krw', (eb) => eb.fn.countAll<number>().as('count')])
      .where('status', 'in', allInText(PAID))
      .where('amount_krw', '>', 0)
      .where('approved_at', '>=', from)
      .where('approved_at', '<', to)
      .groupBy(['month', 'provider', 'plan_id', 'amount_krw', 'vat_krw'])
      .execute();
    return rows.map((r) => ({ month: r.month, provider: r.provider, planId: r.plan_id, amountKrw: r.amount_krw, vatKrw: r.vat_krw, count: Number(r.count) }));
  }

  async refundGroups(from: Date, to: Date): Promise<RefundGroup[]> {
    const rows = await this.db
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .select([
        kstMonth('refunds.settled_at').as('month'),
        'payments.provider',
        (eb) => eb.fn.sum<number>('refunds.amount_krw').as('amount'),
        (eb) => eb.fn.sum<number>('refunds.vat_krw').as('vat'),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .where('refunds.status', '=', inText('succeeded'))
      .where('refunds.settled_at', '>=', from)
      .where('refunds.settled_at', '<', to)
      .groupBy(['month', 'payments.provider'])
      .execute();
    return rows.map((r) => ({ month: r.month, provider: r.provider, amountKrw: Number(r.amount), vatKrw: Number(r.vat), count: Number(r.count) }));
  }

  async failedRenewals(from: Date, to: Date): Promise<MonthCount[]> {
    const rows = await this.db
      .selectFrom('payments')
      .select([kstMonth('created_at').as('month'), (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.sum<number>('amount_krw').as('amount')])
      .where('kind', '=', inText('renewal'))
      .where('status', '=', inText('declined'))
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy('month')
      .execute();
    return rows.map((r) => ({ month: r.month, count: Number(r.count), amountKrw: Number(r.amount) }));
  }

  async subscribersAt(instants: readonly Date[]): Promise<PlanCountAt[]> {
    if (instants.length === 0) return [];
    const values = sql.join(instants.map((d) => sql`(${d}::timestamptz)`));
    const result = await sql<{ at: Date; plan_id: string; count: number }>`
      WITH t(at) AS (VALUES ${values}),
      cover AS (
        SELECT DISTINCT ON (t.at, p.user_id) t.at, p.user_id, p.plan_id, p.subscription_id
        FROM t JOIN payments p
          ON p.status IN (${sql.join(allInText(REFUNDABLE_STATUSES))}) AND p.period_start <= t.at AND p.period_end > t.at
        ORDER BY t.at, p.user_id, p.period_start DESC, p.id DESC
      )
      SELECT c.at, c.plan_id, count(*) AS count
      FROM cover c
      LEFT JOIN LATERAL (
        SELECT e.to_status FROM subscription_events e
        WHERE e.subscription_id = c.subscription_id AND e.created_at <= c.at
        ORDER BY e.created_at DESC, e.id DESC LIMIT 1
      ) s ON true
      WHERE s.to_status IS NULL OR s.to_status NOT IN ('canceled', 'expired')
      GROUP BY c.at, c.plan_id`.execute(this.db);
    return result.rows.map((r) => ({ at: new Date(r.at), planId: r.plan_id, count: Number(r.count) }));
  }

  async endedSubscriptions(from: Date, to: Date): Promise<MonthCount[]> {
    const rows = await this.db
      .selectFrom('subscription_events')
      .select([kstMonth('created_at').as('month'), (eb) => eb.fn.count<number>('subscription_id').distinct().as('count')])
      .where('from_status', 'in', allInText(['active', 'past_due']))
      .where('to_status', 'in', allInText(['canceled', 'expired']))
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy('month')
      .execute();
    return rows.map((r) => ({ month: r.month, count: Number(r.count), amountKrw: 0 }));
  }

  async activeSubscriptionsByPlan(now: Date) {
    const rows = await this.db
      .selectFrom('subscriptions')
      .select(['plan_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where((eb) => eb.or([eb('status', '=', inText('past_due')), eb.and([eb('status', '=', inText('active')), eb('current_period_end', '>', now)])]))
      .groupBy('plan_id')
      .execute();
    return rows.map((r) => ({ planId: r.plan_id, count: Number(r.count) }));
  }

  async findUserSummary(userId: string) {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    return r ? (await this.withSubscriptions([toUser(r)]))[0] : undefined;
  }

  private async withSubscriptions(users: UserSummary['user'][]): Promise<UserSummary[]> {
    if (users.length === 0) return [];
    const subs = await this.db.selectFrom('subscriptions').selectAll().where('user_id', 'in', users.map((u) => u.id)).execute();
    const byUser = new Map(subs.map((s) => [s.user_id, toSubscription(s)]));
    return users.map((user) => ({ user, subscription: byUser.get(user.id) ?? null }));
  }

  async listPayments(f: PaymentFilter) {
    let q = paymentFilterWhere(this.db.selectFrom('payments').selectAll(), f);
    if (f.before) {
      const b = f.before;
      q = q.where((eb) => eb.or([eb('created_at', '<', b.createdAt), eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map(toPayment);
  }

  async usersByIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', [...ids]).execute();
    return rows.map(toUser);
  }
}
