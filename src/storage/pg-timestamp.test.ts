import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { parseTimestamptz } from './pg-timestamp.ts';

const general = pg.types.getTypeParser(1184, 'text') as (value: string) => Date;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `at` as PostgreSQL writes a timestamptz (DateStyle ISO) in a zone `offsetMin` east of UTC, with `fracDigits` digits. */
function pgText(at: Date, offsetMin: number, fracDigits: number, micros: number): string {
  const local = new Date(at.getTime() + offsetMin * 60_000);
  let s = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (fracDigits > 0) s += '.' + pad(local.getUTCMilliseconds() * 1000 + micros, 6).slice(0, fracDigits);
  const a = Math.abs(offsetMin);
  s += (offsetMin < 0 ? '-' : '+') + pad(Math.floor(a / 60)) + (a % 60 ? `:${pad(a % 60)}` : '');
  return s;
}

describe('parseTimestamptz', () => {
  it('reads every ISO timestamptz as node-postgres does', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(0, 540, 330, 345, -210, -600, 840, -720, 60),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 999 }),
        (at, offset, frac, micros) => {
          const text = pgText(at, offset, frac, micros);
          expect(parseTimestamptz(text).getTime(), text).toBe(general(text).getTime());
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('hands the other forms to node-postgres', () => {
    for (const text of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '12345-01-01 00:00:00+00', '1890-01-01 00:00:00+08:27:52', '2026-12-05 23:29:22.+00']) {
      // node-postgres gives Infinity / -Infinity (numbers) for the infinities.
      expect(parseTimestamptz(text), text).toEqual(general(text));
    }
  });
});
