import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';

/**
 * Cancel-now while a renewal charge is in flight (its outcome unknown): refused with
 * RENEWAL_IN_PROGRESS and nothing written; the quote says so. Once a lookup settles the
 * charge, cancel-now refunds it like any other payment.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });

beforeAll(async () => {
  h = await startRenewalHarness({
    env: { KAKAOPAY_TIMEOUT_MS: '1000', RENEWAL_SYNC_DELAY_SECONDS: '60' },
  });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

describe(`cancel-now during a renewal charge (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('is refused with 409 RENEWAL_IN_PROGRESS and nothing written until the charge settles', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.advance(23 * DAY, u);
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', delay: 'after', delay_ms: 2500 });
    expect((await h.advance(7 * DAY, u)).outcomes.unknown).toBe(1);
    const renewal = (await h.payments(u.userId)).find((p) => p.kind === 'renewal');
    expect(renewal.status).toBe('unknown');

    const quote = (await h.api('GET', '/api/subscription/cancel-now/quote', { token: u.token })).body;
    expect(quote).toMatchObject({ available: true, renewal_in_progress: true });

    const before = await h.subscriptionRow(u.userId);
    const refused = await h.api('POST', '/api/subscription/cancel-now', {
      token: u.token,
      body: { quote: { quoted_at: quote.quoted_at, refund_krw: quote.refund_krw } },
    });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'RENEWAL_IN_PROGRESS']);
    expect(refused.body.error.details).toEqual({ payment_ids: [renewal.id] });
    expect(await h.subscriptionRow(u.userId)).toEqual(before);
    expect(await (h.db.db as any).selectFrom('refunds').select('id').execute()).toEqual([]);
    expect(await h.db.db.selectFrom('billing_key_revocations').selectAll().execute()).toEqual([]);

    // The lookup settles the charge (approved): the renewal is now a paid period cancel-now refunds.
    await new Promise((r) => setTimeout(r, 1600));
    expect((await h.advance(61_000, u)).outcomes.approved).toBe(1);
    const after = (await h.api('GET', '/api/subscription/cancel-now/quote', { token: u.token })).body;
    expect(after.renewal_in_progress).toBe(false);
    expect(after.lines.map((l: any) => l.payment_id)).toContain(renewal.id);
    const ok = await h.api('POST', '/api/subscription/cancel-now', {
      token: u.token,
      body: { quote: { quoted_at: after.quoted_at, refund_krw: after.refund_krw } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.subscription.status).toBe('canceled');
  });
});
