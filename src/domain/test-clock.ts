import type { Clock } from './ports.ts';

/**
 * A clock that can be moved forward (sandbox mode's test clock, and tests).
 * It adds an offset to a base clock, so time keeps flowing after a jump.
 */
export class AdjustableClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: Clock) {}
  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    return this.now();
  }
  get offset(): number {
    return this.offsetMs;
  }
}
