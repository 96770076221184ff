import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

/**
 * Refunds keep every remaining payment's covered period, the plan and the renewal calendar
 * consistent (issue 9, items 7, 9, 11, 12): each test drives the attack through the API with
 * the sandboxes and the test clock.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

/** A one-off KakaoPay checkout of `plan` (a prepaid extension when the plan is running). */
async function buyOnce(u: User, plan: string) {
  const r = await h.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan, auto_renew: false } });
  if (r.status !== 200) throw new Error(`ready failed: ${r.status} ${JSON.stringify(r.body)}`);
  const approved = await h.completeCheckout('kakaopay', u, r.body.payment_id, r.body.checkout);
  return approved.payment as { id: string; amount_krw: number; period_start: string; period_end: string };
}

const withdraw = (u: User, paymentId: string) => h.api('POST', `/api/payments/${paymentId}/withdraw`, { token: u.token });
const upgrade = async (u: User, plan: string) => {
  const r = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan } });
  if (r.status !== 200 || r.body.change !== 'upgraded') throw new Error(`upgrade failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.payment as { id: string; amount_krw: number };
};
const paymentRow = (id: string) => h.db.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe(`refunds keep the covered periods consistent (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('item 7: withdrawing the first of two prepaid periods moves the second onto the current period; cancel-now then prorates it', async () => {
    const u = await h.signup();
    const first = (await h.subscribe('kakaopay', u, 'pro')).payment;
    const start = Date.parse(first.period_start);
    const second = await buyOnce(u, 'pro');
    expect(Date.parse(second.period_start)).toBe(start + 30 * DAY);
    await h.advance(1 * DAY, u);

    const w = await withdraw(u, first.id);
    expect(w.status).toBe(201);
    expect(w.body.refund).toMatchObject({ status: 'succeeded', amount_krw: 99000 });

    // The second payment now pays for the period that is running.
    const moved = await paymentRow(second.id);
    expect([moved.period_start!.getTime(), moved.period_end!.getTime()]).toEqual([start, start + 30 * DAY]);
    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'active', plan_id: 'pro' });
    expect(sub.current_period_end.getTime()).toBe(start + 30 * DAY);
    // The renewal calendar follows the new end (re-planned at the next worker tick).
    expect(sub.next_renewal_at.getTime()).toBeLessThanOrEqual(start + 30 * DAY);

    const c = await h.api('POST', '/api/subscription/cancel-now', { token: u.token });
    expect(c.status).toBe(200);
    expect(c.body.lines).toHaveLength(1);
    // 29 whole days of 30 left: floor(99,000 × 29 / 30) = 95,700; the day used is kept.
    expect(c.body.lines[0]).toMatchObject({ payment_id: second.id, remaining_days: 29, period_days: 30, refund_krw: 95700, retained_krw: 3300 });
    expect(c.body.refunded_krw).toBe(95700);
  });

  it('item 7: withdrawing a prepaid period that has not started shortens the subscription by it; the running one is untouched', async () => {
    const u = await h.signup();
    const first = (await h.subscribe('kakaopay', u, 'standard')).payment;
    const start = Date.parse(first.period_start);
    await h.advance(2 * DAY, u);
    const second = await buyOnce(u, 'standard');
    await h.advance(1 * DAY, u);
    expect((await withdraw(u, second.id)).status).toBe(201);
    const kept = await paymentRow(first.id);
    expect([kept.period_start!.getTime(), kept.period_end!.getTime()]).toEqual([start, start + 30 * DAY]);
    expect((await h.subscriptionRow(u.userId)).current_period_end.getTime()).toBe(start + 30 * DAY);
  });

  it('items 7 and 12: after withdrawing the first of two prepaid periods, auto-renewal charges at the new end', async () => {
    const u = await h.signup();
    const first = (await h.subscribe('kakaopay', u, 'pro')).payment;
    const start = Date.parse(first.period_start);
    const second = await buyOnce(u, 'pro');
    await h.advance(1 * DAY, u);
    expect((await withdraw(u, first.id)).status).toBe(201);
    await h.tick();
    expect((await h.api('GET', '/api/subscription/renewal', { token: u.token })).body).toMatchObject({ auto_renew: true, next_charge_krw: 99000 });

    await h.advance(start + 30 * DAY - h.now().getTime(), u);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 99000, plan_id: 'pro' }]);
    expect(renewals[0].period_start.getTime()).toBe(start + 30 * DAY);
    const sub = await h.subscriptionRow(u.userId);
    expect(sub.status).toBe('active');
    expect(sub.current_period_end.getTime()).toBe(start + 60 * DAY);
    // Paid: the second payment (moved) and the renewal, end to end; the first refunded.
    const moved = await paymentRow(second.id);
    expect(moved.period_end!.getTime()).toBe(renewals[0].period_start.getTime());
  });

  it('concurrent full refunds of two periods of one chain both settle; the third period moves onto the running one', async () => {
    const users = [];
    for (let i = 0; i < 3; i++) {
      const u = await h.signup();
      const first = (await h.subscribe('kakaopay', u, 'standard')).payment;
      const second = await buyOnce(u, 'standard');
      const third = await buyOnce(u, 'standard');
      users.push({ u, first, second, third, start: Date.parse(first.period_start) });
    }
    await h.advance(1 * DAY, users[0].u);
    // Settlements of one subscription lock its row first, then payments: no deadlock.
    const answers = await Promise.all(users.flatMap(({ u, first, second }) => [withdraw(u, second.id), withdraw(u, first.id)]));
    expect(answers.map((a) => [a.status, a.body.refund?.status])).toEqual(answers.map(() => [201, 'succeeded']));
    for (const { u, third, start } of users) {
      const moved = await paymentRow(third.id);
      expect([moved.period_start!.getTime(), moved.period_end!.getTime()]).toEqual([start, start + 30 * DAY]);
      const sub = await h.subscriptionRow(u.userId);
      expect(sub.status).toBe('active');
      expect(sub.current_period_end.getTime()).toBe(start + 30 * DAY);
    }
  });

  it('an upgrade withdrawn in the grace period (past_due) steps the plan back; the retry charges the lower price', async () => {
    const u = await h.signup();
    const base = (await h.subscribe('kakaopay', u, 'standard')).payment;
    const end = Date.parse(base.period_end);
    await h.advance(25 * DAY, u);
    const up = await upgrade(u, 'premium');
    await h.declineNext('kakaopay', 1);
    await h.advance(end - h.now().getTime(), u);
    expect(await h.subscriptionRow(u.userId)).toMatchObject({ status: 'past_due', plan_id: 'premium' });
    await h.advance(12 * HOUR, u);

    expect((await withdraw(u, up.id)).status).toBe(201);
    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'past_due', plan_id: 'standard', agreed_price_krw: 29000 });
    expect(sub.current_period_end.getTime()).toBe(end);
    // The retry (period start + 1 day) charges the standard price.
    await h.advance(end + DAY - h.now().getTime(), u);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals.map((p) => [p.status, p.amount_krw, p.plan_id])).toEqual([
      ['declined', 59000, 'premium'],
      ['approved', 29000, 'standard'],
    ]);
    expect(await h.subscriptionRow(u.userId)).toMatchObject({ status: 'active', plan_id: 'standard' });
  });

  it('item 12: withdrawing a prepaid extension puts the renewal back on the restored period end; auto-renewal charges there', async () => {
    const u = await h.signup();
    const base = (await h.subscribe('kakaopay', u, 'standard')).payment;
    const end = Date.parse(base.period_end);
    // The worker plans the renewal at the end and sends the notice (7 days ahead).
    await h.advance(24 * DAY, u);
    const ext = await buyOnce(u, 'standard');
    await h.tick();
    expect((await h.subscriptionRow(u.userId)).current_period_end.getTime()).toBe(end + 30 * DAY);
    await h.advance(HOUR, u);

    expect((await withdraw(u, ext.id)).status).toBe(201);
    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'active', auto_renew: true });
    expect(sub.current_period_end.getTime()).toBe(end);
    expect(sub.next_renewal_at.getTime()).toBeLessThanOrEqual(end);
    await h.tick();
    expect((await h.api('GET', '/api/subscription/renewal', { token: u.token })).body).toMatchObject({ auto_renew: true, next_charge_krw: 29000 });

    // At the restored end the renewal is charged and the subscription goes on.
    await h.advance(end - h.now().getTime(), u);
    const renewals = (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');
    expect(renewals).toMatchObject([{ status: 'approved', amount_krw: 29000 }]);
    expect(renewals[0].period_start.getTime()).toBe(end);
    const after = await h.subscriptionRow(u.userId);
    expect(after.status).toBe('active');
    expect(after.current_period_end.getTime()).toBe(end + 30 * DAY);
    // The cycle superseded when the extension was bought was scheduled again and paid (one row per period).
    const cycles = await h.db.db.selectFrom('billing_cycles').selectAll().where('subscription_id', '=', after.id).orderBy('period_start').execute();
    expect(cycles.filter((c) => c.period_start.getTime() === end)).toMatchObject([{ status: 'paid', id: renewals[0].billing_cycle_id }]);
  });
});

