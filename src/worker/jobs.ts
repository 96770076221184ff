import type { NoticeSender } from '../domain/ports.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import { revokeBillingKeys } from '../use-cases/revoke-billing-key.ts';
import { announcePriceChanges } from '../use-cases/announce-price-changes.ts';
import { deliverWebhooks, type WebhookDeliveryDeps } from '../use-cases/deliver-webhooks.ts';
import { deliverNotices } from './tasks/deliver-notices.ts';
import { expireCheckouts } from '../use-cases/expire-checkouts.ts';
import { JobRunner, type DueProbe } from './job-runner.ts';

export const NOTICE_BATCH = 500;
export const REVOCATION_BATCH = 100;
export const CHECKOUT_EXPIRY_BATCH = 100;

/** The worker's job runner with its tasks: webhook deliveries, notices (when a sender exists), billing-key revocations. */
export function createJobRunner(
  ctx: UseCaseContext,
  opts: {
    notices: NoticeSender | null;
    webhooks?: WebhookDeliveryDeps;
    /** Checkout lifetime per provider id, ms: abandoned checkouts expire after it (use-cases/expire-checkouts.ts). */
    checkoutLifetimesMs?: Readonly<Record<string, number>>;
    /** Lets a run skip the tasks with nothing due (storage/repositories/due-work-probe.ts). */
    probe?: DueProbe;
  },
): JobRunner {
  const runner = new JobRunner(ctx.clock, ctx.logger, opts.probe);
  const webhooks = opts.webhooks;
  if (webhooks) {
    runner.register({
      name: 'webhooks',
      batchSize: webhooks.settings.batchSize,
      run: async (now, limit) => {
        const r = await deliverWebhooks(webhooks, now, limit);
        return { processed: r.claimed, counts: { fanned_out: r.fannedOut, succeeded: r.succeeded, failed: r.failed, gave_up: r.gaveUp } };
      },
    });
  }
  const notices = opts.notices;
  if (notices) {
    runner.register({
      name: 'notices',
      batchSize: NOTICE_BATCH,
      run: async (now, limit) => {
        const r = await deliverNotices(ctx, notices, now, limit);
        return { processed: r.sent + r.skipped + r.failed, counts: { ...r } };
      },
    });
  }
  runner.register({
    name: 'price-announcements',
    batchSize: NOTICE_BATCH,
    run: async (now, limit) => {
      const r = await announcePriceChanges(ctx, now, limit);
      return { processed: r.notified, counts: { ...r } };
    },
  });
  runner.register({
    name: 'revocations',
    batchSize: REVOCATION_BATCH,
    run: async (now, limit) => {
      const r = await revokeBillingKeys(ctx, now, limit);
      return { processed: r.done + r.failed, counts: { ...r } };
    },
  });
  const lifetimes = opts.checkoutLifetimesMs;
  if (lifetimes) {
    runner.register({
      name: 'checkout_expiry',
      batchSize: CHECKOUT_EXPIRY_BATCH,
      run: async (now, limit) => {
        const r = await expireCheckouts(ctx, lifetimes, now, limit);
        return { processed: r.expired + r.lookedUp, counts: { expired: r.expired, looked_up: r.lookedUp } };
      },
    });
  }
  return runner;
}
