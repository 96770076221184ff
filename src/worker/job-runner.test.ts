import { describe, expect, it } from 'vitest';
import { JobRunner, taskBackoffMs } from './job-runner.ts';

const quiet = { info() {}, warn() {}, error() {} };
const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

describe('JobRunner', () => {
  it('runs each registered task in batches until a batch comes back short, and sums the counts', async () => {
    let queue = 25;
    const runner = new JobRunner(clock, quiet).register({
      name: 'q',
      batchSize: 10,
      run: async (_now, limit) => {
        const n = Math.min(limit, queue);
        queue -= n;
        return { processed: n, counts: { sent: n } };
      },
    });
    const r = await runner.runDue();
    expect(queue).toBe(0);
    expect(r.q).toMatchObject({ processed: 25, sent: 25, errors: 0 });
  });

  it('a task that throws is paused with backoff while the others go on', async () => {
    let calls = 0;
    let other = 0;
    const runner = new JobRunner(clock, quiet)
      .register({ name: 'bad', batchSize: 1, run: async () => (calls++, Promise.reject(new Error('db away'))) })
      .register({ name: 'good', batchSize: 5, run: async () => (other++, { processed: 0, counts: {} }) });
    const t0 = new Date('2026-12-01T00:00:00Z');
    expect((await runner.runDue(t0)).bad.errors).toBe(1);
    await runner.runDue(new Date(t0.getTime() + 1_000));
    expect(calls).toBe(1);
    await runner.runDue(new Date(t0.getTime() + taskBackoffMs(1)));
    expect(calls).toBe(2);
    expect(other).toBe(3);
    expect(taskBackoffMs(2)).toBe(10_000);
    expect(taskBackoffMs(99)).toBe(300_000);
  });

  it('with a probe, runs only the tasks it reports due; when the probe fails, every task runs', async () => {
    const ran: string[] = [];
    const task = (name: string) => ({ name, batchSize: 5, run: async () => (ran.push(name), { processed: 0, counts: {} }) });
    let probed: readonly string[] = [];
    let failing = false;
    const probe = async (_now: Date, kinds: readonly string[]) => {
      probed = kinds;
      if (failing) throw new Error('db away');
      return new Set(['b']);
    };
    const runner = new JobRunner(clock, quiet, probe).register(task('a')).register(task('b'));
    await runner.runDue();
    expect(probed).toEqual(['a', 'b']);
    expect(ran).toEqual(['b']);
    // The caller's own answer (the renewal tick's probe) is used as it is.
    ran.length = 0;
    probed = [];
    await runner.runDue(clock.now(), new Set(['a']));
    expect(probed).toEqual([]);
    expect(ran).toEqual(['a']);
    ran.length = 0;
    failing = true;
    await runner.runDue();
    expect(ran).toEqual(['a', 'b']);
  });

  it('once a task has done something, the tasks after it run whatever the probe said', async () => {
    const ran: string[] = [];
    let work = 1;
    const runner = new JobRunner(clock, quiet, async () => new Set(['a']))
      .register({ name: 'a', batchSize: 5, run: async () => (ran.push('a'), { processed: work, counts: {} }) })
      .register({ name: 'b', batchSize: 5, run: async () => (ran.push('b'), { processed: 0, counts: {} }) });
    await runner.runDue();
    expect(ran).toEqual(['a', 'b']);
    ran.length = 0;
    work = 0;
    await runner.runDue();
    expect(ran).toEqual(['a']);
  });

  it('refuses a task name twice', () => {
    const t = { name: 'x', batchSize: 1, run: async () => ({ processed: 0, counts: {} }) };
    expect(() => new JobRunner(clock, quiet).register(t).register(t)).toThrow();
  });
});
