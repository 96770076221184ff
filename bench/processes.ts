import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts a tsx child process that prints one JSON line `{ready: …}` when it is up. */
export async function startChild(script: string, env: Record<string, string>): Promise<{ info: any; child: ChildProcess; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROF && script.includes(process.env.BENCH_CPU_PROF) ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? '/tmp/prof'}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const info = await new Promise<any>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    rl.on('line', (line) => {
      if (line.startsWith('{"ready"')) resolve(JSON.parse(line).ready);
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
