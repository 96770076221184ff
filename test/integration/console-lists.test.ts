import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, DAY, kakaoCheckout, refund } from '../helpers/refund-fixtures.ts';

let s: TestStack;
let admin: { token: string; userId: string };

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL } });
});
afterAll(async () => s?.close());
beforeEach(async () => {
  await s.reset();
  admin = await s.signup(ADMIN_EMAIL);
});

/** A small deterministic generator (mulberry32): the same data on both databases. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

async function seedUsers(n: number, base: Date) {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `usr_l${String(i).padStart(3, '0')}`,
    email: `list${i}@seed.example.com`,
    password_hash: null,
    role: 'user' as const,
    external_subject: null,
    created_at: new Date(base.getTime() - (n - i) * 3_600_000),
  }));
  await s.db.db.insertInto('users').values(rows).execute();
  return rows;
}

const STATUSES = ['approved', 'declined', 'abandoned', 'unknown', 'approving', 'partially_refunded', 'refunded', 'ready'] as const;
const PLANS: Record<string, number> = { standard: 29000, premium: 59000, pro: 99000 };

interface SeedPayment {
  id: string;
  user_id: string;
  provider: string;
  plan_id: string;
  amount_krw: number;
  status: (typeof STATUSES)[number];
  kind: 'checkout' | 'renewal';
  created_at: Date;
  provider_ref: string | null;
}

async function seedPayments(users: { id: string }[], n: number, now: Date): Promise<SeedPayment[]> {
  const r = rng(42);
  const out: SeedPayment[] = [];
  for (let i = 0; i < n; i++) {
    const plan = pick(r, Object.keys(PLANS));
    const status = pick(r, STATUSES);
    // Every fifth payment shares its instant with the previous one: the keyset must break ties by id.
    const created = i % 5 === 4 ? out[i - 1].created_at : new Date(now.getTime() - Math.floor(r() * 60 * DAY));
    const inFlight = status === 'ready' || status === 'approving' || status === 'unknown';
    out.push({
      id: `pay_l${String(i).padStart(4, '0')}`,
      user_id: pick(r, users).id,
      provider: pick(r, ['kakaopay', 'naverpay']),
      plan_id: plan,
      // Some upgrades are prorated: amounts other than the list price.
      amount_krw: r() < 0.2 ? Math.floor(r() * PLANS[plan]) : PLANS[plan],
      status,
      kind: inFlight ? 'renewal' : pick(r, ['checkout', 'renewal']),
      created_at: created,
      provider_ref: inFlight ? null : `T${i}`,
    });
  }
  for (let i = 0; i < out.length; i += 100) {
    await s.db.db
      .insertInto('payments')
      .values(
        out.slice(i, i + 100).map((p) => ({
          ...p,
          subscription_id: null,
          vat_krw: Math.floor(p.amount_krw / 11),
          refunded_krw: p.status === 'refunded' ? p.amount_krw : 0,
          recurring: p.kind === 'renewal',
          approved_at: ['approved', 'partially_refunded', 'refunded'].includes(p.status) ? p.created_at : null,
          updated_at: p.created_at,
        })),
      )
      .execute();
  }
  return out;
}

/** Newest first, ties by id descending: the list's order, computed here on its own. */
const byNewest = (a: SeedPayment, b: SeedPayment) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

