import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appendFileSync } from 'node:fs';

/**
 * Starts a tsx child process that prints one JSON line `{ready: …}` when it is up.
 * BENCH_CHILD_FLAGS (e.g. `--trace-gc`) are given to the children whose script name contains
 * BENCH_CHILD_FLAGS_FOR (default: every child), and BENCH_CHILD_STDOUT=<file> keeps the children's
 * other stdout lines there.
 */
export async function startChild(script: string, env: Record<string, string>): Promise<{ info: any; child: ChildProcess; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROF && script.includes(process.env.BENCH_CPU_PROF) ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? '/tmp/prof'}`] : [];
  const flagsFor = process.env.BENCH_CHILD_FLAGS_FOR;
  const flags = process.env.BENCH_CHILD_FLAGS && (!flagsFor || script.includes(flagsFor)) ? process.env.BENCH_CHILD_FLAGS.split(' ').filter(Boolean) : [];
  const keep = process.env.BENCH_CHILD_STDOUT;
  const child = spawn(process.execPath, [...profile, ...flags, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const info = await new Promise<any>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    rl.on('line', (line) => {
      if (line.startsWith('{"ready"')) resolve(JSON.parse(line).ready);
      else if (keep) appendFileSync(keep, `${line}\n`);
    });
  });
  return {
    info,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
