import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

/**
 * The checkout money loops of issue 9 (items 8, 10 and 13), each reproduced through the API
 * with both sandboxes and the test clock. The rules are written in docs/checkout-rules.md.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const MIN = 60_000;
const PERIOD = 30 * DAY;

async function status(u: User) {
  return (await h.api('GET', '/api/subscription/status', { token: u.token })).body;
}

async function ready(provider: Provider, u: User, plan: string, autoRenew = false) {
  const r = await h.api('POST', `/api/payment/${provider}/ready`, { token: u.token, body: { ...ORDER_CONSENT, plan, auto_renew: autoRenew } });
  return r;
}

/** Authorizes a checkout at the sandbox (as the browser would) and returns the approve body. */
async function authorize(provider: Provider, paymentId: string, checkout: any): Promise<Record<string, string>> {
  const ref = (await h.db.db.selectFrom('payments').select('checkout_ref').where('id', '=', paymentId).executeTakeFirstOrThrow()).checkout_ref;
  if (provider === 'kakaopay') {
    const a = await h.sandbox('kakaopay', 'POST', `/__sandbox/tids/${ref}/authorize`, { action: 'approve', method: 'CARD' });
    return { payment_id: paymentId, tid: ref!, pg_token: new URL(a.redirect_url).searchParams.get('pg_token')! };
  }
  const a =
    checkout.style === 'sdk'
      ? await h.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...checkout.create, ...checkout.open, action: 'approve' })
      : await h.sandbox('naverpay', 'POST', `/__sandbox/reserves/${encodeURIComponent(ref!)}/authorize`, { action: 'approve' });
  const params = Object.fromEntries(new URL(a.redirect_url).searchParams);
  return { ...params, payment_id: paymentId };
}

async function approve(provider: Provider, u: User, body: Record<string, string>) {
  return h.api('POST', `/api/payment/${provider}/approve`, { token: u.token, body });
}