async function allPages(query: string, limit = 37): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const r: { status: number; body: any } = await s.api('GET', `/api/admin/payments?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ids.push(...r.body.payments.map((p: any) => p.id));
    totals.push(r.body.total);
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  return { ids, totals };
}

describe(`console lists (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('lists all payments with status, provider, plan, date and amount filters; totals match an independent count', async () => {
    const now = s.services.clock.now();
    const users = await seedUsers(40, now);
    const payments = await seedPayments(users, 400, now);
    const from = new Date(now.getTime() - 30 * DAY);
    const to = new Date(now.getTime() - 5 * DAY);
    const cases: [string, (p: SeedPayment) => boolean][] = [
      ['', () => true],
      ['status=approved', (p) => p.status === 'approved'],
      ['status=unknown,approving', (p) => p.status === 'unknown' || p.status === 'approving'],
      ['provider=naverpay&plan=pro', (p) => p.provider === 'naverpay' && p.plan_id === 'pro'],
      [`from=${from.toISOString()}&to=${to.toISOString()}`, (p) => p.created_at >= from && p.created_at < to],
      ['min_krw=29000&max_krw=59000', (p) => p.amount_krw >= 29000 && p.amount_krw <= 59000],
      [
        `status=declined&provider=kakaopay&kind=renewal&min_krw=1&from=${from.toISOString()}`,
        (p) => p.status === 'declined' && p.provider === 'kakaopay' && p.kind === 'renewal' && p.amount_krw >= 1 && p.created_at >= from,
      ],
      [`user_id=${users[3].id}`, (p) => p.user_id === users[3].id],
    ];
    for (const [query, keep] of cases) {
      const expected = payments.filter(keep).sort(byNewest).map((p) => p.id);
      const got = await allPages(query);
      expect([query, got.ids]).toEqual([query, expected]);
      expect(new Set(got.totals)).toEqual(new Set([expected.length]));
    }
    const bad = await s.api('GET', '/api/admin/payments?status=paid', { token: admin.token });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('finds a user by payment id, KakaoPay tid, SID, NaverPay ids and refund id', async () => {
    const u = await s.signup('tid-owner@example.com');
    const k = await kakaoCheckout(s, u.token, 'standard', true);
    const other = await s.signup('someone@example.com');
    const now = s.services.clock.now();
    await s.db.db
      .insertInto('subscriptions')
      .values({
        id: 'sub_np',
        user_id: other.userId,
        plan_id: 'pro',
        status: 'active',
        provider: 'naverpay',
        billing_key: 'NP-RECURRENT-123',
        auto_renew: true,
        current_period_start: now,
        current_period_end: new Date(now.getTime() + 30 * DAY),
        pending_plan_id: null,
        canceled_at: null,
        ended_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await s.db.db
      .insertInto('payments')
      .values({
        id: 'pay_np1', user_id: other.userId, subscription_id: 'sub_np', provider: 'naverpay', kind: 'checkout', plan_id: 'pro', amount_krw: 99000, vat_krw: 9000,
        status: 'approved', recurring: true, provider_ref: '20260101NP0001', checkout_ref: 'NP-RESERVE-9', created_at: now, updated_at: now, approved_at: now,
      })
      .execute();
    const sub = await s.db.db.selectFrom('subscriptions').select(['id', 'billing_key']).where('user_id', '=', u.userId).executeTakeFirstOrThrow();
    const r = await refund(s, admin.token, k.paymentId, { amount_krw: 1000 });
    const refundId = r.body.refund.id;
    const search = async (q: string) => (await s.api('GET', `/api/admin/users?q=${encodeURIComponent(q)}`, { token: admin.token })).body;
    for (const [q, user, by, ref] of [
      [k.paymentId, u.userId, 'payment_id', k.paymentId],
      [k.tid, u.userId, 'provider_ref', k.paymentId],
      [sub.billing_key!, u.userId, 'billing_key', sub.id],
      [sub.id, u.userId, 'subscription_id', sub.id],
      [refundId, u.userId, 'refund_id', refundId],
      ['20260101NP0001', other.userId, 'provider_ref', 'pay_np1'],
      ['NP-RESERVE-9', other.userId, 'provider_ref', 'pay_np1'],
      ['NP-RECURRENT-123', other.userId, 'billing_key', 'sub_np'],
      [u.userId, u.userId, 'user_id', null],
      ['TID-OWNER@', u.userId, 'email', null],
    ] as const) {
      const body = await search(q);
      expect([q, body.total, body.users.map((x: any) => [x.id, x.matched_by, x.matched_ref])]).toEqual([q, 1, [[user, by, ref]]]);
    }
    // A revoked billing key still finds its subscriber.
    await s.db.db
      .insertInto('billing_key_revocations')
      .values({ id: 'bkr_1', subscription_id: 'sub_np', provider: 'naverpay', billing_key: 'NP-OLD-KEY', reason: 'test', status: 'done', created_at: now, updated_at: now })
      .execute();
    expect((await search('NP-OLD-KEY')).users.map((x: any) => x.id)).toEqual([other.userId]);
    expect(await search('nothing-matches-this')).toMatchObject({ total: 0, users: [] });
  });

  it('queues: dunning, past-due in and after grace, upcoming renewals, pending refunds and unknown outcomes, with true totals', async () => {
    const now = s.services.clock.now();
    const users = await seedUsers(60, now);
    const r = rng(7);
    const subs = users.map((u, i) => {
      const status = pick(r, ['active', 'active', 'past_due', 'canceled'] as const);
      const end = new Date(now.getTime() + Math.floor((r() * 20 - 3) * DAY));
      return {
        id: `sub_q${String(i).padStart(3, '0')}`,
        user_id: u.id,
        plan_id: pick(r, ['standard', 'premium', 'pro']),
        status,
        provider: pick(r, ['kakaopay', 'naverpay']),
        billing_key: `SID${i}`,
        auto_renew: r() < 0.7,
        current_period_start: new Date(end.getTime() - 30 * DAY),
        current_period_end: end,
        pending_plan_id: null,
        canceled_at: null,
        ended_at: null,
        grace_until: status === 'past_due' ? new Date(now.getTime() + Math.floor((r() * 10 - 4) * DAY)) : null,
        created_at: now,
        updated_at: now,
      };
    });
    await s.db.db.insertInto('subscriptions').values(subs).execute();
    const cycles = subs
      .filter((x) => x.status === 'past_due' || (x.status === 'active' && r() < 0.5))
      .map((x, i) => ({
        id: `cyc_q${String(i).padStart(3, '0')}`,
        subscription_id: x.id,
        plan_id: x.plan_id,
        period_start: x.current_period_end,
        period_end: new Date(x.current_period_end.getTime() + 30 * DAY),
        amount_krw: PLANS[x.plan_id],
        status: x.status === 'past_due' ? ('retrying' as const) : ('scheduled' as const),
        attempt_count: x.status === 'past_due' ? 1 + Math.floor(r() * 3) : 0,
        next_attempt_at: new Date(now.getTime() + Math.floor(r() * 3 * DAY)),
        created_at: now,
        updated_at: now,
      }));
    await s.db.db.insertInto('billing_cycles').values(cycles).execute();
    const payments = await seedPayments(users, 120, now);
    const paid = payments.filter((p) => p.status === 'approved');
    const refundRows = paid.slice(0, 24).map((p, i) => ({
      id: `ref_q${String(i).padStart(3, '0')}`,
      payment_id: p.id,
      kind: 'admin' as const,
      amount_krw: 1000,
      vat_krw: 90,
      reason: 'seed',
      requested_by: admin.userId,
      status: (['requested', 'unknown', 'succeeded', 'failed'] as const)[i % 4],
      created_at: new Date(now.getTime() - (24 - i) * 60_000),
      updated_at: now,
    }));
    await s.db.db.insertInto('refunds').values(refundRows).execute();

    // Independent answers.
    const retrying = cycles.filter((c) => c.status === 'retrying');
    const inGrace = subs.filter((x) => x.status === 'past_due' && x.grace_until! > now);
    const graceOver = subs.filter((x) => x.status === 'past_due' && x.grace_until! <= now);
    const upcoming = subs.filter((x) => x.status === 'active' && x.auto_renew && x.current_period_end >= now && x.current_period_end.getTime() < now.getTime() + 7 * DAY);
    const pending = refundRows.filter((x) => x.status === 'requested' || x.status === 'unknown');
    const unknown = payments.filter((p) => p.status === 'unknown' || p.status === 'approving');
    expect(retrying.length * inGrace.length * graceOver.length * upcoming.length * pending.length * unknown.length).toBeGreaterThan(0);

    const summary = await s.api('GET', '/api/admin/queues/summary', { token: admin.token });
    expect(summary.body).toMatchObject({
      dunning: retrying.length,
      past_due_in_grace: inGrace.length,
      past_due_grace_over: graceOver.length,
      renewals_next_7_days: upcoming.length,
      pending_refunds: pending.length,
      unknown_payments: unknown.length,
    });

    const dunning = await s.api('GET', '/api/admin/queues/dunning?limit=5', { token: admin.token });
    expect(dunning.body.total).toBe(retrying.length);
    const dunningOrder = [...retrying].sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || (a.id < b.id ? -1 : 1));
    expect(dunning.body.entries.map((e: any) => e.cycle.id)).toEqual(dunningOrder.slice(0, 5).map((c) => c.id));
    const firstSub = subs.find((x) => x.id === dunningOrder[0].subscription_id)!;
    expect(dunning.body.entries[0]).toMatchObject({
      cycle: { amount_krw: PLANS[firstSub.plan_id], attempt_count: dunningOrder[0].attempt_count },
      subscription: { id: firstSub.id, status: 'past_due', grace_until: firstSub.grace_until!.toISOString() },
      user: { id: firstSub.user_id },
    });

    const grace = await s.api('GET', '/api/admin/subscriptions?grace=in&limit=200', { token: admin.token });
    expect(grace.body.total).toBe(inGrace.length);
    expect(new Set(grace.body.entries.map((e: any) => e.subscription.id))).toEqual(new Set(inGrace.map((x) => x.id)));
    const over = await s.api('GET', '/api/admin/subscriptions?grace=over&limit=200', { token: admin.token });
    expect(new Set(over.body.entries.map((e: any) => e.subscription.id))).toEqual(new Set(graceOver.map((x) => x.id)));
    const pastDue = await s.api('GET', '/api/admin/subscriptions?status=past_due&limit=3&offset=0', { token: admin.token });
    expect([pastDue.body.total, pastDue.body.entries.length]).toEqual([inGrace.length + graceOver.length, 3]);

    const renewals = await s.api('GET', '/api/admin/renewals/upcoming?days=7&limit=200', { token: admin.token });
    expect(renewals.body.total).toBe(upcoming.length);
    expect(renewals.body.entries.map((e: any) => e.subscription.id)).toEqual(
      [...upcoming].sort((a, b) => a.current_period_end.getTime() - b.current_period_end.getTime() || (a.id < b.id ? -1 : 1)).map((x) => x.id),
    );
    const withCycle = renewals.body.entries.find((e: any) => e.open_cycle);
    if (withCycle) expect(withCycle.subscription.price_krw).toBe(withCycle.open_cycle.amount_krw);

    const refunds = await s.api('GET', '/api/admin/refunds?limit=4', { token: admin.token });
    expect(refunds.body.total).toBe(pending.length);
    expect(refunds.body.entries.map((e: any) => e.refund.id)).toEqual(pending.slice(0, 4).map((x) => x.id));
    const page2 = await s.api('GET', '/api/admin/refunds?limit=4&offset=4', { token: admin.token });
    expect(page2.body.entries.map((e: any) => e.refund.id)).toEqual(pending.slice(4, 8).map((x) => x.id));
    const failed = await s.api('GET', '/api/admin/refunds?status=failed', { token: admin.token });
    expect(failed.body.total).toBe(refundRows.filter((x) => x.status === 'failed').length);
  });

  it('merges a user timeline from every source in time order and pages through it', async () => {
    const now = s.services.clock.now();
    const [u] = await seedUsers(1, now);
    const t = (min: number) => new Date(now.getTime() - min * 60_000);
    await s.db.db
      .insertInto('subscriptions')
      .values({ id: 'sub_t', user_id: u.id, plan_id: 'standard', status: 'active', provider: 'kakaopay', billing_key: 'SIDT', auto_renew: true,
        current_period_start: t(100), current_period_end: new Date(now.getTime() + 20 * DAY), pending_plan_id: null, canceled_at: null, ended_at: null, created_at: t(100), updated_at: t(100) })
      .execute();
    const expected: { source: string; id: string; at: Date }[] = [];
    for (let i = 0; i < 6; i++) {
      const at = t(90 - i * 10);
      await s.db.db
        .insertInto('payments')
        .values({ id: `pay_t${i}`, user_id: u.id, subscription_id: 'sub_t', provider: 'kakaopay', kind: i ? 'renewal' : 'checkout', plan_id: 'standard', amount_krw: 29000,
          vat_krw: 2636, status: 'approved', recurring: true, provider_ref: `TT${i}`, created_at: at, updated_at: at, approved_at: at })
        .execute();
      expected.push({ source: 'payment', id: `pay_t${i}`, at });
    }
    // Same instant as pay_t2: order by `source:id` descending.
    await s.db.db
      .insertInto('refunds')
      .values({ id: 'ref_t0', payment_id: 'pay_t1', kind: 'admin', amount_krw: 5000, vat_krw: 454, reason: 'x', requested_by: admin.userId, status: 'succeeded', created_at: t(70), updated_at: t(70), settled_at: t(70) })
      .execute();
    expected.push({ source: 'refund', id: 'ref_t0', at: t(70) });
    const ev = await s.db.db
      .insertInto('subscription_events')
      .values([
        { subscription_id: 'sub_t', type: 'created', from_status: null, to_status: 'active', data: null, created_at: t(95) },
        { subscription_id: 'sub_t', type: 'plan_upgraded', from_status: 'active', to_status: 'active', data: JSON.stringify({ from: 'standard', to: 'pro' }), created_at: t(70) },
      ])
      .returning('id')
      .execute();
    expected.push({ source: 'subscription_event', id: String(ev[0].id), at: t(95) }, { source: 'subscription_event', id: String(ev[1].id), at: t(70) });
    for (let i = 0; i < 4; i++) {
      await s.db.db
        .insertInto('notices')
        .values({ id: `ntc_t${i}`, user_id: u.id, subscription_id: 'sub_t', kind: 'renewal_upcoming', dedupe_key: `t${i}`, subject: '갱신 안내', body: '…', data: null,
          status: 'sent', created_at: t(85 - i * 10), updated_at: t(85 - i * 10), sent_at: t(85 - i * 10) })
        .execute();
      expected.push({ source: 'notice', id: `ntc_t${i}`, at: t(85 - i * 10) });
    }
    const usage = await s.db.db
      .insertInto('usage_events')
      .values([0, 1, 2].map((i) => ({ user_id: u.id, feature: 'auto_trading', occurred_at: t(30 - i), recorded_by: admin.userId })))
      .returning(['id', 'occurred_at'])
      .execute();
    for (const x of usage) expected.push({ source: 'usage', id: String(x.id), at: x.occurred_at });
    await s.db.db.insertInto('engine_events').values({ id: 'evt_t', user_id: u.id, seq: 1, type: 'subscription.activated', payload: JSON.stringify({}), occurred_at: t(95), created_at: t(95) }).execute();
    await sql`INSERT INTO webhook_endpoints (id, url, secret, created_at, updated_at) VALUES ('whe_t', 'http://127.0.0.1:1/x', 'whsec_x', ${t(99)}, ${t(99)})`.execute(s.db.db);
    await sql`INSERT INTO webhook_deliveries (id, endpoint_id, event_id, user_id, seq, status, attempts, next_attempt_at, created_at)
      VALUES ('whd_t', 'whe_t', 'evt_t', ${u.id}, 1, 'succeeded', 1, ${t(94)}, ${t(94)})`.execute(s.db.db);
    expected.push({ source: 'webhook_delivery', id: 'whd_t', at: t(94) });

    const key = (e: { source: string; id: string }) => `${e.source}:${e.id}`;
    expected.sort((a, b) => b.at.getTime() - a.at.getTime() || (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const r: { status: number; body: any } = await s.api('GET', `/api/admin/users/${u.id}/timeline?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.total).toBe(expected.length);
      seen.push(...r.body.entries.map(key));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected.map(key));

    const only = await s.api('GET', `/api/admin/users/${u.id}/timeline?sources=payment,refund&limit=50`, { token: admin.token });
    expect(only.body.total).toBe(7);
    expect(only.body.entries.map(key)).toEqual(expected.filter((e) => e.source === 'payment' || e.source === 'refund').map(key));
    expect(only.body.entries.find((e: any) => e.source === 'refund')).toMatchObject({ type: 'admin', status: 'succeeded', amount_krw: 5000, detail: { payment_id: 'pay_t1' } });
    const upgraded = (await s.api('GET', `/api/admin/users/${u.id}/timeline?sources=subscription_event`, { token: admin.token })).body.entries[0];
    expect(upgraded).toMatchObject({ type: 'plan_upgraded', detail: { data: { from: 'standard', to: 'pro' } } });
    expect((await s.api('GET', '/api/admin/users/usr_missing/timeline', { token: admin.token })).status).toBe(404);
    expect((await s.api('GET', `/api/admin/users/${u.id}/timeline?sources=gossip`, { token: admin.token })).status).toBe(400);
    expect((await s.api('GET', `/api/admin/users/${u.id}/timeline?cursor=bm9wZQ`, { token: admin.token })).status).toBe(400);
  });

  it('a real checkout and refund appear in the timeline; its total matches the rows counted per table', async () => {
    const u = await s.signup();
    const k = await kakaoCheckout(s, u.token, 'standard', true);
    await refund(s, admin.token, k.paymentId, { amount_krw: 2000 });
    await s.api('POST', '/api/admin/usage', { token: admin.token, body: { user_id: u.userId, feature: 'auto_trading' } });
    const count = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(s.db.db)).rows[0].n);
    const independent =
      (await count(sql`SELECT count(*) AS n FROM payments WHERE user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM subscription_events e JOIN subscriptions x ON x.id = e.subscription_id WHERE x.user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM notices WHERE user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM webhook_deliveries WHERE user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM usage_events WHERE user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM consents WHERE user_id = ${u.userId}`)) +
      (await count(sql`SELECT count(*) AS n FROM admin_audit_log WHERE target_id = ${u.userId} OR after ->> 'user_id' = ${u.userId} OR before ->> 'user_id' = ${u.userId}`));
    const r = await s.api('GET', `/api/admin/users/${u.userId}/timeline?limit=200`, { token: admin.token });
    expect(r.body.total).toBe(independent);
    expect(r.body.entries).toHaveLength(independent);
    expect(r.body.entries[0]).toMatchObject({ source: 'usage', type: 'auto_trading' });
    expect(r.body.entries.find((e: any) => e.source === 'payment')).toMatchObject({ id: k.paymentId, status: 'partially_refunded', amount_krw: 29000, detail: { provider_ref: k.tid } });
    expect(r.body.entries.find((e: any) => e.source === 'refund')).toMatchObject({ status: 'succeeded', amount_krw: 2000 });
    const at = r.body.entries.map((e: any) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => b - a));
  });
});
