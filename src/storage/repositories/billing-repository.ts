import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountStore } from '../../domain/account-store.ts';
import { KyselyAccountRepository } from './account-repository.ts';
import { APPROVAL_SETTLED_STATUSES, assertPaymentTransition } from '../../domain/payment/payment-states.ts';
import { assertSubscriptionTransition } from '../../domain/subscription/subscription-states.ts';
import type {
  AuditEvent,
  BillingRepository,
  NewPaymentRecord,
  NewUser,
  RateLimitHit,
  PaymentPatch,
  RenewalRepository,
  RenewalWriteBatch,
  SubscriptionPatch,
} from '../../domain/repositories.ts';
import type { Payment, Subscription, User } from '../../domain/records.ts';
import type { NewNotice } from '../../domain/subscription/renewal-records.ts';
import type { PaymentStatus } from '../../domain/payment/payment-states.ts';
import type { SubscriptionStatus } from '../../domain/subscription/subscription-states.ts';
import type { Database, PaymentRow, SubscriptionRow } from '../schema.ts';
import type { EngineEvent, NewEngineEvent } from '../../domain/engine/engine-events.ts';
import { KyselyRenewalRepository } from './renewal-repository.ts';
import { KyselyPriceRepository, PRICE_VERSIONS_JSON, versionsFromJson } from './price-repository.ts';
import type { Consent } from '../../domain/legal/legal-documents.ts';
import { KyselyRefundStore } from './refund-store.ts';
import { RenewalWriteBuffer } from './renewal-write-buffer.ts';
import type { RefundStore } from '../../domain/payment/refund-store.ts';
import type { PriceRepository } from '../../domain/plan-prices.ts';
import { EngineEventWriter, appendEngineEvents, engineEventParts } from './engine-event-writer.ts';
import { noticeAfterMove } from './renewal-repository.ts';
import { countHit, hitOf } from './rate-limit-repository.ts';
import type { AdminAuditEntry } from '../../domain/admin-audit.ts';
import { insertAdminAudit } from './admin-audit-repository.ts';
import { paymentValues, toPayment, toSubscription, toUser } from './billing-rows.ts';
import { compareAndSetStatus, insertAuditRow, withParts, type StatusMove } from './compare-and-set.ts';
import { allInText, inText } from './in-text.ts';

/** The mappers lived here before; engine-repository.ts still imports `toSubscription` from this module. */
export { toSubscription };

/**
 * Every column of `subscriptions` (the compiler checks the list is complete), for reads that
 * join it to another table and take its columns under an `s_` prefix.
 */
const SUBSCRIPTION_COLUMNS = Object.keys({
  id: true,
  user_id: true,
  plan_id: true,
  status: true,
  provider: true,
  billing_key: true,
  auto_renew: true,
  current_period_start: true,
  current_period_end: true,
  pending_plan_id: true,
  canceled_at: true,
  ended_at: true,
  created_at: true,
  updated_at: true,
  next_renewal_at: true,
  grace_until: true,
  agreed_price_krw: true,
  pending_price_krw: true,
  consented_price_id: true,
} satisfies Record<keyof SubscriptionRow, true>) as (keyof SubscriptionRow)[];

function paymentPatchColumns(p: PaymentPatch) {
  const cols: Record<string, unknown> = {};
  if (p.subscriptionId !== undefined) cols.subscription_id = p.subscriptionId;
  if (p.checkoutRef !== undefined) cols.checkout_ref = p.checkoutRef;
  if (p.providerRef !== undefined) cols.provider_ref = p.providerRef;
  if (p.methodKind !== undefined) cols.method_kind = p.methodKind;
  if (p.methodLabel !== undefined) cols.method_label = p.methodLabel;
  if (p.periodStart !== undefined) cols.period_start = p.periodStart;
  if (p.periodEnd !== undefined) cols.period_end = p.periodEnd;
  if (p.failureCode !== undefined) cols.failure_code = p.failureCode;
  if (p.failureMessage !== undefined) cols.failure_message = p.failureMessage;
  if (p.approvedAt !== undefined) cols.approved_at = p.approvedAt;
  if (p.expiresAt !== undefined) cols.expires_at = p.expiresAt;
  if (p.refundedKrw !== undefined) cols.refunded_krw = p.refundedKrw;
  if (p.nextLookupAt !== undefined) cols.next_lookup_at = p.nextLookupAt;
  if (p.lookupAttempts !== undefined) cols.lookup_attempts = p.lookupAttempts;
  if (p.approvalNo !== undefined) cols.approval_no = p.approvalNo;
  return cols;
}

