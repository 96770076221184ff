import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { krw } from '../../domain/money.ts';
import { assertBillingCycleTransition, type BillingCycleStatus } from '../../domain/subscription/billing-cycle-states.ts';
import type {
  BillingCycle,
  BillingCyclePatch,
  BillingKeyRevocation,
  NewBillingCycle,
  NewNotice,
  Notice,
  NoticeKind,
  RenewalSettlement,
  SubscriptionSchedulePatch,
} from '../../domain/subscription/renewal-records.ts';
import type { NewPaymentRecord, NoticeDeliveryState, RenewalRepository } from '../../domain/repositories.ts';
import type { BillingCyclesTable, BillingKeyRevocationsTable, Database, NoticesTable } from '../schema.ts';
import { paymentValues, toPayment, toSubscription } from './billing-rows.ts';
import { appendEngineEvents, type EngineEventWriter } from './engine-event-writer.ts';
import { compareAndSetStatus, type StatementPart } from './compare-and-set.ts';
import { allInText, inText } from './in-text.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function toCycle(r: Selectable<BillingCyclesTable>): BillingCycle {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    planId: r.plan_id,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    amountKrw: krw(r.amount_krw),
    status: r.status,
    attemptCount: r.attempt_count,
    nextAttemptAt: r.next_attempt_at,
    noticeSentAt: r.notice_sent_at,
    failureCode: r.failure_code,
    closedReason: r.closed_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function cyclePatchColumns(p: BillingCyclePatch) {
  const cols: Record<string, unknown> = {};
  if (p.planId !== undefined) cols.plan_id = p.planId;
  if (p.amountKrw !== undefined) cols.amount_krw = p.amountKrw;
  if (p.attemptCount !== undefined) cols.attempt_count = p.attemptCount;
  if (p.nextAttemptAt !== undefined) cols.next_attempt_at = p.nextAttemptAt;
  if (p.noticeSentAt !== undefined) cols.notice_sent_at = p.noticeSentAt;
  if (p.failureCode !== undefined) cols.failure_code = p.failureCode;
  if (p.closedReason !== undefined) cols.closed_reason = p.closedReason;
  return cols;
}

function toNotice(r: Selectable<NoticesTable> & { email?: string | null }): Notice & { email: string | null } {
  return {
    id: r.id,
    userId: r.user_id,
    subscriptionId: r.subscription_id,
    kind: r.kind as NoticeKind,
    dedupeKey: r.dedupe_key,
    subject: r.subject,
    body: r.body,
    data: r.data,
    status: r.status,
    channel: r.channel,
    recipient: r.recipient,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
    createdAt: r.created_at,
    email: r.email ?? null,
  };
}

function toRevocation(r: Selectable<BillingKeyRevocationsTable>): BillingKeyRevocation {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    provider: r.provider,
    billingKey: r.billing_key,
    reason: r.reason,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    doneAt: r.done_at,
  };
}

