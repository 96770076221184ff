import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * One restartable child process (`node --import tsx <script>`), its output appended to
 * `<logDir>/<name>.log`. `kill()` sends SIGKILL (no cleanup: that is the point).
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  starts = 0;
  /** Exits we did not cause, before the process was ready (boot) and after (a running process died). */
  bootFailures = 0;
  crashes = 0;
  /** Set when the current run of the process answered (its ready line, or `markReady`). */
  private ready = false;
  private expectingExit = false;
  /** Called after an exit we did not cause (a supervisor restarts the process). */
  onUnexpectedExit: ((p: ManagedProcess) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process; resolves with the first stdout line matching `readyLine`, if given. */
  start(readyLine?: RegExp): Promise<string | null> {
    this.starts += 1;
    this.ready = false;
    this.expectingExit = false;
    this.log.write(`\n--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', this.script], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (d) => this.log.write(d));
    return new Promise((resolve, reject) => {
      let buffered = '';
      let settled = false;
      child.stdout!.on('data', (d: Buffer) => {
        this.log.write(d);
        if (settled || !readyLine) return;
        buffered += d.toString('utf8');
        const m = buffered.match(readyLine);
        if (m) {
          settled = true;
          this.ready = true;
          resolve(m[1] ?? m[0]);
        }
      });
      child.once('exit', (code, signal) => {
        this.log.write(`--- exit code=${code} signal=${signal} at ${new Date().toISOString()}\n`);
        if (!this.expectingExit && this.child === child) {
          if (this.ready) this.crashes += 1;
          else this.bootFailures += 1;
          this.log.write(`--- unexpected exit (${this.ready ? 'running' : 'during boot'})\n`);
          queueMicrotask(() => this.onUnexpectedExit?.(this));
        }
        if (!settled) {
          settled = true;
          if (readyLine) reject(new Error(`${this.name} exited before it was ready (code ${code}, signal ${signal}); see its log`));
          else resolve(null);
        }
      });
      if (!readyLine) {
        settled = true;
        resolve(null);
      }
    });
  }

  markReady(): void {
    this.ready = true;
  }

  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM (orderly stop), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.expectingExit = true;
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(sig);
    });
  }

  close(): void {
    this.log.end();
  }
}