function subscriptionPatchColumns(p: SubscriptionPatch) {
  const cols: Record<string, unknown> = {};
  if (p.planId !== undefined) cols.plan_id = p.planId;
  if (p.provider !== undefined) cols.provider = p.provider;
  if (p.billingKey !== undefined) cols.billing_key = p.billingKey;
  if (p.autoRenew !== undefined) cols.auto_renew = p.autoRenew;
  if (p.currentPeriodStart !== undefined) cols.current_period_start = p.currentPeriodStart;
  if (p.currentPeriodEnd !== undefined) cols.current_period_end = p.currentPeriodEnd;
  if (p.pendingPlanId !== undefined) cols.pending_plan_id = p.pendingPlanId;
  if (p.canceledAt !== undefined) cols.canceled_at = p.canceledAt;
  if (p.endedAt !== undefined) cols.ended_at = p.endedAt;
  if (p.nextRenewalAt !== undefined) cols.next_renewal_at = p.nextRenewalAt;
  if (p.graceUntil !== undefined) cols.grace_until = p.graceUntil;
  if (p.agreedPriceKrw !== undefined) cols.agreed_price_krw = p.agreedPriceKrw;
  if (p.pendingPriceKrw !== undefined) cols.pending_price_krw = p.pendingPriceKrw;
  if (p.consentedPriceId !== undefined) cols.consented_price_id = p.consentedPriceId;
  return cols;
}

export class KyselyBillingRepository implements BillingRepository {
  /**
   * `engine`: writes the trading engine's events for subscription changes (composition passes
   * it; without it, as in storage-only tests, no events are written).
   */
  constructor(
    private readonly db: Kysely<Database> | Transaction<Database>,
    private readonly engine?: EngineEventWriter,
  ) {}

  renewals(): RenewalRepository {
    return new KyselyRenewalRepository(this.db, this.engine);
  }

  accounts(): AccountStore {
    return new KyselyAccountRepository(this.db);
  }

  prices(): PriceRepository {
    return new KyselyPriceRepository(this.db);
  }

  refunds(): RefundStore {
    return new KyselyRefundStore(this.db);
  }

  renewalWriteBatch(at: Date): RenewalWriteBatch {
    return new RenewalWriteBuffer(this, this.renewals(), at);
  }

