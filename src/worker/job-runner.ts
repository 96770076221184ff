import type { Clock } from '../domain/ports.ts';
import type { Logger } from '../use-cases/context.ts';

/** What one run of a task did: `processed` items (compared with the batch to know whether more wait) and named counts. */
export interface JobTaskResult {
  processed: number;
  counts: Record<string, number>;
}

/**
 * A kind of background job. `run` claims up to `limit` due items itself (FOR UPDATE SKIP LOCKED
 * and a lease in the task's own table, so any number of processes may run it at once), does the
 * work outside the claiming transaction, and records each item's outcome and its next attempt.
 */
export interface JobTask {
  name: string;
  /** Items claimed per run. */
  batchSize: number;
  run(now: Date, limit: number): Promise<JobTaskResult>;
}

/**
 * Which of `kinds` (task names, and the renewal tick's own `renewals` and `reconcile`) may have
 * work due at `now`: one cheap statement (storage/repositories/due-work-probe.ts). A kind it
 * leaves out had nothing due when asked; kinds it does not know come back due.
 */
export type DueProbe = (now: Date, kinds: readonly string[]) => Promise<ReadonlySet<string>>;

export type JobRunReport = Record<string, Record<string, number> & { processed: number; errors: number }>;

/** Task-level pause after a run that threw (the database away, a bug): 5 s · 2ⁿ, at most 5 min. */
export function taskBackoffMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), 5 * 60_000);
}

const MAX_ROUNDS = 1_000;

/**
 * The one job runner of the worker (issue 10 item 4): webhook deliveries, notices and billing-key
 * revocations are registered tasks. `runDue(now)` runs each task in batches until a batch comes
 * back short (nothing more due at `now`). A task that throws is logged and paused with backoff
 * while the others go on. Calls within one process queue behind each other.
 */
export class JobRunner {
  private readonly tasks: JobTask[] = [];
  private readonly paused = new Map<string, { failures: number; until: number }>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Lets a run skip the tasks with nothing due (default: every task runs and looks for itself). */
    private readonly probe?: DueProbe,
  ) {}

  register(task: JobTask): this {
    if (this.tasks.some((t) => t.name === task.name)) throw new Error(`job task ${task.name} registered twice`);
    this.tasks.push(task);
    return this;
  }

  get taskNames(): string[] {
    return this.tasks.map((t) => t.name);
  }

  /**
   * Runs the due work of every task. `due`: what the caller's probe found due at `now` (the renewal
   * tick asks once for its own work and the tasks'); without it the runner asks its probe, if any.
   */
  runDue(now: Date = this.clock.now(), due?: ReadonlySet<string>): Promise<JobRunReport> {
    const run = this.chain.then(async () => this.runAll(now, due ?? (await probeDue(this.probe, now, this.taskNames, this.logger))));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Its own loop (`tickMs` apart), so webhook retries due in seconds need not wait for the renewal tick. */
  start(tickMs: number): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.runDue();
      } catch (err) {
        this.logger.error({ err }, 'job runner tick failed');
      }
      if (this.running) this.timer = setTimeout(loop, tickMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }

  private async runAll(now: Date, probed: ReadonlySet<string> | null): Promise<JobRunReport> {
    const report: JobRunReport = {};
    let due = probed;
    for (const task of this.tasks) {
      const entry = (report[task.name] = { processed: 0, errors: 0 } as JobRunReport[string]);
      const pause = this.paused.get(task.name);
      if (pause && pause.until > now.getTime()) continue;
      if (due && !due.has(task.name)) continue;
      try {
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const r = await task.run(now, task.batchSize);
          entry.processed += r.processed;
          for (const [k, v] of Object.entries(r.counts)) entry[k] = (entry[k] ?? 0) + v;
          if (r.processed < task.batchSize) break;
        }
        this.paused.delete(task.name);
        // What this task did may have made work due for the tasks after it: they look for themselves.
        if (entry.processed > 0) due = null;
      } catch (err) {
        due = null;
        entry.errors++;
        const failures = (pause?.failures ?? 0) + 1;
        this.paused.set(task.name, { failures, until: now.getTime() + taskBackoffMs(failures) });
        this.logger.error({ err, task: task.name }, 'job task failed; paused');
      }
    }
    return report;
  }
}

/** Asks `probe` which of `kinds` are due; null (run everything) without a probe or when it fails. */
export async function probeDue(probe: DueProbe | undefined, now: Date, kinds: readonly string[], logger: Logger): Promise<ReadonlySet<string> | null> {
  if (!probe) return null;
  try {
    return await probe(now, kinds);
  } catch (err) {
    logger.warn({ err }, 'due-work probe failed; every task looks for itself');
    return null;
  }
}
