import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './payments-csv.ts';

describe('CSV fields (RFC 4180, spreadsheet-safe)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+82-10', "'+82-10"],
    ['-5', "'-5"],
    ['@cmd', "'@cmd"],
    ['=1,2', `"'=1,2"`],
    ['카카오페이', '카카오페이'],
    ['a\u0000b', 'a\uFFFDb'],
    ['=\u0000', "'=\uFFFD"],
    ['x\uD800y', 'x\uFFFDy'],
    ['\uD83D\uDE00', '\uD83D\uDE00'],
    ['', ''],
  ])('%j → %s', (input, out) => {
    expect(csvField(input)).toBe(out);
  });
  it('writes numbers and empty values as they are, lines end in CRLF', () => {
    expect(csvLine([29000, null, undefined, -3, 'x'])).toBe('29000,,,-3,x\r\n');
  });
});