describe.each<Provider>(['kakaopay', 'naverpay'])(`upgrades and refunds with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('item 9: refunding the older of two stacked upgrades keeps only the plan the remaining money pays for', async () => {
    const u = await h.signup();
    const base = (await h.subscribe(provider, u, 'standard')).payment;
    const periodEnd = Date.parse(base.period_end);
    await h.advance(2 * DAY, u);
    const toPremium = await upgrade(u, 'premium');
    await h.advance(1 * DAY, u);
    const toPro = await upgrade(u, 'pro');
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('pro');
    await h.advance(1 * DAY, u);

    const w = await withdraw(u, toPremium.id);
    expect(w.status).toBe(201);
    // Left for the rest of the period: standard (29,000) + the pro−premium difference (40,000)
    // = 69,000 per 30 days: premium (59,000) is paid for, pro (99,000) is not.
    const sub = await h.subscriptionRow(u.userId);
    expect(sub).toMatchObject({ status: 'active', plan_id: 'premium', agreed_price_krw: 59000 });
    expect(sub.current_period_end.getTime()).toBe(periodEnd);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ plan: 'premium', is_active: true });
    await h.tick();
    expect((await h.api('GET', '/api/subscription/renewal', { token: u.token })).body).toMatchObject({ next_plan: 'premium', next_charge_krw: 59000 });

    // Then the pro upgrade too: only the standard payment is left.
    expect((await withdraw(u, toPro.id)).status).toBe(201);
    expect(await h.subscriptionRow(u.userId)).toMatchObject({ status: 'active', plan_id: 'standard', agreed_price_krw: 29000 });
  });

  it('item 9: refunding the newer upgrade first, then the older one, steps the plan back one payment at a time', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.advance(2 * DAY, u);
    const toPremium = await upgrade(u, 'premium');
    await h.advance(1 * DAY, u);
    const toPro = await upgrade(u, 'pro');
    expect((await withdraw(u, toPro.id)).status).toBe(201);
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('premium');
    expect((await withdraw(u, toPremium.id)).status).toBe(201);
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('standard');
  });

  it('item 11: cancel-now prorates an upgrade payment over its own period (upgrade instant → period end)', async () => {
    const u = await h.signup();
    const base = (await h.subscribe(provider, u, 'standard')).payment;
    await h.advance(10 * DAY, u);
    const up = await upgrade(u, 'premium');
    // 20 of 30 days left: floor(59,000 × 2/3) − floor(29,000 × 2/3) = 39,333 − 19,333.
    expect(up.amount_krw).toBe(20000);
    await h.advance(1 * DAY + HOUR, u);

    const c = await h.api('POST', '/api/subscription/cancel-now', { token: u.token });
    expect(c.status).toBe(200);
    const byId = Object.fromEntries(c.body.lines.map((l: any) => [l.payment_id, l]));
    // 18 whole days left of the base payment's 30: floor(29,000 × 18 / 30).
    expect(byId[base.id]).toMatchObject({ remaining_days: 18, period_days: 30, refund_krw: 17400 });
    // 18 whole days left of the upgrade's 20: floor(20,000 × 18 / 20) (not / 30).
    expect(byId[up.id]).toMatchObject({ remaining_days: 18, period_days: 20, refund_krw: 18000, retained_krw: 2000 });
    expect(c.body.refunded_krw).toBe(17400 + 18000);
  });
});
