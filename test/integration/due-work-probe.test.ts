import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/load-config.ts';
import { compose, type Services } from '../../src/composition.ts';
import { DueWorkProbe, PROBED_KINDS } from '../../src/storage/repositories/due-work-probe.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';

/**
 * The idle tick's probe (issue 15): one statement; each kind it answers for is reported due as
 * soon as that kind's claim query would find an item at `now`, and only then.
 */
describe('due-work probe', () => {
  let db: TestDb;
  let services: Services;
  let probe: DueWorkProbe;
  const now = new Date('2026-12-04T12:00:00Z');
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

  beforeAll(async () => {
    db = await createTestDb();
    services = await compose(loadConfig(process.env, { LOG_LEVEL: 'silent' }), { db, skipMigrations: true });
    probe = new DueWorkProbe(db.db, { checkoutLifetimesMs: services.config.checkoutLifetimesMs });
  });
  afterAll(async () => {
    await services?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.reset();
    // One subscriber, renewing in a month: nothing of theirs is due.
    await sql`INSERT INTO users (id, created_at) VALUES ('usr_1', ${minutes(-600)})`.execute(db.db);
    await sql`INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start,
        current_period_end, created_at, updated_at, next_renewal_at, agreed_price_krw)
      VALUES ('sub_1', 'usr_1', 'standard', 'active', 'kakaopay', 'key-1', true, ${minutes(-600)}, ${minutes(43_200)},
        ${minutes(-600)}, ${minutes(-600)}, ${minutes(43_200)}, 29000)`.execute(db.db);
  });

  const payment = (id: string, kind: string, status: string, createdAt: Date, nextLookupAt: Date | null = null) =>
    sql`INSERT INTO payments (id, user_id, subscription_id, provider, kind, plan_id, amount_krw, vat_krw, status, created_at, updated_at, next_lookup_at)
      VALUES (${id}, 'usr_1', 'sub_1', 'kakaopay', ${kind}, 'standard', 29000, 2636, ${status}, ${createdAt}, ${createdAt}, ${nextLookupAt})`.execute(db.db);

  it('an idle tick sends the probe alone: every task of the worker is one it answers for', async () => {
    expect(services.jobs.taskNames.filter((n) => !(PROBED_KINDS as readonly string[]).includes(n))).toEqual([]);
    expect(await probe.due(now, PROBED_KINDS)).toEqual(new Set());
    const before = db.statements();
    const r = await services.renewals.runOnce(now);
    expect(db.statements() - before).toBe(1);
    expect(r.claimed).toBe(0);
  });

  it('kinds it does not know are reported due, without a statement when it knows none', async () => {
    const before = db.statements();
    expect(await probe.due(now, ['later-task'])).toEqual(new Set(['later-task']));
    expect(db.statements()).toBe(before);
    expect(await probe.due(now, ['later-task', 'notices'])).toEqual(new Set(['later-task']));
  });

  const cases: [string, string, () => Promise<unknown>][] = [
    ['a subscription whose renewal step is due now', 'renewals', () => sql`UPDATE subscriptions SET next_renewal_at = ${now}`.execute(db.db)],
    ['a payment whose lookup is due', 'reconcile', () => payment('pay_1', 'renewal', 'unknown', minutes(-10), now)],
    [
      'a refund not settled',
      'reconcile',
      async () => {
        await payment('pay_1', 'checkout', 'approved', minutes(-10));
        await sql`INSERT INTO refunds (id, payment_id, kind, amount_krw, vat_krw, reason, requested_by, status, created_at, updated_at)
          VALUES ('rfd_1', 'pay_1', 'admin', 29000, 2636, 'x', 'usr_1', 'requested', ${now}, ${now})`.execute(db.db);
      },
    ],
    [
      'an engine event not fanned out',
      'webhooks',
      () => sql`INSERT INTO engine_events (id, user_id, seq, type, payload, occurred_at, created_at)
        VALUES ('evt_1', 'usr_1', 1, 'entitlements.updated', '{}', ${now}, ${now})`.execute(db.db),
    ],
    [
      'a webhook delivery due',
      'webhooks',
      async () => {
        await sql`INSERT INTO webhook_endpoints (id, url, secret, created_at, updated_at)
          VALUES ('wep_1', 'http://127.0.0.1:1/hook', 'whsec_x', ${now}, ${now})`.execute(db.db);
        await sql`INSERT INTO engine_events (id, user_id, seq, type, payload, occurred_at, created_at)
          VALUES ('evt_1', 'usr_1', 1, 'entitlements.updated', '{}', ${now}, ${now})`.execute(db.db);
        await sql`DELETE FROM engine_event_fanout WHERE event_id = 'evt_1'`.execute(db.db); // fanned out
        await sql`INSERT INTO webhook_deliveries (id, endpoint_id, event_id, user_id, seq, status, next_attempt_at, created_at)
          VALUES ('whd_1', 'wep_1', 'evt_1', 'usr_1', 1, 'pending', ${now}, ${now})`.execute(db.db);
      },
    ],
    [
      'a notice due',
      'notices',
      () => sql`INSERT INTO notices (id, user_id, kind, dedupe_key, subject, body, status, next_attempt_at, created_at, updated_at)
        VALUES ('ntc_1', 'usr_1', 'renewal', 'k1', 's', 'b', 'pending', ${now}, ${now}, ${now})`.execute(db.db),
    ],
    [
      'a price version not announced',
      'price-announcements',
      () => sql`INSERT INTO plan_prices (id, plan_id, price_krw, effective_at, created_at)
        VALUES ('prc_1', 'standard', 39000, ${minutes(60 * 24 * 40)}, ${now})`.execute(db.db),
    ],
    [
      'a billing-key revocation due',
      'revocations',
      () => sql`INSERT INTO billing_key_revocations (id, subscription_id, provider, billing_key, reason, status, next_attempt_at, created_at, updated_at)
        VALUES ('rvk_1', 'sub_1', 'kakaopay', 'key-1', 'canceled', 'pending', ${now}, ${now}, ${now})`.execute(db.db),
    ],
    ['a checkout past every provider lifetime', 'checkout_expiry', () => payment('pay_1', 'checkout', 'ready', minutes(-24 * 60))],
  ];

  it.each(cases)('%s → %s', async (_what, kind, seed) => {
    await seed();
    expect(await probe.due(now, PROBED_KINDS)).toEqual(new Set([kind]));
  });

  it('items due only later are not reported', async () => {
    await sql`UPDATE subscriptions SET next_renewal_at = ${minutes(1)}`.execute(db.db);
    await payment('pay_1', 'renewal', 'unknown', minutes(-10), minutes(1));
    await sql`INSERT INTO notices (id, user_id, kind, dedupe_key, subject, body, status, next_attempt_at, created_at, updated_at)
      VALUES ('ntc_1', 'usr_1', 'renewal', 'k1', 's', 'b', 'pending', ${minutes(1)}, ${now}, ${now})`.execute(db.db);
    // A checkout still inside the shortest provider lifetime.
    await payment('pay_2', 'checkout', 'ready', minutes(-1));
    expect(await probe.due(now, PROBED_KINDS)).toEqual(new Set());
  });
});