async function paymentRow(id: string) {
  return h.db.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const other = (p: Provider): Provider => (p === 'kakaopay' ? 'naverpay' : 'kakaopay');

describe.each<Provider>(['kakaopay', 'naverpay'])(`checkout money loops with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('item 8: an upgrade checkout with the other provider, approved after a renewal moved the period, is refused and never approved', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    await h.advance(periodEnd - 5 * MIN - h.now().getTime(), u);
    // Priced for the last 5 minutes of the period: a few won.
    const change = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro', method: other(provider) } });
    expect(change.status).toBe(200);
    expect(change.body.change).toBe('checkout_required');
    expect(change.body.proration.charge_krw).toBeLessThan(100);
    const body = await authorize(other(provider), change.body.payment_id, change.body.checkout);
    // The renewal charges standard for the next period.
    await h.advance(6 * MIN, u);
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal').map((p) => p.status)).toEqual(['approved']);
    const r = await approve(other(provider), u, body);
    expect([r.status, r.body.error?.code]).toEqual([409, 'PLAN_CHANGE_STALE']);
    expect(await status(u)).toMatchObject({ plan: 'standard', is_active: true });
    const upgrade = await paymentRow(change.body.payment_id);
    expect(upgrade.status).toBe('abandoned');
    expect(upgrade.failure_code).toBe('PLAN_CHANGE_STALE');
    expect(upgrade.approved_at).toBeNull();
  });

  it('item 8: 90 days of standard then an upgrade priced for 30 days cannot buy 90 days of pro', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    // No billing key: the upgrade is a checkout for 30 days of the price difference (70,000 won).
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    const change = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } });
    expect(change.body).toMatchObject({ change: 'checkout_required', proration: { charge_krw: 70000 } });
    const body = await authorize(provider, change.body.payment_id, change.body.checkout);
    // Two more standard periods, bought while the upgrade waits.
    for (let i = 0; i < 2; i++) {
      const r = await ready(provider, u, 'standard');
      expect(r.status).toBe(200);
      expect((await approve(provider, u, await authorize(provider, r.body.payment_id, r.body.checkout))).status).toBe(200);
    }
    expect(Date.parse((await status(u)).expire_date)).toBe(periodEnd + 2 * PERIOD);
    const r = await approve(provider, u, body);
    expect(r.status).toBe(409);
    expect(['PLAN_CHANGE_STALE', 'PAYMENT_NOT_APPROVABLE']).toContain(r.body.error.code);
    expect(await status(u)).toMatchObject({ plan: 'standard' });
    expect((await paymentRow(change.body.payment_id)).approved_at).toBeNull();
  });

  it('item 8: a period that moves while the provider approves is caught at settlement and the payment cancelled at the provider', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    await h.advance(10 * DAY, u);
    const change = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect(change.body.change).toBe('checkout_required');
    const body = await authorize(provider, change.body.payment_id, change.body.checkout);
    if (provider === 'kakaopay') await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'approve', delay: 'before', delay_ms: 800 });
    else await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'approve', delay_ms: 800 });
    const pending = approve(provider, u, body);
    await new Promise((res) => setTimeout(res, 300));
    // Another writer moved the period after the approval was claimed (as a late renewal would).
    const sub = await h.subscriptionRow(u.userId);
    await h.db.db
      .updateTable('subscriptions')
      .set({ current_period_end: new Date(sub.current_period_end!.getTime() + PERIOD) })
      .where('id', '=', sub.id)
      .execute();
    const r = await pending;
    expect([r.status, r.body.error?.code]).toEqual([409, 'PLAN_CHANGE_STALE']);
    const row = await paymentRow(change.body.payment_id);
    expect(row).toMatchObject({ status: 'declined', failure_code: 'PLAN_CHANGE_STALE' });
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('standard');
    // Approved at the provider, then cancelled in full there.
    const at = await h.sandbox(provider, 'GET', `/__sandbox/payments/${encodeURIComponent(row.provider_ref!)}`);
    if (provider === 'kakaopay') expect(at.status).toBe('CANCEL_PAYMENT');
    else expect(at.remaining.total).toBe(0);
  });

  it('item 8: the billing-key charge gets the same check: a period moved during the charge cancels it at the provider', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u, 'standard');
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(10 * DAY, u);
    if (provider === 'kakaopay') await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'subscription', delay: 'before', delay_ms: 800 });
    else await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'recurrent_pay_approve', delay: 'before', delay_ms: 800 });
    const pending = h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    await new Promise((res) => setTimeout(res, 300));
    const sub = await h.subscriptionRow(u.userId);
    await h.db.db
      .updateTable('subscriptions')
      .set({ current_period_end: new Date(sub.current_period_end!.getTime() + PERIOD) })
      .where('id', '=', sub.id)
      .execute();
    const r = await pending;
    expect([r.status, r.body.error?.code]).toEqual([409, 'PLAN_CHANGE_STALE']);
    const upgrade = (await h.payments(u.userId)).find((p) => p.kind === 'upgrade')!;
    expect(upgrade).toMatchObject({ status: 'declined', failure_code: 'PLAN_CHANGE_STALE' });
    expect((await h.subscriptionRow(u.userId)).plan_id).toBe('standard');
    const at = await h.sandbox(provider, 'GET', `/__sandbox/payments/${encodeURIComponent(upgrade.provider_ref!)}`);
    if (provider === 'kakaopay') expect(at.status).toBe('CANCEL_PAYMENT');
    else expect(at.remaining.total).toBe(0);
    expect(await h.keyActive(provider, key)).toBe(true);
  });

  it('item 10: two checkouts for different plans cannot both be approved; a new ready supersedes the earlier one', async () => {
    const u = await h.signup();
    const a = await ready(provider, u, 'standard');
    const b = await ready(provider, u, 'pro');
    expect([a.status, b.status]).toEqual([200, 200]);
    const bodyA = await authorize(provider, a.body.payment_id, a.body.checkout);
    const bodyB = await authorize(provider, b.body.payment_id, b.body.checkout);
    const ra = await approve(provider, u, bodyA);
    expect([ra.status, ra.body.error?.code]).toEqual([409, 'PAYMENT_NOT_APPROVABLE']);
    const rb = await approve(provider, u, bodyB);
    expect(rb.status).toBe(200);
    const paid = (await h.payments(u.userId)).filter((p) => p.approved_at !== null);
    expect(paid.map((p) => [p.plan_id, Number(p.amount_krw)])).toEqual([['pro', 99000]]);
    expect((await paymentRow(a.body.payment_id)).status).toBe('abandoned');
    expect(await status(u)).toMatchObject({ plan: 'pro', is_active: true });
  });

  it('item 13: paying again during grace starts from where the paid period ended, not from today', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    // The user deactivates their own billing key at the provider.
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.services.ctx.gateways.get(provider)!.revokeBillingKey(key);
    await h.advance(periodEnd - h.now().getTime() + MIN, u);
    expect(await status(u)).toMatchObject({ status: 'past_due', is_active: true });
    await h.advance(Math.round(6.9 * DAY) - 2 * MIN, u);
    expect(await status(u)).toMatchObject({ status: 'past_due', is_active: true });
    const paid = await h.subscribe(provider, u, 'standard');
    expect(Date.parse(paid.payment.period_start)).toBe(periodEnd);
    expect(Date.parse(paid.payment.period_end)).toBe(periodEnd + PERIOD);
    expect(Date.parse((await status(u)).expire_date)).toBe(periodEnd + PERIOD);
  });

  it('item 13: paying again soon after grace ran out charges for the grace days used; long after, the period starts now', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u, 'standard');
    const periodEnd = Date.parse(first.payment.period_end);
    const fresh = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.services.ctx.gateways.get(provider)!.revokeBillingKey(fresh);
    await h.advance(periodEnd - h.now().getTime() + MIN, u);
    expect((await status(u)).status).toBe('past_due');
    await h.advance(7 * DAY, u);
    const sub = await h.subscriptionRow(u.userId);
    expect(sub.status).toBe('expired');
    const graceUsed = sub.ended_at!.getTime() - periodEnd;
    expect(graceUsed).toBe(7 * DAY);
    await h.advance(2 * DAY, u);
    const paid = await h.subscribe(provider, u, 'standard');
    const now = h.now().getTime();
    expect(Date.parse(paid.payment.period_start)).toBe(now - graceUsed);
    expect(Date.parse(paid.payment.period_end)).toBe(now - graceUsed + PERIOD);

    // A subscription that lapsed long ago (more than a period after access ended) starts now.
    const v = await h.signup();
    const firstV = await h.subscribe(provider, v, 'standard');
    const endV = Date.parse(firstV.payment.period_end);
    await h.services.ctx.gateways.get(provider)!.revokeBillingKey((await h.subscriptionRow(v.userId)).billing_key!);
    await h.advance(endV - h.now().getTime() + 8 * DAY, v);
    expect((await h.subscriptionRow(v.userId)).status).toBe('expired');
    await h.advance(31 * DAY, v);
    const again = await h.subscribe(provider, v, 'standard');
    expect(Date.parse(again.payment.period_start)).toBe(h.now().getTime());
  });
});

describe(`one open checkout per user (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a new ready is refused with 409 while an earlier checkout is being approved', async () => {
    const u = await h.signup();
    const a = await ready('kakaopay', u, 'standard');
    // As if an approve request had claimed it and were waiting for the provider.
    await h.db.db.updateTable('payments').set({ status: 'approving' }).where('id', '=', a.body.payment_id).execute();
    const b = await ready('naverpay', u, 'pro');
    expect([b.status, b.body.error?.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    expect((await h.payments(u.userId)).map((p) => p.status)).toEqual(['approving']);
  });

  it('concurrent readies leave exactly one open checkout; the database refuses a second one', async () => {
    const u = await h.signup();
    const answers = await Promise.all(['standard', 'premium', 'pro', 'standard', 'pro'].map((plan) => ready('kakaopay', u, plan)));
    for (const r of answers) expect([200, 409]).toContain(r.status);
    expect(answers.some((r) => r.status === 200)).toBe(true);
    const open = (await h.payments(u.userId)).filter((p) => ['ready', 'approving', 'unknown'].includes(p.status));
    expect(open).toHaveLength(1);
    const row = await paymentRow(open[0].id);
    const copy = { ...row, id: `${row.id}_copy`, checkout_ref: null, provider_ref: null };
    await expect(h.db.db.insertInto('payments').values(copy).execute()).rejects.toMatchObject({ code: '23505' });
  });
});
