import { AppError } from '../domain/errors.ts';
import type { AdjustableClock } from '../domain/test-clock.ts';

export interface TestClockDeps {
  clock: AdjustableClock;
  /** Moves the provider sandboxes' clocks by the same amount. */
  providerClocks: (advanceMs: number) => Promise<Record<string, { ok: boolean; now?: number; error?: string }>>;
  /** A renewal-worker tick at the new time, so due renewals happen at once. */
  runTick: (now: Date) => Promise<unknown>;
  /** Records the new offset where worker processes read it before each tick (`npm run worker`). */
  persist?: (offsetMs: number) => Promise<void>;
}

export interface AdvanceTestClockResult {
  now: Date;
  offsetMs: number;
  providers: Record<string, { ok: boolean; now?: number; error?: string }>;
  /** The ticks' reports, numbers summed over the steps. */
  tick: unknown;
  steps: number;
}

const MAX_ADVANCE_MS = 5 * 366 * 24 * 60 * 60 * 1000;
/** A long jump is made in steps of at most a day, with a tick after each, as if time had passed. */
const STEP_MS = 24 * 60 * 60 * 1000;

/**
 * Sandbox mode's test clock: moves the service's clock forward (it only moves forward) and
 * both sandboxes' clocks by the same amount, running a worker tick at each step: a 60-day jump
 * sends the notices and makes the two renewals on their days, as two months of real time would.
 */
export async function advanceTestClock(deps: TestClockDeps, advanceMs: number): Promise<AdvanceTestClockResult> {
  if (!Number.isSafeInteger(advanceMs) || advanceMs < 0 || advanceMs > MAX_ADVANCE_MS) {
    throw new AppError('VALIDATION_FAILED', '시계는 0 이상, 5년 이하로만 앞으로 움직일 수 있습니다.', { advance_ms: advanceMs });
  }
  let remaining = advanceMs;
  let steps = 0;
  let providers: AdvanceTestClockResult['providers'] = {};
  let tick: unknown = undefined;
  do {
    const step = Math.min(remaining, STEP_MS);
    remaining -= step;
    steps++;
    const now = deps.clock.advance(step);
    await deps.persist?.(deps.clock.offset);
    const moved = await deps.providerClocks(step);
    // A sandbox that did not move once stays reported as not moved.
    for (const [p, r] of Object.entries(moved)) if (!providers[p] || providers[p].ok) providers = { ...providers, [p]: r };
    tick = sumReports(tick, await deps.runTick(now));
  } while (remaining > 0);
  return { now: deps.clock.now(), offsetMs: deps.clock.offset, providers, tick, steps };
}

/** Adds the numbers of two tick reports field by field. */
function sumReports(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? sumReports(out[k], v) : v;
    return out;
  }
  return b;
}

/** "30d", "12h", "90m", "45s", "1500ms" or a plain number of ms → ms. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a duration: ${text} (e.g. 30d, 12h, 90m, 45s, 1500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms').toLowerCase() as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
