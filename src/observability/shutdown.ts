export interface ShutdownLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0; exits 1 if it throws or takes longer
 * than `timeoutMs` (the orchestrator's kill would come next anyway).
 */
export function onShutdownSignal(logger: ShutdownLogger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, timeout_ms: timeoutMs }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeout_ms: timeoutMs }, 'shutdown did not finish in time');
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      stop().then(
        () => {
          logger.info({}, 'stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
