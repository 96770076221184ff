import { AppError } from '../domain/errors.ts';
import type { AdjustableClock } from '../domain/test-clock.ts';

export interface TestClockDeps {
  clock: AdjustableClock;
  /** Moves the provider sandboxes' clocks by the same amount. */
  providerClocks: (advanceMs: number) => Promise<Record<string, { ok: boolean; now?: number; error?: string }>>;
  /** A renewal-worker tick at the new time, so due renewals happen at once. */
  runTick: (now: Date) => Promise<unknown>;
}

export interface AdvanceTestClockResult {
  now: Date;
  offsetMs: number;
  providers: Record<string, { ok: boolean; now?: number; error?: string }>;
  tick: unknown;
}

const MAX_ADVANCE_MS = 5 * 366 * 24 * 60 * 60 * 1000;

/**
 * Sandbox mode's test clock: moves the service's clock forward (it only moves forward), then
 * both sandboxes' clocks, then runs one worker tick at the new time.
 */
export async function advanceTestClock(deps: TestClockDeps, advanceMs: number): Promise<AdvanceTestClockResult> {
  if (!Number.isSafeInteger(advanceMs) || advanceMs < 0 || advanceMs > MAX_ADVANCE_MS) {
    throw new AppError('VALIDATION_FAILED', '시계는 0 이상, 5년 이하로만 앞으로 움직일 수 있습니다.', { advance_ms: advanceMs });
  }
  const now = deps.clock.advance(advanceMs);
  const providers = await deps.providerClocks(advanceMs);
  const tick = await deps.runTick(now);
  return { now, offsetMs: deps.clock.offset, providers, tick };
}

/** "30d", "12h", "90m", "45s", "1500ms" or a plain number of ms → ms. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a duration: ${text} (e.g. 30d, 12h, 90m, 45s, 1500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms').toLowerCase() as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
