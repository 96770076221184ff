import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type Provider, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Issue 11 items 2-4: the billing key's life at the provider. Revocations are queued in the
 * transaction of the state change and revoked by the job runner's `revocations` task; the
 * provider's own view of the key (KakaoPay SID status, NaverPay recurrent state) is read from
 * the sandboxes' control routes.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 90_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const MIN = 60_000;
const other = (p: Provider): Provider => (p === 'kakaopay' ? 'naverpay' : 'kakaopay');

async function renewal(u: User) {
  return (await h.api('GET', '/api/subscription/renewal', { token: u.token })).body;
}
async function revocations(userId: string) {
  const sub = await h.subscriptionRow(userId);
  return h.db.db.selectFrom('billing_key_revocations').selectAll().where('subscription_id', '=', sub.id).orderBy('created_at').execute();
}
/** One run of the job runner (webhooks, notices, revocations) at `at` (default: the test clock's now). */
async function runJobs(at: Date = h.now()) {
  return h.services.jobs.runDue(at);
}
/** Provider calls the sandbox counted so far (any call at all changes these). */
async function providerCalls(): Promise<unknown> {
  return { kakaopay: await h.sandbox('kakaopay', 'GET', '/__sandbox/stats'), naverpay: await h.sandbox('naverpay', 'GET', '/__sandbox/stats') };
}
/** Makes the provider refuse revocations as unavailable until `allowRevocations`. */
async function failRevocations(provider: Provider) {
  if (provider === 'kakaopay') await h.sandbox('kakaopay', 'POST', '/__sandbox/script', { operation: 'inactive', error_code: -9798, count: 1000 });
  else await h.sandbox('naverpay', 'POST', '/__sandbox/script', { operation: 'recurrent_expire', http_status: 503, code: 'Maintenance', count: 1000 });
}
async function allowRevocations(provider: Provider) {
  await h.sandbox(provider, 'DELETE', '/__sandbox/script');
}

