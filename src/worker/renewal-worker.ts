import type { NoticeSender } from '../domain/ports.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import { claimDueRenewals } from '../use-cases/renew-subscription.ts';
import { chargeRenewals } from '../use-cases/charge-renewal.ts';
import { syncSubscriptionPayment } from '../use-cases/sync-subscription-payment.ts';
import type { RenewalOutcome, RenewalTask } from '../use-cases/renewal-tasks.ts';
import { createJobRunner } from './jobs.ts';
import { probeDue, type DueProbe, type JobRunner } from './job-runner.ts';

export interface RenewalWorkerOptions {
  /** Subscriptions claimed per transaction; their charges then run side by side. */
  batchSize: number;
  /** Claim-and-charge loops per tick; charges in flight ≈ loops × batchSize. Use 1 on PGlite. */
  loops: number;
  /** Pause between ticks of the background loop (`start`). */
  tickMs: number;
  /** Where notices go; null leaves them pending in the outbox. */
  notices: NoticeSender | null;
  /** Monotonic ms, when provider-call latencies of charges should be recorded (bench). */
  stopwatch?: () => number;
  /** Runs after each tick: reconciles unknown checkout payments and refunds. */
  reconcile?: (now: Date) => Promise<unknown>;
  /** Background loop only: runs before each tick (sandbox mode: read the shared test-clock offset). */
  beforeTick?: () => Promise<void>;
  /** Background loop only: told how each tick ended (metrics). */
  afterTick?: (outcome: 'ok' | 'failed') => void;
  /** While the loop runs: a liveness record every `intervalMs` (readiness), removed at `stop`. */
  heartbeat?: { intervalMs: number; beat: () => Promise<void>; forget: () => Promise<void> };
  /** Webhooks, notices and revocations (worker/jobs.ts); default: notices and revocations only. */
  jobs?: JobRunner;
  /**
   * Asked once at the start of each tick which work is due (`renewals`, `reconcile` and the job
   * tasks); the tick then skips the rest, so an idle tick is one statement. Default: every part runs.
   */
  probe?: DueProbe;
}

export interface TickReport {
  claimed: number;
  outcomes: Record<RenewalOutcome, number>;
  errors: number;
  notices: { sent: number; skipped: number; failed: number };
  revocations: { done: number; failed: number };
}

const MAX_ROUNDS = 100_000;

function emptyReport(): TickReport {
  return {
    claimed: 0,
    outcomes: { approved: 0, declined: 0, unknown: 0, deferred: 0, not_charged: 0, skipped: 0 },
    errors: 0,
    notices: { sent: 0, skipped: 0, failed: 0 },
    revocations: { done: 0, failed: 0 },
  };
}

/**
 * The renewal worker. A tick claims due subscriptions in batches (see `claimDueRenewals`: the
 * state change and the next step in one transaction, `FOR UPDATE SKIP LOCKED`), runs the
 * resulting charges and lookups after commit, and repeats until nothing is due at `now`; then
 * it delivers pending notices and revokes queued billing keys. Any number of processes may run
 * ticks against one PostgreSQL database at the same time; within one process ticks never
 * overlap (`runOnce` calls queue behind each other).
 */
export class RenewalWorker {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private beating: Promise<unknown> = Promise.resolve();
  private running = false;
  /** Set while `stop` waits: the tick in progress finishes its claimed work but claims no more. */
  private stopping = false;
  /** Provider-call durations of charges in ms, when a stopwatch was given. */
  readonly chargeDurations: number[] = [];
  readonly jobs: JobRunner;

  constructor(
    private readonly ctx: UseCaseContext,
    private readonly options: RenewalWorkerOptions,
  ) {
    this.jobs = options.jobs ?? createJobRunner(ctx, { notices: options.notices });
  }

