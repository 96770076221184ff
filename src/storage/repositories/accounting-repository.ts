import { sql, type Kysely } from 'kysely';
import type { AccountingStore, DunningMonth, PaidPaymentRow, PayingUserAt, SettledRefundRow } from '../../domain/accounting-store.ts';
import type { Database } from '../schema.ts';
import { allInText, inText } from './in-text.ts';

const PAID = ['approved', 'partially_refunded', 'refunded'] as const;
const BATCH = 1000;

export class KyselyAccountingRepository implements AccountingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async payingUsersAt(instants: readonly Date[]): Promise<PayingUserAt[]> {
    if (instants.length === 0) return [];
    const values = sql.join(instants.map((d) => sql`(${d}::timestamptz)`));
    // The same rule as KyselyReportRepository.subscribersAt, one row per user instead of a count.
    const result = await sql<{ at: Date; user_id: string; plan_id: string }>`
      WITH t(at) AS (VALUES ${values}),
      cover AS (
        SELECT DISTINCT ON (t.at, p.user_id) t.at, p.user_id, p.plan_id, p.subscription_id
        FROM t JOIN payments p
          ON p.status IN ('approved', 'partially_refunded') AND p.amount_krw > 0 AND p.period_start <= t.at AND p.period_end > t.at
        ORDER BY t.at, p.user_id, p.period_start DESC, p.id DESC
      )
      SELECT c.at, c.user_id, c.plan_id
      FROM cover c
      LEFT JOIN LATERAL (
        SELECT e.to_status FROM subscription_events e
        WHERE e.subscription_id = c.subscription_id AND e.created_at <= c.at
        ORDER BY e.created_at DESC, e.id DESC LIMIT 1
      ) s ON true
      WHERE s.to_status IS NULL OR s.to_status NOT IN ('canceled', 'expired')`.execute(this.db);
    return result.rows.map((r) => ({ at: new Date(r.at), userId: r.user_id, planId: r.plan_id }));
  }

  async firstPaidStarts(userIds: readonly string[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    for (let i = 0; i < userIds.length; i += BATCH) {
      const ids = userIds.slice(i, i + BATCH);
      const rows = await this.db
        .selectFrom('payments')
        .select(['user_id', (eb) => eb.fn.min('period_start').as('first')])
        .where('user_id', 'in', ids)
        .where('status', 'in', allInText(PAID))
        .where('amount_krw', '>', 0)
        .where('period_start', 'is not', null)
        .groupBy('user_id')
        .execute();
      for (const r of rows) if (r.first) out.set(r.user_id, new Date(r.first as Date));
    }
    return out;
  }

  async dunning(from: Date, to: Date): Promise<DunningMonth[]> {
    const result = await sql<{ month: string; failed: number; failed_krw: number; recovered: number; recovered_krw: number | null }>`
      WITH failed AS (
        SELECT billing_cycle_id, min(created_at) AS first_failed_at, max(amount_krw) AS amount
        FROM payments
        WHERE kind = 'renewal' AND status = 'declined' AND billing_cycle_id IS NOT NULL
        GROUP BY billing_cycle_id
      ),
      recovered AS (
        SELECT billing_cycle_id, sum(amount_krw) AS amount
        FROM payments
        WHERE kind = 'renewal' AND status IN ('approved', 'partially_refunded', 'refunded') AND billing_cycle_id IS NOT NULL
        GROUP BY billing_cycle_id
      )
      SELECT to_char((f.first_failed_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM') AS month,
        count(*) AS failed, sum(f.amount) AS failed_krw, count(r.billing_cycle_id) AS recovered, sum(r.amount) AS recovered_krw
      FROM failed f LEFT JOIN recovered r ON r.billing_cycle_id = f.billing_cycle_id
      WHERE f.first_failed_at >= ${from} AND f.first_failed_at < ${to}
      GROUP BY 1 ORDER BY 1`.execute(this.db);
    return result.rows.map((r) => ({
      month: r.month,
      failedCycles: Number(r.failed),
      failedKrw: Number(r.failed_krw),
      recoveredCycles: Number(r.recovered),
      recoveredKrw: Number(r.recovered_krw ?? 0),
    }));
  }

  async *paidPayments(from: Date, to: Date): AsyncIterable<PaidPaymentRow> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      let q = this.db
        .selectFrom('payments')
        .select(['id', 'user_id', 'provider', 'provider_ref', 'approval_no', 'kind', 'plan_id', 'status', 'amount_krw', 'vat_krw', 'refunded_krw', 'approved_at'])
        .where('status', 'in', allInText(PAID))
        .where('amount_krw', '>', 0)
        .where('approved_at', '>=', from)
        .where('approved_at', '<', to);
      if (after) {
        const a = after;
        q = q.where((eb) => eb.or([eb('approved_at', '>', a.at), eb.and([eb('approved_at', '=', a.at), eb('id', '>', a.id)])]));
      }
      const rows = await q.orderBy('approved_at').orderBy('id').limit(BATCH).execute();
      for (const r of rows) {
        yield {
          id: r.id,
          userId: r.user_id,
          provider: r.provider,
          providerRef: r.provider_ref,
          approvalNo: r.approval_no,
          kind: r.kind,
          planId: r.plan_id,
          status: r.status,
          amountKrw: r.amount_krw,
          vatKrw: r.vat_krw,
          refundedKrw: r.refunded_krw,
          approvedAt: r.approved_at!,
        };
      }
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { at: last.approved_at!, id: last.id };
    }
  }

  async *settledRefunds(from: Date, to: Date): AsyncIterable<SettledRefundRow> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      let q = this.db
        .selectFrom('refunds')
        .innerJoin('payments', 'payments.id', 'refunds.payment_id')
        .select([
          'refunds.id',
          'refunds.payment_id',
          'payments.user_id',
          'payments.provider',
          'payments.provider_ref',
          'refunds.provider_refund_ref',
          'refunds.kind',
          'refunds.amount_krw',
          'refunds.vat_krw',
          'refunds.reason',
          'payments.approved_at',
          'refunds.settled_at',
        ])
        .where('refunds.status', '=', inText('succeeded'))
        .where('refunds.settled_at', '>=', from)
        .where('refunds.settled_at', '<', to);
      if (after) {
        const a = after;
        q = q.where((eb) => eb.or([eb('refunds.settled_at', '>', a.at), eb.and([eb('refunds.settled_at', '=', a.at), eb('refunds.id', '>', a.id)])]));
      }
      const rows = await q.orderBy('refunds.settled_at').orderBy('refunds.id').limit(BATCH).execute();
      for (const r of rows) {
        yield {
          id: r.id,
          paymentId: r.payment_id,
          userId: r.user_id,
          provider: r.provider,
          providerRef: r.provider_ref,
          providerRefundRef: r.provider_refund_ref,
          kind: r.kind,
          amountKrw: r.amount_krw,
          vatKrw: r.vat_krw,
          reason: r.reason,
          paymentApprovedAt: r.approved_at,
          settledAt: r.settled_at!,
        };
      }
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { at: last.settled_at!, id: last.id };
    }
  }
}
