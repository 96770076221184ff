import { describe, expect, it } from 'vitest';
import { ProviderDeclinedError } from '../../domain/errors.ts';
import { krw } from '../../domain/money.ts';
import { fromSidStatusForCharge } from './kakaopay-mapping.ts';

const status = (last: string | null) => ({
  available: true,
  cid: 'TCSUBSCRIP',
  sid: 'S1234567890123456789',
  status: 'ACTIVE',
  payment_method_type: 'CARD' as const,
  item_name: 'x',
  created_at: '2026-01-01T09:00:00',
  last_approved_at: last,
  inactivated_at: null,
});

describe('KakaoPay charge lookup by SID status (lost subscription answer)', () => {
  const attemptedAt = new Date('2026-02-01T00:00:00.500Z'); // 09:00:00.5 KST
  const charge = { attemptedAt, amountKrw: krw(29000), clockSlackMs: 60_000 };

  it('an approval at or after the attempt is that charge; the tid stays unknown', () => {
    const r = fromSidStatusForCharge(status('2026-02-01T09:00:01'), {}, charge);
    expect(r).toMatchObject({ status: 'approved', amountKrw: 29000, billingKey: 'S1234567890123456789', orderRef: null });
    expect(r.providerRef).toBe('sid:S1234567890123456789@2026-02-01T09:00:01');
    expect(r.occurredAt).toEqual(new Date('2026-02-01T00:00:01Z'));
  });
  it('allows clock skew within the slack (KST has whole seconds)', () => {
    expect(fromSidStatusForCharge(status('2026-02-01T08:59:30'), {}, charge).status).toBe('approved');
  });
  it('an older approval (the previous period) or none means nothing was charged', () => {
    for (const last of ['2026-01-02T09:00:00', null]) {
      expect(() => fromSidStatusForCharge(status(last), {}, charge)).toThrow(ProviderDeclinedError);
      try {
        fromSidStatusForCharge(status(last), {}, charge);
      } catch (e) {
        expect((e as ProviderDeclinedError).reason).toBe('not_found');
      }
    }
  });
});