  async transaction<T>(fn: (repo: BillingRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new KyselyBillingRepository(trx, this.engine)));
  }

  async recordAdminAction(entry: AdminAuditEntry): Promise<void> {
    await insertAdminAudit(this.db, entry);
  }

  async appendEngineEvent(e: NewEngineEvent): Promise<EngineEvent> {
    // The upsert takes the user's sequence row lock: one user's events get gapless seqs in commit order.
    const { last_seq } = await this.db
      .insertInto('engine_event_sequences')
      .values({ user_id: e.userId, last_seq: 1 })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seq: sql<number>`engine_event_sequences.last_seq + 1` }))
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    const row = await this.db
      .insertInto('engine_events')
      .values({
        id: e.id,
        user_id: e.userId,
        seq: last_seq,
        type: e.type,
        payload: JSON.stringify(e.payload),
        occurred_at: e.occurredAt,
        created_at: e.occurredAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      userId: row.user_id,
      type: row.type as EngineEvent['type'],
      payload: row.payload as Record<string, unknown>,
      occurredAt: row.occurred_at,
      seq: Number(row.seq),
      position: Number(row.position),
      createdAt: row.created_at,
    };
  }

  async insertUser(u: NewUser): Promise<User> {
    const row = await this.db
      .insertInto('users')
      .values({
        id: u.id,
        email: u.email,
        password_hash: u.passwordHash,
        role: u.role,
        external_subject: u.externalSubject,
        created_at: u.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findUserByEmail(email: string) {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return r ? { ...toUser(r), passwordHash: r.password_hash } : undefined;
  }

  async findUserById(id: string) {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async upsertExternalUser(u: NewUser): Promise<User> {
    await this.db
      .insertInto('users')
      .values({
        id: u.id,
        email: u.email,
        password_hash: null,
        role: u.role,
        external_subject: u.externalSubject,
        created_at: u.createdAt,
      })
      .onConflict((oc) => oc.column('external_subject').doUpdateSet({ role: u.role }))
      .execute();
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('external_subject', '=', u.externalSubject)
      .executeTakeFirstOrThrow();
    return toUser(r);
  }

  async insertPayment(p: NewPaymentRecord): Promise<Payment> {
    const row = await this.db
      .insertInto('payments')
      .values(paymentValues(p))
      .returningAll()
      .executeTakeFirstOrThrow();
    // Creation is not a transition: the row's created_at records it.
    return toPayment(row);
  }

  async findPayment(id: string) {
    const r = await this.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toPayment(r) : undefined;
  }

  async findPaymentForUpdate(id: string) {
    const r = await this.db.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return r ? toPayment(r) : undefined;
  }

  async findPaymentByRef(provider: string, ref: string) {
    const r = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('provider', '=', provider)
      .where((eb) => eb.or([eb('provider_ref', '=', ref), eb('checkout_ref', '=', ref)]))
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return r ? toPayment(r) : undefined;
  }

  async findPaymentWithSubscription(by: { id: string } | { provider: string; ref: string }, ownerOfRef?: string) {
    // One round trip for what an approval reads before its claim: the payment, its user's
    // subscription and, if asked, which payment `findPaymentByRef` finds for a reference.
    let q = this.db
      .selectFrom('payments as p')
      .leftJoin('subscriptions as s', 's.user_id', 'p.user_id')
      .selectAll('p')
      .select(SUBSCRIPTION_COLUMNS.map((c) => sql.ref(`s.${c}`).as(`s_${c}`)))
      .select(sql<string | null>`s.xmin::text`.as('s_version'))
      .select(
        ownerOfRef === undefined
          ? sql<string | null>`NULL::text`.as('ref_owner_id')
          : sql<string | null>`(SELECT o.id FROM payments o WHERE o.provider = p.provider
              AND (o.provider_ref = ${ownerOfRef} OR o.checkout_ref = ${ownerOfRef}) ORDER BY o.created_at DESC LIMIT 1)`.as('ref_owner_id'),
      );
    q =
      'id' in by
        ? q.where('p.id', '=', by.id)
        : q.where('p.provider', '=', by.provider).where((eb) => eb.or([eb('p.provider_ref', '=', by.ref), eb('p.checkout_ref', '=', by.ref)]));
    const r = (await q.orderBy('p.created_at', 'desc').executeTakeFirst()) as (PaymentRow & Record<string, unknown>) | undefined;
    if (!r) return undefined;
    const sub = Object.fromEntries(SUBSCRIPTION_COLUMNS.map((c) => [c, r[`s_${c}`]])) as unknown as SubscriptionRow;
    const payment = toPayment(r);
    const subscription = sub.id === null ? null : toSubscription(sub);
    const subscriptionVersion = (r.s_version as string | null) ?? null;
    return ownerOfRef === undefined
      ? { payment, subscription, subscriptionVersion }
      : { payment, subscription, subscriptionVersion, refOwnerId: (r.ref_owner_id as string | null) ?? null };
  }

  async transitionPayment(
    id: string,
    from: PaymentStatus,
    to: PaymentStatus,
    at: Date,
    patch: PaymentPatch = {},
    event?: Omit<AuditEvent, 'from' | 'to' | 'at'>,
    notices: readonly NewNotice[] = [],
  ) {
    // A final answer ends the approval's lookup schedule, whoever wrote it (checkout, sync, renewal).
    const settled = APPROVAL_SETTLED_STATUSES.includes(to) ? { next_lookup_at: null } : {};
    const r = await compareAndSetStatus(this.db, 'payments', assertPaymentTransition, {
      id,
      from,
      to,
      at,
      set: { ...paymentPatchColumns(patch), ...settled },
      event,
      also: notices.map((n, i) => noticeAfterMove(n, `notice_${i}`)),
    });
    return r ? toPayment(r) : undefined;
  }

  async updatePayment(id: string, at: Date, patch: PaymentPatch) {
    await this.db
      .updateTable('payments')
      .set({ ...paymentPatchColumns(patch), updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async addPaymentEvent(paymentId: string, e: AuditEvent) {
    await insertAuditRow(this.db, 'payments', paymentId, e);
  }

  async listPaymentsByUser(userId: string, limit: number, beforeCreatedAt?: Date) {
    let q = this.db.selectFrom('payments').selectAll().where('user_id', '=', userId);
    if (beforeCreatedAt) q = q.where('created_at', '<', beforeCreatedAt);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toPayment);
  }

  async listPaymentsDueForLookup(now: Date, limit: number) {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('next_lookup_at', '<=', now)
      .orderBy('next_lookup_at')
      .limit(limit)
      .execute();
    return rows.map(toPayment);
  }

  async reschedulePaymentLookup(id: string, status: PaymentStatus, at: Date, nextLookupAt: Date | null, lookupAttempts: number) {
    const r = await this.db
      .updateTable('payments')
      .set({ next_lookup_at: nextLookupAt, lookup_attempts: lookupAttempts, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', status)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async findOpenCheckouts(userId: string) {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('user_id', '=', userId)
      .where('kind', 'in', allInText(['checkout', 'upgrade', 'registration']))
      .where('status', 'in', allInText(['ready', 'approving', 'unknown']))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toPayment);
  }

  async insertUserCheckout(
    record: NewPaymentRecord,
    consents: readonly Consent[],
    superseded: { failureMessage: string; data: Record<string, unknown> },
  ): Promise<{ payment: Payment } | { inProgressId: string }> {
    assertPaymentTransition(record.id, 'ready', 'abandoned');
    const at = record.createdAt;
    const values = paymentValues(record);
    const list = (vs: readonly unknown[]) => sql.join(vs.map((v) => sql`${v}`));
    // Every data-modifying part reads the one before it, so they run in order: the open rows are
    // abandoned first, then the insert (the partial unique index no longer sees them), then consents.
    const consentParts = consents.map(
      (c, i) => sql`, ${sql.ref(`consent_${i}`)} AS (
        INSERT INTO consents (id, user_id, document, version, agreed_at, payment_id)
        SELECT ${c.id}, ${c.userId}, ${c.document}, ${c.version}, ${c.agreedAt}, ins.id FROM ins)`,
    );
    const r = await sql<PaymentRow & { in_progress_id: string | null }>`
      WITH open AS (
        SELECT id, status FROM payments
        WHERE user_id = ${record.userId} AND kind IN ('checkout', 'upgrade', 'registration') AND status IN ('ready', 'approving', 'unknown')
      ), dropped AS (
        UPDATE payments SET status = 'abandoned', failure_code = 'superseded', failure_message = ${superseded.failureMessage},
          next_lookup_at = NULL, updated_at = ${at}
        WHERE id IN (SELECT id FROM open WHERE status = 'ready') AND status = 'ready'
          AND NOT EXISTS (SELECT 1 FROM open WHERE status <> 'ready')
        RETURNING id
      ), dropped_audit AS (
        INSERT INTO payment_events (payment_id, type, from_status, to_status, data, created_at)
        SELECT id, 'superseded', 'ready', 'abandoned', ${JSON.stringify(superseded.data)}::jsonb, ${at}::timestamptz FROM dropped
      ), ins AS (
        INSERT INTO payments (${sql.join(Object.keys(values).map((c) => sql.ref(c)))})
        SELECT ${list(Object.values(values))}
        WHERE (SELECT count(*) FROM dropped) = (SELECT count(*) FROM open)
        RETURNING *
      )${sql.join(consentParts, sql``)}
      SELECT ins.*, (SELECT min(id) FROM open WHERE id NOT IN (SELECT id FROM dropped)) AS in_progress_id
      FROM (SELECT 1) AS one LEFT JOIN ins ON true`.execute(this.db);
    const row = r.rows[0]!;
    if (row.id === null) return { inProgressId: row.in_progress_id! };
    const { in_progress_id: _ignored, ...payment } = row;
    return { payment: toPayment(payment as PaymentRow) };
  }

  async listExpiredCheckouts(provider: string, createdBefore: Date, limit: number) {
    const rows = await this.db
      .selectFrom('payments as p')
      .selectAll('p')
      .select((eb) =>
        eb
          .exists(eb.selectFrom('payment_events as e').select('e.id').whereRef('e.payment_id', '=', 'p.id').where('e.to_status', '=', inText('approving')))
          .as('approval_sent'),
      )
      .where('p.provider', '=', provider)
      .where('p.kind', 'in', allInText(['checkout', 'upgrade', 'registration']))
      .where('p.status', '=', inText('ready'))
      .where('p.next_lookup_at', 'is', null)
      .where('p.created_at', '<', createdBefore)
      .orderBy('p.created_at')
      .orderBy('p.id')
      .limit(limit)
      .execute();
    return rows.map(({ approval_sent, ...r }) => ({ payment: toPayment(r as PaymentRow), approvalSent: Boolean(approval_sent) }));
  }

  async findSubscriptionByUser(userId: string) {
    const r = await this.db.selectFrom('subscriptions').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r ? toSubscription(r) : undefined;
  }

  async findSubscriptionWithPrices(userId: string, hit?: RateLimitHit) {
    const counted = hit
      ? { cte: sql`WITH hit AS (${countHit(this.db, hit)}) `, cols: sql`, hit.hits AS rl_hits, hit.window_ends_at AS rl_window_ends_at`, from: sql` CROSS JOIN hit` }
      : { cte: sql``, cols: sql``, from: sql`` };
    const r = await sql<SubscriptionRow & { price_versions: unknown; rl_hits?: number | string; rl_window_ends_at?: Date }>`
      ${counted.cte}SELECT s.*, ${PRICE_VERSIONS_JSON} AS price_versions${counted.cols}
      FROM (SELECT 1) AS one LEFT JOIN subscriptions s ON s.user_id = ${userId}${counted.from}`.execute(this.db);
    const { price_versions, rl_hits, rl_window_ends_at, ...sub } = r.rows[0]!;
    return {
      subscription: sub.id === null ? undefined : toSubscription(sub),
      prices: versionsFromJson(price_versions),
      ...(hit ? { count: hitOf({ hits: rl_hits!, window_ends_at: rl_window_ends_at! }) } : {}),
    };
  }

  async findSubscriptionByUserForUpdate(userId: string) {
    const r = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('user_id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    return r ? toSubscription(r) : undefined;
  }

  async insertSubscription(s: Parameters<BillingRepository['insertSubscription']>[0]) {
    // The row, its `created` audit row and the engine's events, in one statement.
    const snapshot = { id: s.id, userId: s.userId, status: s.status, planId: s.planId, currentPeriodEnd: s.currentPeriodEnd, graceUntil: s.graceUntil ?? null };
    const events = this.engine ? this.engine.eventsFor(undefined, snapshot, 'created', s.createdAt) : [];
    let q = this.db.with('moved', (w) =>
      w
      .insertInto('subscriptions')
      .values({
        id: s.id,
        user_id: s.userId,
        plan_id: s.planId,
        status: s.status,
        provider: s.provider,
        billing_key: s.billingKey,
        auto_renew: s.autoRenew,
        current_period_start: s.currentPeriodStart,
        current_period_end: s.currentPeriodEnd,
        pending_plan_id: s.pendingPlanId,
        canceled_at: s.canceledAt,
        ended_at: s.endedAt,
        next_renewal_at: s.nextRenewalAt ?? null,
        grace_until: s.graceUntil ?? null,
        agreed_price_krw: s.agreedPriceKrw ?? null,
        pending_price_krw: s.pendingPriceKrw ?? null,
        consented_price_id: s.consentedPriceId ?? null,
        created_at: s.createdAt,
        updated_at: s.createdAt,
      })
      .returningAll(),
    );
    q = q.with('audit', (w) =>
      w.insertInto('subscription_events').values({
        subscription_id: s.id,
        type: 'created',
        from_status: null,
        to_status: s.status,
        data: null,
        created_at: s.createdAt,
      }),
    ) as unknown as typeof q;
    const r = await withParts(q, engineEventParts(events)).selectFrom('moved').selectAll().executeTakeFirstOrThrow();
    return toSubscription(r as SubscriptionRow);
  }

  async transitionSubscription(
    id: string,
    from: SubscriptionStatus,
    to: SubscriptionStatus,
    at: Date,
    patch: SubscriptionPatch = {},
    event?: Omit<AuditEvent, 'from' | 'to' | 'at'>,
    locked?: Subscription,
    version?: string,
  ) {
    const engine = this.engine;
    if (version !== undefined && !(engine && locked)) throw new Error('transitionSubscription: a version goes with the row read (locked)');
    if (engine && locked) {
      // The row as read under lock (or read before, with its version checked by the write): what
      // it becomes is known before the write, so the engine's events go in the write's own
      // statement (a lost compare-and-set is the caller's error, which rolls them back with the
      // transaction).
      if (!this.db.isTransaction || locked.id !== id || locked.status !== from) {
        throw new Error(`transitionSubscription: ${id} is not locked as ${from} in this transaction`);
      }
      const after = {
        id,
        userId: locked.userId,
        status: to,
        planId: patch.planId ?? locked.planId,
        currentPeriodEnd: patch.currentPeriodEnd !== undefined ? patch.currentPeriodEnd : locked.currentPeriodEnd,
        graceUntil: patch.graceUntil !== undefined ? patch.graceUntil : locked.graceUntil,
      };
      const events = engine.eventsFor(locked, after, event?.type ?? 'transition', at, event?.data);
      const r = await this.moveSubscription(id, from, to, at, patch, event, { version, also: engineEventParts(events) });
      return r ? toSubscription(r) : undefined;
    }
    if (engine) {
      // The engine's event is written with the change: both commit or neither does.
      return this.transaction(async (tx) => {
        const self = tx as KyselyBillingRepository;
        const r = await self.moveSubscription(id, from, to, at, patch, event, { before: ['status', 'plan_id', 'current_period_end', 'grace_until'] });
        if (!r) return undefined;
        const moved = toSubscription(r);
        const before = {
          id: r.id,
          userId: r.user_id,
          status: r.before_status as SubscriptionStatus,
          planId: r.before_plan_id as string,
          currentPeriodEnd: r.before_current_period_end as Date | null,
          graceUntil: r.before_grace_until as Date | null,
        };
        await appendEngineEvents(self.db, engine.eventsFor(before, moved, event?.type ?? 'transition', at, event?.data));
        return moved;
      });
    }
    const r = await this.moveSubscription(id, from, to, at, patch, event);
    return r ? toSubscription(r) : undefined;
  }

  /**
   * The compare-and-set and its audit row in one statement; `before`: columns to return as they
   * were; `version`, `also`: as `StatusMove`'s.
   */
  private moveSubscription(
    id: string,
    from: SubscriptionStatus,
    to: SubscriptionStatus,
    at: Date,
    patch: SubscriptionPatch,
    event: Omit<AuditEvent, 'from' | 'to' | 'at'> | undefined,
    opts: Pick<StatusMove<'subscriptions'>, 'before' | 'version' | 'also'> = {},
  ) {
    return compareAndSetStatus(this.db, 'subscriptions', assertSubscriptionTransition, {
      id,
      from,
      to,
      at,
      set: subscriptionPatchColumns(patch),
      event,
      ...opts,
    });
  }

  async findUpgradeOrigin(paymentId: string) {
    const r = await this.db
      .selectFrom('subscription_events')
      .select([
        'subscription_id',
        sql<string | null>`data->>'from_plan'`.as('from_plan'),
        sql<string | null>`data->>'to_plan'`.as('to_plan'),
      ])
      .where('type', '=', inText('plan_upgraded'))
      .where(sql<string>`data->>'payment_id'`, '=', paymentId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!r || !r.from_plan || !r.to_plan) return undefined;
    return { subscriptionId: r.subscription_id, fromPlan: r.from_plan, toPlan: r.to_plan };
  }

  async addSubscriptionEvent(subscriptionId: string, e: AuditEvent) {
    await insertAuditRow(this.db, 'subscriptions', subscriptionId, e);
  }
}
