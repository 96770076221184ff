import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness } from '../scenarios/renewal-harness.ts';

/**
 * docs/chaos.md finding 2: KakaoPay's subscription charge has no idempotency key, and a SID
 * lookup cannot see a charge that has not committed yet. A charge that commits later than the
 * sync delay must not be charged a second time because an early lookup said "not found".
 *
 * Timeouts: KAKAOPAY_TIMEOUT_MS 4 s, sync delay 1 s, so the hold before a "not found" may lead
 * to a new charge is max(1 s, 5 × 4 s) = 20 s of (test-clock) time since the last send.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });

const TIMEOUT_MS = 4000;

beforeAll(async () => {
  h = await startRenewalHarness({
    env: {
      KAKAOPAY_TIMEOUT_MS: String(TIMEOUT_MS),
      NAVERPAY_TIMEOUT_MS: String(TIMEOUT_MS),
      NAVERPAY_APPROVE_TIMEOUT_MS: String(TIMEOUT_MS),
      RENEWAL_SYNC_DELAY_SECONDS: '1',
    },
  });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function renewals(userId: string) {
  return (await h.payments(userId)).filter((p) => p.kind === 'renewal');
}

async function ledgerFor(orderId: string) {
  const { entries } = await h.sandbox('kakaopay', 'GET', '/__sandbox/ledger');
  return (entries as { partner_order_id: string; approved_krw: number }[]).filter((e) => e.partner_order_id === orderId);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`KakaoPay renewal charge that commits late (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a "not found" lookup before the late commit does not charge again; the lookup after the commit settles it; one charge', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    // The charge commits 7 s after it was sent: 3 s after our 4 s timeout (room for a busy machine).
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', delay: 'before', delay_ms: 7000 });
    // The first SID lookup is read at once (before the commit) and answered 3.5 s later (after it,
    // within its own 4 s timeout): "not found", at a moment when a new charge would go through.
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'status', delay: 'after', delay_ms: 3500, count: 1 });

    const tick = await h.advance(7 * DAY, u);
    expect(tick.outcomes.unknown).toBe(1);
    const [p] = await renewals(u.userId);
    expect(p.status).toBe('unknown');

    // Past the sync delay: the lookup says "not found", but the charge may still commit.
    await h.advance(2000, u);
    await h.tick();
    await sleep(1000);
    // No second charge at KakaoPay, even once the late one has committed.
    expect(await ledgerFor(p.id)).toHaveLength(1);
    expect((await renewals(u.userId))[0].status).toBe('unknown'); // the late charge has surely committed by now

    // The next lookup finds the first charge.
    await h.advance(2000, u);
    const [after] = await renewals(u.userId);
    expect(after).toMatchObject({ id: p.id, status: 'approved' });
    const st = (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
    expect(Date.parse(st.expire_date)).toBe(Date.parse(first.payment.period_end) + 30 * DAY);

    // Well past the hold: nothing is charged again.
    await h.advance(60_000, u);
    await h.advance(1 * DAY, u);
    expect(await ledgerFor(p.id)).toHaveLength(1);
    expect((await h.charges('kakaopay'))[key]).toBe(1);
    expect((await renewals(u.userId)).filter((r) => r.status === 'approved')).toHaveLength(1);
  });

  it('-785 (an earlier attempt is in flight) keeps the payment unknown, counts no decline, and charges again only after the hold', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', error_code: -785 });

    const tick = await h.advance(7 * DAY, u);
    expect(tick.outcomes.unknown).toBe(1);
    const [p] = await renewals(u.userId);
    expect(p.status).toBe('unknown');
    const admin = await h.adminToken();
    const failed = async () =>
      (await h.api('GET', '/api/sandbox/mailbox', { token: admin })).body.notices.filter((n: any) => n.kind === 'renewal_failed');
    expect(await failed()).toHaveLength(0);

    // Lookups within the hold find nothing and charge nothing.
    for (let i = 0; i < 3; i++) await h.advance(2000, u);
    expect((await renewals(u.userId))[0]).toMatchObject({ id: p.id, status: 'unknown' });
    expect((await h.charges('kakaopay'))[key]).toBeUndefined();

    // After the hold, "not found" proves nothing was charged: the same row is charged once.
    await h.advance(20_000, u);
    await h.tick();
    const [after] = await renewals(u.userId);
    expect(after).toMatchObject({ id: p.id, status: 'approved' });
    expect(await ledgerFor(p.id)).toHaveLength(1);
    expect(await failed()).toHaveLength(0);
  });
});