  /** One tick at `now` (default: the injected clock). Tests call this directly. */
  runOnce(now: Date = this.ctx.clock.now()): Promise<TickReport> {
    const run = this.chain.then(() => this.tick(now));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Starts the background loop: a tick, then `tickMs` of rest, and so on. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.options.beforeTick?.();
        const r = await this.runOnce();
        this.options.afterTick?.('ok');
        if (r.claimed > 0 || r.notices.sent > 0) this.ctx.logger.info({ tick: r }, 'renewal tick');
      } catch (err) {
        this.options.afterTick?.('failed');
        this.ctx.logger.error({ err }, 'renewal tick failed');
      }
      if (this.running) this.timer = setTimeout(loop, this.options.tickMs);
    };
    this.timer = setTimeout(loop, 0);
    const hb = this.options.heartbeat;
    if (hb) {
      const beat = () => {
        this.beating = hb.beat().catch((err) => this.ctx.logger.warn({ err }, 'worker heartbeat failed'));
      };
      beat();
      this.heartbeatTimer = setInterval(beat, hb.intervalMs);
      this.heartbeatTimer.unref();
    }
  }

  /**
   * Stops the loop. The tick in progress claims nothing more; the charges it already claimed
   * run to their end and settle, so no lease is left behind for another worker to wait out.
   * Then the heartbeat record is removed.
   */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.stopping = true;
    try {
      await this.chain;
    } finally {
      this.stopping = false;
    }
    if (wasRunning && this.options.heartbeat) {
      await this.beating;
      await this.options.heartbeat.forget().catch((err) => this.ctx.logger.warn({ err }, 'worker heartbeat removal failed'));
    }
  }

  private async tick(now: Date): Promise<TickReport> {
    const report = emptyReport();
    const kinds = ['renewals', ...(this.options.reconcile ? ['reconcile'] : []), ...this.jobs.taskNames];
    // One statement says what is due; the parts with nothing due are skipped. Work that becomes due
    // after it (at or before `now`) stays due: the next tick finds it. Once a part has done
    // something (notices, revocations, events, lookups it queued), the parts after it look for
    // themselves, as every part does without a probe.
    let due = await probeDue(this.options.probe, now, kinds, this.ctx.logger);
    if (!due || due.has('renewals')) await Promise.all(Array.from({ length: Math.max(1, this.options.loops) }, () => this.drain(now, report)));
    if (report.claimed > 0 || report.errors > 0) due = null;
    const jobs = await this.jobs.runDue(now, due ?? undefined);
    if (jobs.notices) report.notices = { sent: jobs.notices.sent ?? 0, skipped: jobs.notices.skipped ?? 0, failed: jobs.notices.failed ?? 0 };
    if (jobs.revocations) report.revocations = { done: jobs.revocations.done ?? 0, failed: jobs.revocations.failed ?? 0 };
    if (Object.values(jobs).some((j) => j.processed > 0 || j.errors > 0)) due = null;
    if (this.options.reconcile && (!due || due.has('reconcile'))) await this.options.reconcile(now);
    return report;
  }

  private async drain(now: Date, report: TickReport): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS && !this.stopping; round++) {
      const { claimed, tasks } = await claimDueRenewals(this.ctx, now, this.options.batchSize);
      report.claimed += claimed;
      if (claimed === 0) return;
      const charges = tasks.filter((t): t is Extract<RenewalTask, { kind: 'charge' }> => t.kind === 'charge');
      await Promise.all([
        this.runCharges(charges, now, report),
        ...tasks.filter((t) => t.kind === 'sync').map((t) => this.runSync(t.paymentId, now, report)),
      ]);
    }
  }

  private async runCharges(tasks: Extract<RenewalTask, { kind: 'charge' }>[], now: Date, report: TickReport): Promise<void> {
    if (tasks.length === 0) return;
    const sw = this.options.stopwatch;
    try {
      const timing = sw ? { stopwatch: sw, record: (ms: number) => this.chargeDurations.push(ms) } : undefined;
      const outcomes = await chargeRenewals(this.ctx, tasks, now, timing);
      for (const o of outcomes) report.outcomes[o]++;
    } catch (err) {
      // Payments stay approving; their lease runs out and a lookup settles them.
      report.errors++;
      this.ctx.logger.error({ err, payments: tasks.length }, 'renewal charges failed');
    }
  }

  private async runSync(paymentId: string, now: Date, report: TickReport): Promise<void> {
    try {
      report.outcomes[await syncSubscriptionPayment(this.ctx, paymentId, now)]++;
    } catch (err) {
      report.errors++;
      this.ctx.logger.error({ err, payment_id: paymentId }, 'renewal lookup failed');
    }
  }
}
