import type { NoticeSender } from '../../domain/ports.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import type { NoticeDeliveryState } from '../../domain/repositories.ts';

const MAX_ATTEMPTS = 8;

export interface DeliverNoticesResult {
  sent: number;
  skipped: number;
  failed: number;
}

/**
 * Task: delivers pending notices from the outbox. Claims them `FOR UPDATE SKIP LOCKED` and
 * leases them in one transaction; sends outside it; records the outcomes. A notice without an
 * address (users known only by a host-application token) is `skipped` when the sender needs
 * one. Failures back off (1 min · 2ⁿ); after 8 attempts the notice is `failed`. The leases and
 * skips are one statement, and so are the outcomes, whatever the batch's size: written when the
 * batch's last send ends, so a worker that dies before that sends the batch's notices again after
 * the lease (at least once; each message keeps its Message-ID, `<notice id>@showmethestock`).
 */
export async function deliverNotices(ctx: UseCaseContext, sender: NoticeSender, now: Date, limit: number): Promise<DeliverNoticesResult> {
  const result = { sent: 0, skipped: 0, failed: 0 };
  const claimed = await ctx.repo.transaction(async (repo) => {
    const r = repo.renewals();
    const rows = await r.claimPendingNotices(now, limit);
    if (!sender.needsAddress) {
      // The sandbox mailbox reads the outbox itself: delivered by being there.
      await r.markNoticesSent(rows.map((n) => n.id), sender.channel, now);
      result.sent += rows.length;
      return [];
    }
    const leaseUntil = new Date(now.getTime() + ctx.settings.renewal.leaseMs);
    const leased = rows.filter((n) => n.email).map((n) => ({ ...n, attempts: n.attempts + 1, nextAttemptAt: leaseUntil }));
    const skipped = rows
      .filter((n) => !n.email)
      .map((n) => ({ ...n, status: 'skipped' as const, channel: sender.channel, lastError: 'no e-mail address', nextAttemptAt: null }));
    await r.markNotices([...leased, ...skipped], now);
    result.skipped += skipped.length;
    return leased;
  });
  const outcomes: NoticeDeliveryState[] = await Promise.all(
    claimed.map(async (n): Promise<NoticeDeliveryState> => {
      try {
        await sender.send({ to: n.email!, subject: n.subject, text: n.body, messageId: `${n.id}@showmethestock`, date: n.createdAt });
        result.sent++;
        return { ...n, status: 'sent', channel: sender.channel, recipient: n.email, sentAt: now, nextAttemptAt: null, lastError: null };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        ctx.logger.warn({ notice_id: n.id, err: message }, 'notice delivery failed');
        result.failed++;
        return n.attempts >= MAX_ATTEMPTS
          ? { ...n, status: 'failed', lastError: message, nextAttemptAt: null }
          : { ...n, lastError: message, nextAttemptAt: new Date(now.getTime() + 60_000 * 2 ** (n.attempts - 1)) };
      }
    }),
  );
  await ctx.repo.renewals().markNotices(outcomes, now);
  return result;
}
