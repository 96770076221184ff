import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from './renewal-harness.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

/**
 * A year of subscriptions on the test clock, through the API (`app.inject`), the worker
 * (`runOnce(now)`, also run by the sandbox clock endpoint after each move) and both
 * providers' sandboxes with scripted declines.
 */
let h: RenewalHarness;
// A year of test-clock travel is a tick per simulated day; leave room on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const PERIOD = 30 * DAY;

async function status(u: User) {
  return (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
}
async function renewal(u: User) {
  return (await h.api('GET', '/api/subscription/renewal', { token: u.token })).body;
}
async function mailbox(u: User) {
  return (await h.api('GET', `/api/sandbox/mailbox?email=${encodeURIComponent(u.email)}`, { token: await h.adminToken() })).body.notices as any[];
}

describe(`renewal batches (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a tick renews several due subscriptions in one buffered batch, without falling back to one at a time', async () => {
    const errors = vi.spyOn(h.services.ctx.logger, 'error');
    try {
      const users = [await h.signup(), await h.signup(), await h.signup()];
      for (const u of users) await h.subscribe('kakaopay', u);
      await h.advance(PERIOD + DAY);
      for (const u of users) {
        const approved = (await h.payments(u.userId)).filter((p) => p.status === 'approved');
        expect(approved).toHaveLength(2);
      }
      const batchFailures = errors.mock.calls.filter((c) => String(c[1] ?? '').includes('renewal batch failed'));
      expect(batchFailures.map((c) => String((c[0] as { err?: unknown })?.err))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});

describe.each<Provider>(['kakaopay', 'naverpay'])(`renewals with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('renews 12 times on time: one charge per period, periods contiguous, a notice 7 days before each', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const start = Date.parse(first.payment.period_start);
    expect(Date.parse(first.payment.period_end)).toBe(start + PERIOD);
    const sub0 = await h.subscriptionRow(u.userId);
    const key = sub0.billing_key!;
    const chargesBefore = (await h.charges(provider))[key] ?? 0;

    for (let i = 1; i <= 12; i++) {
      const tick1 = await h.advance(23 * DAY, u);
      expect(tick1.outcomes.approved).toBe(0);
      const r = await renewal(u);
      expect(r).toMatchObject({ auto_renew: true, next_charge_krw: 29000, next_plan: 'standard' });
      expect(Date.parse(r.next_charge_at)).toBe(start + i * PERIOD);
      const tick2 = await h.advance(7 * DAY, u);
      expect(tick2.outcomes.approved).toBe(1);
      const st = await status(u);
      expect(st).toMatchObject({ plan: 'standard', is_active: true, auto_trading_enabled: true, status: 'active' });
      expect(Date.parse(st.expire_date)).toBe(start + (i + 1) * PERIOD);
    }

    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toHaveLength(12);
    expect(renewals.every((p) => p.status === 'approved' && p.amount_krw === 29000 && p.recurring)).toBe(true);
    const periods = renewals.map((p) => [p.period_start!.getTime(), p.period_end!.getTime()]).sort((a, b) => a[0] - b[0]);
    periods.forEach(([s, e], i) => {
      expect(s).toBe(start + (i + 1) * PERIOD);
      expect(e).toBe(s + PERIOD);
    });
    expect((await h.charges(provider))[key]).toBe(chargesBefore + 12);
    const cycles = await h.db.db.selectFrom('billing_cycles').selectAll().execute();
    expect(cycles.map((c) => c.status)).toEqual(Array(12).fill('paid').concat(cycles.length > 12 ? ['scheduled'] : []));
    const notices = await mailbox(u);
    expect(notices.filter((n) => n.kind === 'renewal_upcoming')).toHaveLength(12);
    expect(notices[notices.length - 1].body).toContain('29,000원');
    expect(notices.every((n) => n.status === 'sent' && n.channel === 'mailbox')).toBe(true);
  });

  it('a declined renewal keeps access in the grace period and recovers on the second retry', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(23 * DAY, u);
    await h.declineNext(provider, 2);

    await h.advance(7 * DAY, u); // attempt 1: declined
    let st = await status(u);
    expect(st).toMatchObject({ status: 'past_due', is_active: true, auto_trading_enabled: true });
    let r = await renewal(u);
    expect(Date.parse(r.grace_until)).toBe(periodEnd + 7 * DAY);
    expect(Date.parse(r.next_charge_at)).toBe(periodEnd + 1 * DAY);
    const failed = (await mailbox(u)).filter((n) => n.kind === 'renewal_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].body).toContain('다른 결제 수단으로 결제하시면');

    await h.advance(1 * DAY, u); // retry 1: declined
    r = await renewal(u);
    expect(r.cycle).toMatchObject({ status: 'retrying', attempt_count: 2 });
    expect(Date.parse(r.next_charge_at)).toBe(periodEnd + 3 * DAY);

    const tick = await h.advance(2 * DAY, u); // retry 2: approved
    expect(tick.outcomes.approved).toBe(1);
    st = await status(u);
    expect(st).toMatchObject({ status: 'active', is_active: true });
    // The recovered period follows the old one without a gap.
    expect(Date.parse(st.expire_date)).toBe(periodEnd + PERIOD);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals.map((p) => p.status)).toEqual(['declined', 'declined', 'approved']);
    expect(renewals.map((p) => p.billing_cycle_id)).toEqual(Array(3).fill(renewals[0].billing_cycle_id));
    expect((await mailbox(u)).filter((n) => n.kind === 'renewal_failed')).toHaveLength(2);
    const events = await h.db.db.selectFrom('subscription_events').select(['type', 'from_status', 'to_status']).orderBy('id').execute();
    expect(events.map((e) => `${e.from_status}→${e.to_status}`)).toEqual(expect.arrayContaining(['active→past_due', 'past_due→past_due', 'past_due→active']));
  });

  it('declines until the grace period ends: the plan expires, auto-trading stops, the key is revoked', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'premium');
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.declineNext(provider, 10);
    await h.advance(7 * DAY, u); // attempt 1
    await h.advance(1 * DAY, u); // +1
    await h.advance(2 * DAY, u); // +3
    await h.advance(2 * DAY, u); // +5, the last retry
    let st = await status(u);
    expect(st).toMatchObject({ status: 'past_due', is_active: true, plan: 'premium', auto_trading_enabled: true });
    expect((await renewal(u)).next_charge_at).toBeNull();

    await h.advance(2 * DAY, u); // grace ends at +7 days
    st = await status(u);
    expect(st).toMatchObject({ status: 'expired', is_active: false, plan: 'free', auto_trading_enabled: false });
    const sub = await h.subscriptionRow(u.userId);
    expect(sub.ended_at!.getTime()).toBe(Date.parse(first.payment.period_end) + 7 * DAY);
    expect(sub.billing_key).toBeNull();
    expect(sub.next_renewal_at).toBeNull();
    expect(await h.keyActive(provider, key)).toBe(false);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals.map((p) => p.status)).toEqual(Array(4).fill('declined'));
    expect((await h.charges(provider))[key] ?? 0).toBe(provider === 'naverpay' ? 1 : 0); // NaverPay's first period was a charge on the key
    const kinds = (await mailbox(u)).map((n) => n.kind);
    expect(kinds.filter((k) => k === 'renewal_failed')).toHaveLength(4);
    expect(kinds).toContain('subscription_expired');
    const cycle = await h.db.db.selectFrom('billing_cycles').selectAll().executeTakeFirstOrThrow();
    expect(cycle).toMatchObject({ status: 'failed', attempt_count: 4 });
    // Nothing more happens later.
    expect((await h.advance(40 * DAY, u)).claimed).toBe(0);

    // A fresh checkout starts it again.
    await h.sandbox(provider, 'DELETE', '/__sandbox/script');
    await h.subscribe(provider, u, 'standard');
    expect(await status(u)).toMatchObject({ status: 'active', plan: 'standard', is_active: true });
  });

  it('a past_due subscriber recovers with another checkout; the open cycle is closed, the key replaced', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u);
    const oldKey = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(23 * DAY, u);
    await h.declineNext(provider, 1);
    await h.advance(7 * DAY, u);
    expect((await status(u)).status).toBe('past_due');
    const paid = await h.subscribe(provider, u);
    expect(paid.subscription).toMatchObject({ status: 'active', is_active: true });
    await h.tick();
    const sub = await h.subscriptionRow(u.userId);
    expect(sub.billing_key).not.toBe(oldKey);
    expect(sub.grace_until).toBeNull();
    const cycles = await h.db.db.selectFrom('billing_cycles').selectAll().orderBy('created_at').execute();
    expect(cycles[0]).toMatchObject({ status: 'canceled', closed_reason: 'superseded' });
    expect(await h.keyActive(provider, oldKey)).toBe(false);
    // The next renewal charges the new key.
    await h.advance(30 * DAY, u);
    expect((await h.charges(provider))[sub.billing_key!]).toBe(provider === 'naverpay' ? 2 : 1);
  });

  it('an upgrade mid-period charges the exact prorated amount at once and switches the plan', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(10 * DAY + 1_234_567, u);
    const now = h.now().getTime();
    const rem = BigInt(periodEnd - now);
    const credit = Number((29000n * rem) / BigInt(PERIOD));
    const newPart = Number((59000n * rem) / BigInt(PERIOD));
    const expected = newPart - credit;

    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' }, headers: { 'idempotency-key': 'upgrade-0001' } });
    expect(r.status).toBe(200);
    expect(r.body.change).toBe('upgraded');
    expect(r.body.proration).toMatchObject({ credit_krw: credit, new_plan_krw: newPart, charge_krw: expected });
    expect(r.body.payment).toMatchObject({ kind: 'upgrade', status: 'approved', amount_krw: expected, plan: 'premium' });
    expect(r.body.subscription).toMatchObject({ plan: 'premium', is_active: true });
    expect(Date.parse(r.body.subscription.expire_date)).toBe(periodEnd);
    // Same key: the stored answer; without a key: the same state, nothing charged again.
    const again = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' }, headers: { 'idempotency-key': 'upgrade-0001' } });
    expect(again.body).toEqual(r.body);
    const repeat = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect(repeat.body.change).toBe('unchanged');
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'upgrade')).toHaveLength(1);

    // The next renewal charges the new plan's full price.
    await h.advance(periodEnd - h.now().getTime(), u);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 59000, plan_id: 'premium' }]);
    const upcoming = (await mailbox(u)).filter((n) => n.kind === 'renewal_upcoming');
    expect(upcoming.at(-1).body).toContain('59,000원');
  });

  it('a downgrade waits for the renewal, then charges and switches to the cheaper plan', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'pro');
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(5 * DAY, u);
    const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } });
    expect(r.body).toMatchObject({ change: 'downgrade_scheduled', subscription: { plan: 'pro', pending_plan: 'standard' } });
    expect(Date.parse(r.body.effective_at)).toBe(periodEnd);
    expect((await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } })).body.change).toBe('downgrade_scheduled');
    await h.advance(18 * DAY, u);
    expect(await renewal(u)).toMatchObject({ next_charge_krw: 29000, next_plan: 'standard' });
    expect((await status(u)).plan).toBe('pro');
    await h.advance(7 * DAY, u);
    const st = await status(u);
    expect(st).toMatchObject({ plan: 'standard', pending_plan: null, is_active: true });
    expect(st.entitlements.auto_trading_monthly_limit_krw).toBe(5_000_000);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 29000, plan_id: 'standard' }]);
  });

  it('cancel keeps access and the key to the period end, resume is free; without a key resume registers one (0 won) and renews', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const periodEnd = Date.parse(first.payment.period_end);
    const oldKey = (await h.subscriptionRow(u.userId)).billing_key!;
    const charged = (await h.charges(provider))[oldKey] ?? 0;
    await h.advance(10 * DAY, u);

    const c = await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ changed: true, subscription: { is_active: true, auto_renew: false }, renewal: { has_billing_key: true, next_charge_at: null } });
    // Kept until the period end, so undoing the cancel needs no provider.
    expect(await h.keyActive(provider, oldKey)).toBe(true);
    expect((await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} })).body.changed).toBe(false);
    const back = await h.api('POST', '/api/subscription/resume', { token: u.token, body: {} });
    expect(back.body).toMatchObject({ resumed: true, subscription: { auto_renew: true } });
    expect((await h.subscriptionRow(u.userId)).billing_key).toBe(oldKey);

    // A one-off purchase (KakaoPay: a redirect checkout) has no key: resuming registers one through a 0-won checkout.
    const v = await h.signup();
    const once = await h.api('POST', '/api/payment/kakaopay/ready', { token: v.token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
    const paid = await h.completeCheckout('kakaopay', v, once.body.payment_id, once.body.checkout);
    const endV = Date.parse(paid.payment.period_end);
    expect((await h.subscriptionRow(v.userId)).billing_key).toBeNull();
    const r = await h.api('POST', '/api/subscription/resume', { token: v.token, body: { method: provider } });
    expect(r.status).toBe(200);
    expect(r.body.resumed).toBe(false);
    expect(r.body.checkout.style).toBe('redirect');
    const registration = await h.db.db.selectFrom('payments').selectAll().where('id', '=', r.body.payment_id).executeTakeFirstOrThrow();
    expect(registration).toMatchObject({ kind: 'registration', amount_krw: 0, recurring: true });
    const approved = await h.completeCheckout(provider, v, r.body.payment_id, r.body.checkout);
    expect(approved.payment).toMatchObject({ status: 'approved', amount_krw: 0, kind: 'registration' });
    expect(approved.subscription).toMatchObject({ auto_renew: true, is_active: true });
    expect(Date.parse(approved.subscription.expire_date)).toBe(endV);
    const newKey = (await h.subscriptionRow(v.userId)).billing_key!;
    expect(newKey).toBeTruthy();
    expect((await h.api('POST', '/api/subscription/resume', { token: v.token, body: {} })).body.resumed).toBe(true);

    await h.advance(endV - h.now().getTime() + 60_000, u);
    expect((await h.charges(provider))[oldKey]).toBe(charged + 1);
    expect(Date.parse((await status(u)).expire_date)).toBe(periodEnd + PERIOD);
    expect((await h.charges(provider))[newKey]).toBe(1);
    expect(Date.parse((await status(v)).expire_date)).toBe(endV + PERIOD);
  });

  it('with auto-renewal off the plan ends at the period end, with a notice', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    await h.advance(3 * DAY, u);
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    await h.advance(26 * DAY, u);
    expect(await status(u)).toMatchObject({ status: 'active', is_active: true, auto_renew: false });
    await h.advance(1 * DAY, u);
    expect(await status(u)).toMatchObject({ status: 'canceled', is_active: false, auto_trading_enabled: false });
    expect((await h.subscriptionRow(u.userId)).ended_at!.getTime()).toBe(Date.parse(first.payment.period_end));
    expect((await mailbox(u)).map((n) => n.kind)).toContain('subscription_ended');
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal')).toHaveLength(0);
  });
});

