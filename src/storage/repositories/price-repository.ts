import { sql, type Kysely, type Transaction } from 'kysely';
import { krw } from '../../domain/money.ts';
import { BEGINNING, priceChangeNoticePrefix, type PriceNoticeTarget, type PriceRepository, type PriceVersion } from '../../domain/plan-prices.ts';
import type { Database, PlanPricesTable } from '../schema.ts';
import { parseInt8 } from '../create-db.ts';
import type { Selectable } from 'kysely';

function toVersion(r: Selectable<PlanPricesTable>): PriceVersion {
  return {
    id: r.id,
    planId: r.plan_id,
    priceKrw: krw(r.price_krw),
    effectiveAt: r.effective_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    announcedAt: r.announced_at,
  };
}

/**
 * The SQL of every stored version as one json array, ordered as `listVersions` (for statements that
 * read the versions with something else); `versionsFromJson` maps its value.
 */
export const PRICE_VERSIONS_JSON = sql<unknown>`(SELECT coalesce(json_agg(pp ORDER BY pp.plan_id, pp.effective_at), '[]'::json) FROM plan_prices pp)`;

/** The versions in a `PRICE_VERSIONS_JSON` value (json carries timestamps as text). */
export function versionsFromJson(value: unknown): PriceVersion[] {
  const rows = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>[];
  const at = (v: unknown) => new Date(v as string);
  return rows.map((r) =>
    toVersion({
      ...(r as unknown as Selectable<PlanPricesTable>),
      effective_at: at(r.effective_at),
      created_at: at(r.created_at),
      announced_at: r.announced_at === null ? null : at(r.announced_at),
    }),
  );
}

/** Plan price versions (0015-plan-prices). */
export class KyselyPriceRepository implements PriceRepository {
  constructor(private readonly db: Kysely<Database> | Transaction<Database>) {}

  async listVersions() {
    const rows = await this.db.selectFrom('plan_prices').selectAll().orderBy('plan_id').orderBy('effective_at').execute();
    return rows.map(toVersion);
  }

  async lockPlan(planId: string) {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`plan_prices:${planId}`}))`.execute(this.db);
  }

  async insertVersions(versions: readonly PriceVersion[]) {
    for (const v of versions) {
      const q = this.db.insertInto('plan_prices').values({
        id: v.id,
        plan_id: v.planId,
        price_krw: v.priceKrw,
        effective_at: v.effectiveAt,
        created_at: v.createdAt,
        created_by: v.createdBy,
        announced_at: v.announcedAt,
      });
      // The initial version may have been stored by an earlier change: keep that one.
      await (v.effectiveAt.getTime() === BEGINNING.getTime() ? q.onConflict((oc) => oc.doNothing()) : q).execute();
    }
  }

  async claimAnnouncements(limit: number) {
    const rows = await this.db
      .selectFrom('plan_prices')
      .selectAll()
      .where('announced_at', 'is', null)
      .orderBy('created_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toVersion);
  }

  async findUnnotified(version: PriceVersion, limit: number): Promise<PriceNoticeTarget[]> {
    const rows = await sql<{ id: string; user_id: string; agreed_krw: number | string | null; current_period_end: Date }>`
      SELECT s.id, s.user_id, s.current_period_end,
        CASE WHEN s.pending_plan_id IS NOT NULL THEN s.pending_price_krw ELSE s.agreed_price_krw END AS agreed_krw
      FROM subscriptions s
      WHERE s.status IN ('active', 'past_due') AND s.auto_renew AND s.current_period_end IS NOT NULL
        AND COALESCE(s.pending_plan_id, s.plan_id) = ${version.planId}
        AND COALESCE(CASE WHEN s.pending_plan_id IS NOT NULL THEN s.pending_price_krw ELSE s.agreed_price_krw END, 0) < ${version.priceKrw}
        AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.dedupe_key = ${priceChangeNoticePrefix(version.id)}::text || s.id)
      ORDER BY s.id
      LIMIT ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({
      subscriptionId: r.id,
      userId: r.user_id,
      agreedKrw: r.agreed_krw === null ? null : krw(parseInt8(r.agreed_krw)),
      currentPeriodEnd: new Date(r.current_period_end),
    }));
  }

  async markAnnounced(id: string, at: Date) {
    await this.db.updateTable('plan_prices').set({ announced_at: at }).where('id', '=', id).execute();
  }

  async deleteVersion(id: string) {
    const r = await this.db.deleteFrom('plan_prices').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
