import { describe, expect, it } from 'vitest';
import { SandboxIds } from './naverpay-ids.ts';

// reserveIds and recurrentIds carry `+`, `/` and `=` on purpose (naverpay-ids.ts), and tests rely on
// it: test/simulators/naverpay-recurrent.test.ts sends one unencoded and expects its `+` to be
// read as a space. About one id in 200 lost its `+` when the `/` was forced over it.
describe('NaverPay sandbox ids', () => {
  it('every reserveId and recurrentId contains +, / and =', () => {
    const ids = new SandboxIds();
    const now = Date.parse('2026-12-04T00:00:00Z');
    for (let i = 0; i < 5_000; i++) {
      for (const id of [ids.reserveId(now), ids.recurrentId(now)]) {
        expect(id).toMatch(/^20261204[A-Za-z0-9+/]{38}==$/);
        expect(id).toContain('+');
        expect(id).toContain('/');
      }
    }
  });
});