describe('price changes need consent', () => {
  it('does not charge a raised price without consent: no charge, the subscriber is told, the subscription ends with its period', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    // The price on sale is above the 25,000 won the subscriber agreed to.
    await h.db.db.updateTable('subscriptions').set({ agreed_price_krw: 25000 }).where('user_id', '=', u.userId).execute();
    await h.advance(23 * DAY, u);
    const consent = (await mailbox(u)).find((n) => n.kind === 'price_change_consent');
    expect(consent.body).toContain('25,000원에서 29,000원');
    expect(consent.body).toContain('구독이 종료됩니다');
    expect(await renewal(u)).toMatchObject({ price_consent_required: true, next_charge_krw: null, next_renewal: { charge_krw: null, consent: 'required' } });
    await h.advance(7 * DAY, u);
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal')).toHaveLength(0);
    expect(await status(u)).toMatchObject({ status: 'canceled', is_active: false });
    expect((await h.subscriptionRow(u.userId)).ended_at!.getTime()).toBe(Date.parse(first.payment.period_end));
    const ended = (await mailbox(u)).find((n) => n.kind === 'subscription_ended');
    expect(ended.subject).toContain('가격 변경 미동의');
    expect((await mailbox(u)).map((n) => n.kind)).not.toContain('renewal_failed');
  });

  it('charges the raised price once the subscriber consents; a consent to another amount is refused', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.db.db.updateTable('subscriptions').set({ agreed_price_krw: 25000 }).where('user_id', '=', u.userId).execute();
    await h.advance(23 * DAY, u);
    const wrong = await h.api('POST', '/api/subscription/consent', { token: u.token, body: { price_krw: 30000 } });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'AMOUNT_MISMATCH']);
    const ok = await h.api('POST', '/api/subscription/consent', { token: u.token, body: { price_krw: 29000 } });
    expect(ok.body).toMatchObject({ changed: true, renewal: { price_consent_required: false, next_charge_krw: 29000, next_renewal: { consent: 'given' } } });
    expect((await h.api('POST', '/api/subscription/consent', { token: u.token, body: { price_krw: 29000 } })).body.changed).toBe(false);
    await h.advance(7 * DAY, u);
    expect(await status(u)).toMatchObject({ status: 'active', is_active: true });
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal')).toMatchObject([{ status: 'approved', amount_krw: 29000 }]);
    expect((await h.subscriptionRow(u.userId)).agreed_price_krw).toBe(29000);
  });
});

describe('the test clock', () => {
  it('one 65-day jump runs a tick per day: two notices and two renewals, each on its day', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const start = Date.parse(first.payment.period_start);
    const tick = await h.advance(65 * DAY, u);
    expect(tick.outcomes.approved).toBe(2);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals.map((p) => p.created_at.getTime() - start)).toEqual([30 * DAY, 60 * DAY]);
    const upcoming = (await mailbox(u)).filter((n) => n.kind === 'renewal_upcoming');
    expect(upcoming.map((n) => Date.parse(n.created_at) - start)).toEqual([53 * DAY, 23 * DAY]);
  });

  it('a subscription never planned and long past its end (data from before renewals) lapses without a charge', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.db.db.updateTable('subscriptions').set({ next_renewal_at: null }).where('user_id', '=', u.userId).execute();
    await h.advance(40 * DAY, u);
    await h.db.db.updateTable('subscriptions').set({ next_renewal_at: h.now() }).where('user_id', '=', u.userId).execute();
    await h.tick();
    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'canceled', billing_key: null });
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal')).toHaveLength(0);
  });
});