describe.each<Provider>(['kakaopay', 'naverpay'])(`billing keys with %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider) => {
  it('item 2: cancel-now queues the revocation with the cancellation; the job revokes the key at the provider, shown revoked only then', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    expect(await h.keyActive(provider, key)).toBe(true);
    await h.advance(3 * DAY, u);

    const r = await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: {} });
    expect(r.status).toBe(200);
    expect((await h.subscriptionRow(u.userId)).billing_key).toBeNull();
    expect(await revocations(u.userId)).toMatchObject([{ billing_key: key, provider, reason: 'canceled_now', status: 'pending' }]);
    // Queued, not yet sent: the provider still has it, and the screen says so.
    expect(await h.keyActive(provider, key)).toBe(true);
    expect(await renewal(u)).toMatchObject({ auto_renew: false, has_billing_key: false, billing_key_state: 'revoking', billing_key_revoked_at: null });

    const report = await runJobs();
    expect(report.revocations).toMatchObject({ done: 1, failed: 0 });
    expect(await h.keyActive(provider, key)).toBe(false);
    expect(await revocations(u.userId)).toMatchObject([{ status: 'done', attempts: 1 }]);
    const after = await renewal(u);
    expect(after.billing_key_state).toBe('revoked');
    expect(Date.parse(after.billing_key_revoked_at)).toBe(h.now().getTime());
  });

  it('item 2: 청약철회 ends the subscription and revokes its billing key', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.advance(2 * DAY, u);
    const w = await h.api('POST', `/api/payments/${first.payment.id}/withdraw`, { token: u.token });
    expect(w.status).toBe(201);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ is_active: false, status: 'canceled' });
    expect((await h.subscriptionRow(u.userId)).billing_key).toBeNull();
    expect(await revocations(u.userId)).toMatchObject([{ billing_key: key, reason: 'withdrawn', status: 'pending' }]);
    expect(await h.keyActive(provider, key)).toBe(true);
    await runJobs();
    expect(await h.keyActive(provider, key)).toBe(false);
    expect((await renewal(u)).billing_key_state).toBe('revoked');
  });

  it('item 2: a revocation the provider refuses is retried with backoff and shown revoked only after the provider confirmed', async () => {
    const u = await h.signup();
    await h.subscribe(provider, u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    await failRevocations(provider);
    await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: {} });
    const t = h.now().getTime();

    // Three runs, each after the previous backoff (1, 2, 4 minutes): all refused.
    for (const [i, at] of [t, t + 1 * MIN, t + 3 * MIN].entries()) {
      const report = await runJobs(new Date(at));
      expect(report.revocations).toMatchObject({ done: 0, failed: 1 });
      const [row] = await revocations(u.userId);
      expect(row).toMatchObject({ status: 'pending', attempts: i + 1 });
      expect(row.last_error).toBeTruthy();
      expect(row.next_attempt_at!.getTime()).toBe(at + 2 ** i * MIN);
      expect(await h.keyActive(provider, key)).toBe(true);
      expect((await renewal(u)).billing_key_state).toBe('revoking');
    }
    // Not due yet: nothing is sent (the probe finds nothing due, so the task does not run: no counts).
    expect((await runJobs(new Date(t + 6 * MIN))).revocations).toMatchObject({ processed: 0, errors: 0 });
    expect(await revocations(u.userId)).toMatchObject([{ status: 'pending', attempts: 3 }]);

    await allowRevocations(provider);
    expect((await runJobs(new Date(t + 7 * MIN))).revocations).toMatchObject({ done: 1, failed: 0 });
    expect(await revocations(u.userId)).toMatchObject([{ status: 'done', attempts: 4, last_error: null }]);
    expect(await h.keyActive(provider, key)).toBe(false);
    expect((await renewal(u)).billing_key_state).toBe('revoked');
  });

  it('item 3: 해지 예약 keeps the key; 자동 결제 다시 켜기 before the period end calls no provider and renews on the same key', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const periodEnd = Date.parse(first.payment.period_end);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    // NaverPay's first payment is itself a charge on the new recurrent id.
    const charged = (await h.charges(provider))[key] ?? 0;
    await h.advance(10 * DAY, u);

    const before = await providerCalls();
    const c = await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    expect(c.body).toMatchObject({
      changed: true,
      subscription: { auto_renew: false, is_active: true },
      renewal: { has_billing_key: true, billing_key_state: 'registered', next_charge_at: null },
    });
    await runJobs();
    expect(await revocations(u.userId)).toEqual([]);
    expect(await h.keyActive(provider, key)).toBe(true);

    const r = await h.api('POST', '/api/subscription/resume', { token: u.token, body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ resumed: true, subscription: { auto_renew: true }, renewal: { billing_key_state: 'registered' } });
    expect(r.body.checkout).toBeUndefined();
    // Neither the cancel nor the undo reached a provider.
    expect(await providerCalls()).toEqual(before);
    expect((await h.subscriptionRow(u.userId)).billing_key).toBe(key);

    await h.advance(periodEnd - h.now().getTime() + MIN, u);
    expect((await h.charges(provider))[key]).toBe(charged + 1);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ status: 'active', is_active: true });
  });

  it('item 3: after 해지 예약 the key is revoked when the period ends, not before', async () => {
    const u = await h.signup();
    const first = await h.subscribe(provider, u);
    const periodEnd = Date.parse(first.payment.period_end);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    const charged = (await h.charges(provider))[key] ?? 0;
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    // An upgrade meanwhile is not charged on a key the subscriber asked to stop using.
    const up = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'pro' } });
    expect(up.body.change).toBe('checkout_required');

    await h.advance(periodEnd - h.now().getTime() - MIN, u);
    expect(await h.keyActive(provider, key)).toBe(true);
    expect(await revocations(u.userId)).toEqual([]);
    await h.advance(2 * MIN, u);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ status: 'canceled', is_active: false });
    expect(await revocations(u.userId)).toMatchObject([{ billing_key: key, reason: 'auto_renew_off', status: 'done' }]);
    expect(await h.keyActive(provider, key)).toBe(false);
    expect((await renewal(u)).billing_key_state).toBe('revoked');
    expect((await h.charges(provider))[key] ?? 0).toBe(charged);
  });

  for (const to of ['same', 'other'] as const) {
    it(`item 4: changes the payment method (${to} provider) without cancelling: new key registered for 0 won, then the old one revoked`, async () => {
      const target = to === 'same' ? provider : other(provider);
      const u = await h.signup();
      const first = await h.subscribe(provider, u);
      const periodEnd = Date.parse(first.payment.period_end);
      const oldKey = (await h.subscriptionRow(u.userId)).billing_key!;
      const oldCharged = (await h.charges(provider))[oldKey] ?? 0;
      await h.advance(5 * DAY, u);

      const r = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: target } });
      expect(r.status).toBe(200);
      expect(r.body.checkout.style).toBe('redirect');
      const registration = await h.db.db.selectFrom('payments').selectAll().where('id', '=', r.body.payment_id).executeTakeFirstOrThrow();
      expect(registration).toMatchObject({ kind: 'registration', amount_krw: 0, recurring: true, provider: target, status: 'ready' });
      // Nothing changes until the provider approves the new key.
      expect(await h.subscriptionRow(u.userId)).toMatchObject({ billing_key: oldKey, provider, auto_renew: true });

      const approved = await h.completeCheckout(target, u, r.body.payment_id, r.body.checkout);
      expect(approved.payment).toMatchObject({ kind: 'registration', status: 'approved', amount_krw: 0 });
      expect(approved.subscription).toMatchObject({ auto_renew: true, is_active: true });
      expect(Date.parse(approved.subscription.expire_date)).toBe(periodEnd);
      const sub = await h.subscriptionRow(u.userId);
      expect(sub).toMatchObject({ provider: target, auto_renew: true });
      const newKey = sub.billing_key!;
      expect(newKey).not.toBe(oldKey);
      expect(await revocations(u.userId)).toMatchObject([{ billing_key: oldKey, provider, reason: 'replaced', status: 'pending' }]);
      const events = await h.db.db.selectFrom('subscription_events').select('type').where('subscription_id', '=', sub.id).execute();
      expect(events.map((e) => e.type)).toContain('payment_method_changed');

      await runJobs();
      expect(await h.keyActive(provider, oldKey)).toBe(false);
      expect(await h.keyActive(target, newKey)).toBe(true);
      expect(await renewal(u)).toMatchObject({ provider: target, billing_key_state: 'registered', auto_renew: true });

      // The renewal is charged on the new key only.
      await h.advance(periodEnd - h.now().getTime() + MIN, u);
      expect((await h.charges(target))[newKey]).toBe(1);
      expect((await h.charges(provider))[oldKey] ?? 0).toBe(oldCharged);
      expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal')).toMatchObject([{ status: 'approved', provider: target }]);
    });
  }
});

describe(`payment-method change edge cases (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('past_due: registering a new method retries the failed renewal at once on the new key', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const periodEnd = Date.parse(first.payment.period_end);
    await h.declineNext('kakaopay', 1);
    await h.advance(periodEnd - h.now().getTime() + MIN, u);
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body.status).toBe('past_due');

    const r = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'naverpay' } });
    expect(r.status).toBe(200);
    await h.completeCheckout('naverpay', u, r.body.payment_id, r.body.checkout);
    const newKey = (await h.subscriptionRow(u.userId)).billing_key!;
    await h.tick();
    expect((await h.api('GET', '/api/subscription/status', { token: u.token })).body).toMatchObject({ status: 'active', is_active: true });
    expect((await h.charges('naverpay'))[newKey]).toBe(1);
    expect(Date.parse((await h.api('GET', '/api/subscription/status', { token: u.token })).body.expire_date)).toBe(periodEnd + 30 * DAY);
  });

  it('해지 예약 after starting a change abandons the registration: approving it later changes nothing', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const key = (await h.subscriptionRow(u.userId)).billing_key!;
    const r = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'kakaopay' } });
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    await expect(h.completeCheckout('kakaopay', u, r.body.payment_id, r.body.checkout)).rejects.toThrow(/409.*PAYMENT_NOT_APPROVABLE/);
    expect(await h.subscriptionRow(u.userId)).toMatchObject({ billing_key: key, auto_renew: false });
  });

  it('refuses without a subscription, with auto-renewal off, an unknown method, and while a charge is in flight', async () => {
    const u = await h.signup();
    const none = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'kakaopay' } });
    expect([none.status, none.body.error.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
    await h.subscribe('kakaopay', u);
    const bad = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'paypal' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'UNKNOWN_PAYMENT_METHOD']);
    const missing = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: {} });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);

    const sub = await h.subscriptionRow(u.userId);
    await h.db.db
      .insertInto('payments')
      .values({
        id: 'pay_inflight_renewal',
        user_id: u.userId,
        subscription_id: sub.id,
        provider: 'kakaopay',
        kind: 'renewal',
        plan_id: 'standard',
        amount_krw: 29000,
        vat_krw: 2636,
        status: 'approving',
        recurring: true,
        checkout_ref: null,
        provider_ref: null,
        method_kind: null,
        method_label: null,
        billing_cycle_id: null,
        period_start: null,
        period_end: null,
        failure_code: null,
        failure_message: null,
        expires_at: null,
        approved_at: null,
        created_at: h.now(),
        updated_at: h.now(),
      })
      .execute();
    const busy = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'naverpay' } });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    await h.db.db.deleteFrom('payments').where('id', '=', 'pay_inflight_renewal').execute();

    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    const off = await h.api('POST', '/api/subscription/payment-method', { token: u.token, body: { method: 'naverpay' } });
    expect([off.status, off.body.error.code]).toEqual([409, 'SUBSCRIPTION_STATE_CONFLICT']);
  });
});
