import { renderNotice, type NoticeDataByKind, type NoticeKind } from '../domain/notices/notice-catalog.ts';
import type { BillingRepository, RenewalRepository } from '../domain/repositories.ts';
import type { NewNotice } from '../domain/subscription/renewal-records.ts';
import type { UseCaseContext } from './context.ts';

/** One notice to write: its kind, the data its template needs, and who gets it. */
export interface NoticeRequest<K extends NoticeKind = NoticeKind> {
  kind: K;
  userId: string;
  /** The subscription it is about, if any (a password reset has none). */
  subscriptionId?: string | null;
  data: NoticeDataByKind[K];
  /**
   * At most one notice per key: writing the same key again (a retried request, a worker step
   * run twice) writes nothing. Convention `<kind>:<id of the event>`, e.g.
   * `purchase_completed:<payment id>`, `refund_completed:<refund id>`.
   */
  dedupeKey: string;
}

/**
 * The outbox row of a notice, rendered now (Korean subject and text, the absolute link to the
 * page that acts on it, the footer with the business details). `data` keeps the request's data
 * for the sandbox mailbox and for operators.
 */
export function buildNotice<K extends NoticeKind>(ctx: UseCaseContext, n: NoticeRequest<K>, at: Date): NewNotice {
  const text = renderNotice(n.kind, n.data, { publicUrl: ctx.settings.publicUrl, business: ctx.settings.business });
  return {
    id: ctx.ids.next('ntc'),
    userId: n.userId,
    subscriptionId: n.subscriptionId ?? null,
    kind: n.kind,
    dedupeKey: n.dedupeKey,
    subject: text.subject,
    body: text.body,
    data: n.data,
    createdAt: at,
  };
}

/**
 * Writes a notice to the outbox in the caller's transaction: pass the transaction's
 * repository (`repo` inside `ctx.repo.transaction(async (repo) => …)`), so the notice commits
 * with the state change it reports, or not at all. The worker's job runner delivers it
 * (worker/tasks/deliver-notices.ts: SMTP, or the sandbox mailbox). See docs/notices.md.
 *
 * ```ts
 * await enqueueNotice(ctx, repo, {
 *   kind: 'purchase_completed',
 *   userId: payment.userId,
 *   subscriptionId: sub.id,
 *   data: { planName, amountKrw, paymentId, … },
 *   dedupeKey: `purchase_completed:${payment.id}`,
 * }, now);
 * ```
 */
export async function enqueueNotice<K extends NoticeKind>(
  ctx: UseCaseContext,
  repo: BillingRepository | RenewalRepository,
  n: NoticeRequest<K>,
  at: Date = ctx.clock.now(),
): Promise<void> {
  const r = 'renewals' in repo ? repo.renewals() : repo;
  await r.insertNotice(buildNotice(ctx, n, at));
}
