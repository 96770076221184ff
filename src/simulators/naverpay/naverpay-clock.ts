/** Sandbox clock: the injected base clock plus an offset moved by `POST /__sandbox/clock`. */
export class SandboxClock {
  #offsetMs = 0;

  constructor(private readonly baseNow: () => number) {}

  now(): number {
    return this.baseNow() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}

const KST_OFFSET_MS = 9 * 60 * 60_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyyMMddHHmmss` in KST, independent of the machine time zone. */
export function formatKstDateTime(ms: number): string {
  const d = new Date(ms + KST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** `yyyyMMdd` in KST. */
export function formatKstDate(ms: number): string {
  return formatKstDateTime(ms).slice(0, 8);
}

/** Parses `yyyyMMddHHmmss` (KST) into ms since epoch; undefined when malformed. */
export function parseKstDateTime(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s) - KST_OFFSET_MS;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