function cycleValues(c: NewBillingCycle) {
  return {
    id: c.id,
    subscription_id: c.subscriptionId,
    plan_id: c.planId,
    period_start: c.periodStart,
    period_end: c.periodEnd,
    amount_krw: c.amountKrw,
    status: c.status,
    attempt_count: c.attemptCount,
    next_attempt_at: c.nextAttemptAt,
    notice_sent_at: c.noticeSentAt,
    failure_code: null,
    closed_reason: null,
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}

function noticeValues(n: NewNotice) {
  return {
    id: n.id,
    user_id: n.userId,
    subscription_id: n.subscriptionId,
    kind: n.kind,
    dedupe_key: n.dedupeKey,
    subject: n.subject,
    body: n.body,
    data: n.data === undefined ? null : JSON.stringify(n.data),
    status: 'pending' as const,
    channel: null,
    recipient: null,
    next_attempt_at: n.createdAt,
    last_error: null,
    sent_at: null,
    created_at: n.createdAt,
    updated_at: n.createdAt,
  };
}


/** Inserts `n` in another write's statement when its `moved` part moved a row (`StatementPart`). */
export function noticeAfterMove(n: NewNotice, name: string): StatementPart {
  const values = noticeValues(n);
  return {
    name,
    body: sql`INSERT INTO notices (${sql.join(Object.keys(values).map((c) => sql.ref(c)))})
      SELECT ${sql.join(Object.values(values).map((v) => sql`${v}`))} FROM moved
      ON CONFLICT (dedupe_key) DO NOTHING`,
  };
}

/** Kysely implementation of the renewal worker's storage (tables of 0002-renewals). */
export class KyselyRenewalRepository implements RenewalRepository {
  constructor(
    private readonly db: Db,
    private readonly engine?: EngineEventWriter,
  ) {}

  async claimDueSubscriptions(now: Date, limit: number, onlyId?: string) {
    // Served by the partial index on next_renewal_at: idle subscriptions are never read.
    let q = this.db.selectFrom('subscriptions').selectAll().where('next_renewal_at', '<=', now);
    if (onlyId) q = q.where('id', '=', onlyId);
    const rows = await q
      .orderBy('next_renewal_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toSubscription);
  }

  async findSubscriptionForUpdate(id: string) {
    const r = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return r ? toSubscription(r) : undefined;
  }

  async updateSubscription(id: string, at: Date, p: SubscriptionSchedulePatch) {
    const cols: Record<string, unknown> = { updated_at: at };
    if (p.nextRenewalAt !== undefined) cols.next_renewal_at = p.nextRenewalAt;
    if (p.graceUntil !== undefined) cols.grace_until = p.graceUntil;
    if (p.agreedPriceKrw !== undefined) cols.agreed_price_krw = p.agreedPriceKrw;
    if (p.pendingPriceKrw !== undefined) cols.pending_price_krw = p.pendingPriceKrw;
    if (p.consentedPriceId !== undefined) cols.consented_price_id = p.consentedPriceId;
    if (p.autoRenew !== undefined) cols.auto_renew = p.autoRenew;
    if (p.billingKey !== undefined) cols.billing_key = p.billingKey;
    if (p.provider !== undefined) cols.provider = p.provider;
    if (p.canceledAt !== undefined) cols.canceled_at = p.canceledAt;
    if (p.pendingPlanId !== undefined) cols.pending_plan_id = p.pendingPlanId;
    if (p.planId !== undefined) cols.plan_id = p.planId;
    await this.db.updateTable('subscriptions').set(cols).where('id', '=', id).execute();
  }

  async findOpenCycles(subscriptionIds: readonly string[]) {
    if (subscriptionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('billing_cycles')
      .selectAll()
      .where('subscription_id', 'in', subscriptionIds)
      .where('status', 'in', allInText(['scheduled', 'retrying']))
      .execute();
    return rows.map(toCycle);
  }

  async findCycle(id: string) {
    const r = await this.db.selectFrom('billing_cycles').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toCycle(r) : undefined;
  }

  async findCycleByStart(subscriptionId: string, periodStart: Date) {
    const r = await this.db
      .selectFrom('billing_cycles')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .where('period_start', '=', periodStart)
      .executeTakeFirst();
    return r ? toCycle(r) : undefined;
  }

  async insertCycle(c: NewBillingCycle) {
    const inserted = await this.db
      .insertInto('billing_cycles')
      .values(cycleValues(c))
      .onConflict((oc) => oc.columns(['subscription_id', 'period_start']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return toCycle(inserted);
    const existing = await this.db
      .selectFrom('billing_cycles')
      .selectAll()
      .where('subscription_id', '=', c.subscriptionId)
      .where('period_start', '=', c.periodStart)
      .executeTakeFirstOrThrow();
    return toCycle(existing);
  }

  async transitionCycle(id: string, from: BillingCycleStatus, to: BillingCycleStatus, at: Date, patch: BillingCyclePatch = {}) {
    const r = await compareAndSetStatus(this.db, 'billing_cycles', assertBillingCycleTransition, { id, from, to, at, set: cyclePatchColumns(patch) });
    return r ? toCycle(r) : undefined;
  }

  async updateCycle(id: string, at: Date, patch: BillingCyclePatch) {
    await this.db
      .updateTable('billing_cycles')
      .set({ ...cyclePatchColumns(patch), updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async findOpenSubscriptionPayments(subscriptionIds: readonly string[]) {
    if (subscriptionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('subscription_id', 'in', subscriptionIds)
      .where('kind', '<>', inText('checkout'))
      .where('status', 'in', allInText(['ready', 'approving', 'unknown']))
      .execute();
    return rows.map(toPayment);
  }

  async insertNotice(n: NewNotice) {
    await this.insertNotices([n]);
  }

  async claimPendingNotices(now: Date, limit: number) {
    const rows = await this.db
      .selectFrom('notices as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .selectAll('n')
      .select('u.email')
      .where('n.status', '=', inText('pending'))
      .where('n.next_attempt_at', '<=', now)
      .orderBy('n.next_attempt_at')
      .limit(limit)
      .forUpdate('n')
      .skipLocked()
      .execute();
    return rows.map(toNotice);
  }

  async markNotices(rows: readonly NoticeDeliveryState[], at: Date) {
    if (rows.length === 0) return;
    const values = sql.join(
      rows.map(
        (n) =>
          sql`(${n.id}::text, ${n.status}::text, ${n.channel}::text, ${n.recipient}::text, ${n.attempts}::int, ${n.nextAttemptAt}::timestamptz, ${n.lastError}::text, ${n.sentAt}::timestamptz)`,
      ),
    );
    await sql`UPDATE notices SET status = v.status, channel = v.channel, recipient = v.recipient, attempts = v.attempts,
        next_attempt_at = v.next_at, last_error = v.err, sent_at = v.sent_at, updated_at = ${at}::timestamptz
      FROM (VALUES ${values}) AS v(id, status, channel, recipient, attempts, next_at, err, sent_at)
      -- A retry does not bring back a notice skipped meanwhile (skipPendingNotices).
      WHERE notices.id = v.id AND (v.status <> 'pending' OR notices.status = 'pending')`.execute(this.db);
  }

  async listNotices(filter: { userId?: string; email?: string; limit: number }) {
    let q = this.db.selectFrom('notices as n').innerJoin('users as u', 'u.id', 'n.user_id').selectAll('n').select('u.email');
    if (filter.userId) q = q.where('n.user_id', '=', filter.userId);
    if (filter.email) q = q.where('u.email', '=', filter.email);
    const rows = await q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(filter.limit).execute();
    return rows.map(toNotice);
  }

  async queueRevocation(r: { id: string; subscriptionId: string; provider: string; billingKey: string; reason: string; at: Date }) {
    const inserted = await this.db
      .insertInto('billing_key_revocations')
      .values({
        id: r.id,
        subscription_id: r.subscriptionId,
        provider: r.provider,
        billing_key: r.billingKey,
        reason: r.reason,
        status: 'pending',
        next_attempt_at: r.at,
        last_error: null,
        done_at: null,
        created_at: r.at,
        updated_at: r.at,
      })
      .onConflict((oc) => oc.columns(['provider', 'billing_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted?.id ?? null;
  }

  async claimDueRevocations(now: Date, limit: number, id?: string) {
    let q = this.db.selectFrom('billing_key_revocations').selectAll().where('status', '=', inText('pending'));
    q = id ? q.where('id', '=', id) : q.where('next_attempt_at', '<=', now).orderBy('next_attempt_at');
    const rows = await q.limit(limit).forUpdate().skipLocked().execute();
    return rows.map(toRevocation);
  }

  async markRevocation(
    id: string,
    at: Date,
    p: Partial<Pick<BillingKeyRevocation, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>>,
  ) {
    const cols: Record<string, unknown> = { updated_at: at };
    if (p.status !== undefined) {
      cols.status = p.status;
      if (p.status === 'done') cols.done_at = at;
    }
    if (p.attempts !== undefined) cols.attempts = p.attempts;
    if (p.nextAttemptAt !== undefined) cols.next_attempt_at = p.nextAttemptAt;
    if (p.lastError !== undefined) cols.last_error = p.lastError;
    await this.db.updateTable('billing_key_revocations').set(cols).where('id', '=', id).execute();
  }

  async findLatestRevocation(subscriptionId: string) {
    const r = await this.db
      .selectFrom('billing_key_revocations')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? toRevocation(r) : undefined;
  }

  async insertCycles(cycles: readonly NewBillingCycle[]) {
    if (cycles.length === 0) return;
    await this.db
      .insertInto('billing_cycles')
      .values(cycles.map(cycleValues))
      .onConflict((oc) => oc.columns(['subscription_id', 'period_start']).doNothing())
      .execute();
  }

  async subscriptionsToldBy(keyPrefix: string) {
    const rows = await this.db
      .selectFrom('subscriptions as s')
      .selectAll('s')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('notices as n')
            .select(sql.lit(1).as('one'))
            .whereRef('n.subscription_id', '=', 's.id')
            .where('n.dedupe_key', 'like', likePrefix(keyPrefix))
            .where((eb) => eb.or([eb('n.status', '=', inText('sent')), eb.and([eb('n.status', '=', inText('pending')), eb('n.attempts', '>', 0)])])),
        ),
      )
      .orderBy('s.id')
      .execute();
    return rows.map(toSubscription);
  }

  async skipPendingNotices(keyPrefix: string, at: Date, reason: string) {
    const r = await this.db
      .updateTable('notices')
      .set({ status: 'skipped', last_error: reason, next_attempt_at: null, updated_at: at })
      .where('status', '=', inText('pending'))
      .where('dedupe_key', 'like', likePrefix(keyPrefix))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async insertNotices(notices: readonly NewNotice[]) {
    if (notices.length === 0) return;
    await this.db
      .insertInto('notices')
      .values(notices.map(noticeValues))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
  }

  async insertPayments(payments: readonly NewPaymentRecord[]) {
    if (payments.length === 0) return;
    await this.db.insertInto('payments').values(payments.map(paymentValues)).execute();
  }

  async scheduleSubscriptions(rows: readonly { id: string; nextRenewalAt: Date | null }[], at: Date) {
    if (rows.length === 0) return;
    const values = sql.join(rows.map((r) => sql`(${r.id}::text, ${r.nextRenewalAt}::timestamptz)`));
    await sql`UPDATE subscriptions AS s SET next_renewal_at = v.next_at, updated_at = ${at}::timestamptz
      FROM (VALUES ${values}) AS v(id, next_at) WHERE s.id = v.id`.execute(this.db);
  }

  async lockSubscriptionsOfUsers(userIds: readonly string[]) {
    if (userIds.length === 0) return [];
    const rows = await this.db.selectFrom('subscriptions').selectAll().where('user_id', 'in', userIds).orderBy('id').forUpdate().execute();
    return rows.map(toSubscription);
  }

  async findPayments(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('payments').selectAll().where('id', 'in', ids).execute()).map(toPayment);
  }

  async findCycles(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('billing_cycles').selectAll().where('id', 'in', ids).execute()).map(toCycle);
  }

  async applyRenewalSettlements(rows: readonly RenewalSettlement[], at: Date) {
    if (rows.length === 0) return [];
    const values = sql.join(
      rows.map(
        (r) => sql`(${r.paymentId}::text, ${r.subscriptionId}::text, ${r.cycleId}::text, ${r.fromStatus}::text, ${r.planId}::text,
          ${r.pendingPlanId}::text, ${r.agreedPriceKrw}::bigint, ${r.periodStart}::timestamptz, ${r.periodEnd}::timestamptz, ${r.nextRenewalAt}::timestamptz,
          ${r.providerRef}::text, ${r.methodKind}::text, ${r.methodLabel}::text, ${r.approvedAt}::timestamptz,
          ${r.approvalNo}::text, ${JSON.stringify({ cycle_id: r.cycleId, provider: r.raw ?? null })}::jsonb)`,
      ),
    );
    // Every change and its audit row in one statement (one round trip for the whole batch).
    const result = await sql<{ id: string }>`
      WITH v (payment_id, sub_id, cycle_id, from_status, plan_id, pending_plan_id, agreed_krw, period_start, period_end, next_at,
              provider_ref, method_kind, method_label, approved_at, approval_no, data) AS (VALUES ${values}),
      p AS (
        UPDATE payments SET status = 'approved', subscription_id = v.sub_id, provider_ref = v.provider_ref,
          method_kind = v.method_kind, method_label = v.method_label, approval_no = v.approval_no, period_start = v.period_start,
          period_end = v.period_end, approved_at = v.approved_at, failure_code = NULL, failure_message = NULL,
          updated_at = ${at}::timestamptz
        FROM v WHERE payments.id = v.payment_id AND payments.status = 'approving'
        RETURNING payments.id
      ),
      pe AS (
        INSERT INTO payment_events (payment_id, type, from_status, to_status, data, created_at)
        SELECT v.payment_id, 'approved', 'approving', 'approved', v.data, ${at}::timestamptz FROM v JOIN p ON p.id = v.payment_id
      ),
      s AS (
        UPDATE subscriptions SET status = 'active', plan_id = v.plan_id, pending_plan_id = v.pending_plan_id,
          agreed_price_krw = v.agreed_krw,
          pending_price_krw = CASE WHEN v.pending_plan_id IS NULL THEN NULL ELSE subscriptions.pending_price_krw END,
          current_period_start = v.period_start, current_period_end = v.period_end, grace_until = NULL, ended_at = NULL,
          next_renewal_at = v.next_at, updated_at = ${at}::timestamptz
        FROM v JOIN p ON p.id = v.payment_id WHERE subscriptions.id = v.sub_id
      ),
      se AS (
        INSERT INTO subscription_events (subscription_id, type, from_status, to_status, data, created_at)
        SELECT v.sub_id, 'renewed', v.from_status, 'active',
          jsonb_build_object('payment_id', v.payment_id, 'cycle_id', v.cycle_id, 'period_end', v.period_end), ${at}::timestamptz
        FROM v JOIN p ON p.id = v.payment_id
      ),
      c AS (
        UPDATE billing_cycles SET status = 'paid', next_attempt_at = NULL, failure_code = NULL, updated_at = ${at}::timestamptz
        FROM v JOIN p ON p.id = v.payment_id
        WHERE billing_cycles.id = v.cycle_id AND billing_cycles.status IN ('scheduled', 'retrying')
      )
      SELECT id FROM p`.execute(this.db);
    const applied = result.rows.map((r) => r.id);
    if (this.engine && applied.length > 0) {
      // Before: the rows as the caller locked them; after: what the statement above wrote (no read needed).
      const done = new Set(applied);
      const settled = rows.filter((r) => done.has(r.paymentId)).sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : a.subscriptionId > b.subscriptionId ? 1 : 0));
      const engine = this.engine;
      await appendEngineEvents(
        this.db,
        settled.flatMap((r) =>
          engine.eventsFor(r.locked, { ...r.locked, status: 'active', planId: r.planId, currentPeriodEnd: r.periodEnd, graceUntil: null }, 'renewed', at),
        ),
      );
    }
    return applied;
  }

  async markNoticesSent(ids: readonly string[], channel: string, at: Date) {
    if (ids.length === 0) return;
    await sql`UPDATE notices SET status = 'sent', channel = ${channel}, recipient = u.email, sent_at = ${at}::timestamptz,
        attempts = notices.attempts + 1, next_attempt_at = NULL, updated_at = ${at}::timestamptz
      FROM users u WHERE u.id = notices.user_id AND notices.id IN (${sql.join(ids.map((id) => sql`${id}`))})`.execute(this.db);
  }
}

/** A LIKE pattern for the strings that start with `prefix` (its own `%`, `_` and `\` taken literally). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
