interface PendingDelay {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/** Timers for latency and scripted delays; `releaseAll` ends them early so the app can close. */
export class SandboxDelays {
  private readonly pending = new Set<PendingDelay>();

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const entry: PendingDelay = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  releaseAll(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.pending.clear();
  }
}
