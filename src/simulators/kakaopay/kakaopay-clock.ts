/** The sandbox's clock: the injected base clock plus an offset moved by the control surface. */
export class SandboxClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number) {}

  /** Current time in ms since epoch. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `YYYY-MM-DDTHH:mm:ss` in Asia/Seoul (UTC+9, no DST), without offset, as KakaoPay sends it. */
export function formatKst(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19);
}

/** `YYYY-MM` of the KST calendar month containing `ms`. */
export function kstMonthKey(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 7);
}
