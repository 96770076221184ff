import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely';
import type { AdminAction, AdminAuditEntry, AdminAuditFilter, AdminAuditPage, AdminAuditStore, AuditTargetType } from '../../domain/admin-audit.ts';
import type { AdminAuditLogTable, Database } from '../schema.ts';


const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
// pg parses jsonb; PGlite too, but a value stored as a JSON string comes back as a string in neither case.
const parsed = (v: unknown) => v ?? null;

/** Inserts one audit entry with whatever (transaction-bound) connection the caller holds. */
export async function insertAdminAudit(db: Kysely<Database> | Transaction<Database>, e: AdminAuditEntry): Promise<void> {
  await db
    .insertInto('admin_audit_log')
    .values({
      id: e.id,
      actor_user_id: e.actorUserId,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      reason: e.reason,
      before: json(e.before),
      after: json(e.after),
      created_at: e.createdAt,
    })
    .execute();
}

type Row = AdminAuditLogTable & { actor_email: string | null };

function toEntry(r: { [K in keyof Row]: Row[K] extends ColumnType<infer S, any, any> ? S : Row[K] }): AdminAuditEntry & { actorEmail: string | null } {
  return {
    id: r.id,
    actorUserId: r.actor_user_id,
    action: r.action as AdminAction,
    targetType: r.target_type as AuditTargetType,
    targetId: r.target_id,
    reason: r.reason,
    before: parsed(r.before),
    after: parsed(r.after),
    createdAt: new Date(r.created_at),
    actorEmail: r.actor_email,
  };
}

export class KyselyAdminAuditRepository implements AdminAuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  private filtered(f: AdminAuditFilter) {
    let q = this.db.selectFrom('admin_audit_log').leftJoin('users', 'users.id', 'admin_audit_log.actor_user_id');
    if (f.actorUserId) q = q.where('admin_audit_log.actor_user_id', '=', f.actorUserId);
    if (f.action) q = q.where('admin_audit_log.action', '=', f.action);
    if (f.targetType) q = q.where('admin_audit_log.target_type', '=', f.targetType);
    if (f.targetId) q = q.where('admin_audit_log.target_id', '=', f.targetId);
    if (f.from) q = q.where('admin_audit_log.created_at', '>=', f.from);
    if (f.to) q = q.where('admin_audit_log.created_at', '<', f.to);
    return q;
  }

  private select(f: AdminAuditFilter) {
    return this.filtered(f)
      .selectAll('admin_audit_log')
      .select(sql<string | null>`users.email`.as('actor_email'))
      .orderBy('admin_audit_log.created_at', 'desc')
      .orderBy('admin_audit_log.id', 'desc');
  }

  async listAudit(f: AdminAuditFilter, page: { limit: number; offset: number }): Promise<AdminAuditPage> {
    const [rows, count] = await Promise.all([
      this.select(f).limit(page.limit).offset(page.offset).execute(),
      this.filtered(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { entries: rows.map((r) => toEntry(r as never)), total: Number(count.n) };
  }

  async *exportAudit(f: AdminAuditFilter) {
    const batch = 500;
    for (let offset = 0; ; offset += batch) {
      const rows = await this.select(f).limit(batch).offset(offset).execute();
      for (const r of rows) yield toEntry(r as never);
      if (rows.length < batch) return;
    }
  }

  async insertAudit(entry: AdminAuditEntry): Promise<void> {
    await insertAdminAudit(this.db as unknown as Kysely<Database>, entry);
  }
}
