import type { NoticeSender } from '../../domain/ports.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';

const MAX_ATTEMPTS = 8;

export interface DeliverNoticesResult {
  sent: number;
  skipped: number;
  failed: number;
}

/**
 * Task: delivers pending notices from the outbox. Claims them `FOR UPDATE SKIP LOCKED` and
 * leases them in one transaction; sends outside it; records the outcome. A notice without an
 * address (users known only by a host-application token) is `skipped` when the sender needs
 * one. Failures back off (1 min · 2ⁿ); after 8 attempts the notice is `failed`.
 */
export async function deliverNotices(ctx: UseCaseContext, sender: NoticeSender, now: Date, limit: number): Promise<DeliverNoticesResult> {
  const result = { sent: 0, skipped: 0, failed: 0 };
  const claimed = await ctx.repo.transaction(async (repo) => {
    const r = repo.renewals();
    const rows = await r.claimPendingNotices(now, limit);
    const toSend: typeof rows = [];
    if (!sender.needsAddress) {
      // The sandbox mailbox reads the outbox itself: delivered by being there.
      await r.markNoticesSent(rows.map((n) => n.id), sender.channel, now);
      result.sent += rows.length;
      return toSend;
    }
    for (const n of rows) {
      if (!n.email) {
        await r.markNotice(n.id, now, { status: 'skipped', channel: sender.channel, lastError: 'no e-mail address', nextAttemptAt: null });
        result.skipped++;
      } else {
        await r.markNotice(n.id, now, { attempts: n.attempts + 1, nextAttemptAt: new Date(now.getTime() + ctx.settings.renewal.leaseMs) });
        toSend.push(n);
      }
    }
    return toSend;
  });
  const r = ctx.repo.renewals();
  await Promise.all(
    claimed.map(async (n) => {
      try {
        await sender.send({ to: n.email!, subject: n.subject, text: n.body, messageId: `${n.id}@showmethestock`, date: n.createdAt });
        await r.markNotice(n.id, now, { status: 'sent', channel: sender.channel, recipient: n.email, sentAt: now, nextAttemptAt: null, lastError: null });
        result.sent++;
      } catch (err) {
        const attempts = n.attempts + 1;
        const message = err instanceof Error ? err.message : String(err);
        ctx.logger.warn({ notice_id: n.id, err: message }, 'notice delivery failed');
        await r.markNotice(
          n.id,
          now,
          attempts >= MAX_ATTEMPTS
            ? { status: 'failed', lastError: message, nextAttemptAt: null }
            : { lastError: message, nextAttemptAt: new Date(now.getTime() + 60_000 * 2 ** (attempts - 1)) },
        );
        result.failed++;
      }
    }),
  );
  return result;
}
