import pg from 'pg';

export const TIMESTAMPTZ_OID = 1184;
/** node-postgres' own parser (postgres-date): every form PostgreSQL writes, about 1 µs a value. */
const general = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;

/** The digits of `s` from `from` to `to` as a number; NaN if any is not a digit. */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A `timestamptz` as written by PostgreSQL with `DateStyle = ISO`: `YYYY-MM-DD HH:MM:SS[.f…]±HH[:MM]`.
 * That form, with a year from 1000 to 9999, is read here without regular expressions (a few
 * times faster: the renewal worker reads some 25 timestamps per renewal); anything else (BC,
 * infinity, five-digit years, offsets with seconds of old local mean times) goes to
 * node-postgres' parser. Sub-millisecond digits are cut, as there.
 */
export function parseTimestamptz(s: string): Date {
  if (s.length < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return general(s);
  }
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    let frac = 0;
    let scale = 1;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      if (scale < 1000) {
        frac = frac * 10 + c;
        scale *= 10;
      }
    }
    if (j === i + 1) return general(s);
    ms = frac * (1000 / scale);
    i = j;
  }
  const sign = s.charCodeAt(i) === 43 ? 1 : s.charCodeAt(i) === 45 ? -1 : 0;
  const rest = s.length - i - 1;
  let offsetMin: number;
  if (sign !== 0 && rest === 2) offsetMin = digits(s, i + 1, i + 3) * 60;
  else if (sign !== 0 && rest === 5 && s.charCodeAt(i + 3) === 58) offsetMin = digits(s, i + 1, i + 3) * 60 + digits(s, i + 4, i + 6);
  else return general(s);
  const year = digits(s, 0, 4);
  if (!(year >= 1000)) return general(s);
  const t = Date.UTC(year, digits(s, 5, 7) - 1, digits(s, 8, 10), digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19), ms) - sign * offsetMin * 60_000;
  return Number.isNaN(t) ? general(s) : new Date(t);
}
