import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { DAY, startRenewalHarness, type RenewalHarness, type User } from './renewal-harness.ts';
import type { NoticeSender } from '../../src/domain/ports.ts';
import { deliverNotices } from '../../src/worker/tasks/deliver-notices.ts';

/**
 * Issue 11 item 9 (docs/pricing.md): versioned prices changed by the admin action; an increase
 * needs notice and consent 30 days ahead (전자상거래법 제13조), existing subscribers keep their
 * price until its effective date and their consent; without consent nothing is charged at the
 * new price, the subscriber is told and the subscription ends with its period.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 180_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function mailbox(u: User) {
  return (await h.api('GET', `/api/sandbox/mailbox?email=${encodeURIComponent(u.email)}`, { token: await h.adminToken() })).body.notices as any[];
}
async function setPrice(body: Record<string, unknown>, token?: string) {
  return h.api('POST', '/api/admin/prices', { token: token ?? (await h.adminToken()), body });
}
const renewalsOf = async (u: User) => (await h.payments(u.userId)).filter((p) => p.kind === 'renewal');

describe(`price versions (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('refuses an increase less than 30 days ahead with PRICE_NOTICE_TOO_SHORT and writes nothing; staff permission required', async () => {
    const u = await h.signup();
    const denied = await setPrice({ plan: 'standard', price_krw: 35000, effective_at: new Date(h.now().getTime() + 40 * DAY).toISOString() }, u.token);
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await h.api('GET', '/api/admin/prices', { token: u.token })).status).toBe(403);

    const soon = await setPrice({ plan: 'standard', price_krw: 35000, effective_at: new Date(h.now().getTime() + 29 * DAY).toISOString() });
    expect(soon.status).toBe(422);
    expect(soon.body.error).toMatchObject({ code: 'PRICE_NOTICE_TOO_SHORT', details: { notice_days: 30, previous_krw: 29000 } });
    const now = await setPrice({ plan: 'standard', price_krw: 35000 });
    expect(now.body.error.code).toBe('PRICE_NOTICE_TOO_SHORT');
    const past = await setPrice({ plan: 'standard', price_krw: 25000, effective_at: new Date(h.now().getTime() - DAY).toISOString() });
    expect(past.body.error.code).toBe('PRICE_EFFECTIVE_IN_PAST');
    expect((await setPrice({ plan: 'free', price_krw: 1000 })).body.error.code).toBe('PLAN_NOT_PURCHASABLE');
    expect(await h.db.db.selectFrom('plan_prices').selectAll().execute()).toEqual([]);
    const list = (await h.api('GET', '/api/admin/prices', { token: await h.adminToken() })).body;
    expect(list.notice_days).toBe(30);
    expect(list.plans.find((p: any) => p.id === 'standard')).toMatchObject({ current_krw: 29000, scheduled: null });
  });

  it('a decrease applies at once: new checkouts and the next renewal of existing subscribers charge it, without consent', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u, 'premium');
    const r = await setPrice({ plan: 'premium', price_krw: 49000 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ increase: false, previous_krw: 59000, plan: { current_krw: 49000 }, version: { state: 'current' } });
    expect((await h.api('GET', '/api/plans')).body.plans.find((p: any) => p.id === 'premium').price_krw).toBe(49000);
    const v = await h.signup();
    const first = await h.subscribe('naverpay', v, 'premium');
    expect(first.payment.amount_krw).toBe(49000);
    expect((await h.api('GET', '/api/subscription/renewal', { token: u.token })).body).toMatchObject({ next_charge_krw: 49000, price_change: null });
    await h.advance(30 * DAY, u);
    expect(await renewalsOf(u)).toMatchObject([{ status: 'approved', amount_krw: 49000 }]);
    expect((await mailbox(u)).map((n) => n.kind)).not.toContain('price_change_consent');
    expect((await mailbox(u)).map((n) => n.kind)).not.toContain('price_change');
  });

  it('an upgrade is quoted and charged alike: credit at the agreed price, the new plan at the price book\'s price', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u, 'standard');
    // Both prices drop at once: the subscriber paid 29,000 for this period, premium now sells at 49,000.
    expect((await setPrice({ plan: 'standard', price_krw: 25000 })).status).toBe(201);
    expect((await setPrice({ plan: 'premium', price_krw: 49000 })).status).toBe(201);
    await h.advance(3 * DAY, u);
    const q = await h.api('GET', '/api/subscription/change/quote?plan=premium', { token: u.token });
    // 27 of 30 days left: floor(49,000 × 0.9) − floor(29,000 × 0.9), not plans.json's 59,000 nor standard's 25,000.
    expect(q.body).toMatchObject({ kind: 'upgrade', charge_krw: 18_000, next_charge_krw: 49_000, proration: { new_plan_krw: 44_100, credit_krw: 26_100 } });
    await h.advance(60_000, u);
    const r = await h.api('POST', '/api/subscription/change', {
      token: u.token,
      body: { plan: 'premium', quote: { quoted_at: q.body.quoted_at, charge_krw: q.body.charge_krw } },
    });
    expect(r.body).toMatchObject({ change: 'upgraded', payment: { amount_krw: 18_000, status: 'approved' } });
    expect((await h.api('GET', '/api/subscription/renewal', { token: u.token })).body).toMatchObject({ next_plan: 'premium', next_charge_krw: 49_000, agreed_price_krw: 49_000 });
    const down = await h.api('GET', '/api/subscription/change/quote?plan=standard', { token: u.token });
    expect(down.body).toMatchObject({ kind: 'downgrade', charge_krw: 0, next_charge_krw: 25_000 });
  });

  it('an increase: new subscribers pay it from its date; existing ones keep their price until then and their consent; no consent → no charge, told, ended', async () => {
    const keeps = await h.signup();
    const declines = await h.signup();
    await h.subscribe('kakaopay', keeps);
    const firstDecl = await h.subscribe('naverpay', declines);
    const periodEnd = Date.parse(firstDecl.payment.period_end);
    const effectiveAt = new Date(h.now().getTime() + 40 * DAY);
    const r = await setPrice({ plan: 'standard', price_krw: 35000, effective_at: effectiveAt.toISOString() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ increase: true, previous_krw: 29000, notified: 2, version: { state: 'scheduled', announcing: true } });

    // Both are told at once, 40 days before the price applies and 60 days before their first higher charge.
    for (const u of [keeps, declines]) {
      const n = (await mailbox(u)).find((x) => x.kind === 'price_change');
      expect(n.subject).toContain('가격 인상 안내');
      expect(n.body).toContain('29,000원에서 35,000원');
      expect(n.body).toContain('처음 결제되는 날');
      const view = (await h.api('GET', '/api/subscription/renewal', { token: u.token })).body;
      expect(view).toMatchObject({ next_charge_krw: 29000, price_consent_required: false, price_change: { from_krw: 29000, to_krw: 35000, consented: false } });
      expect(Date.parse(view.price_change.first_charge_at)).toBe(periodEnd + 30 * DAY);
    }
    // Consent to another amount is refused; to the announced one it is recorded (still 29,000 until the date).
    expect((await h.api('POST', '/api/subscription/consent', { token: keeps.token, body: { price_krw: 34000 } })).body.error.code).toBe('AMOUNT_MISMATCH');
    const ok = await h.api('POST', '/api/subscription/consent', { token: keeps.token, body: { price_krw: 35000 } });
    expect(ok.body).toMatchObject({ changed: true, renewal: { next_charge_krw: 29000, price_change: { to_krw: 35000, consented: true } } });
    const given = (await mailbox(keeps)).find((n) => n.kind === 'price_consent_given');
    expect(given.body).toContain('35,000원(부가세 포함)에 동의하셨습니다');

    // A new subscriber before the date pays the old price; the first renewal of both is at 29,000.
    const early = await h.signup();
    expect((await h.subscribe('kakaopay', early)).payment.amount_krw).toBe(29000);
    await h.advance(periodEnd - h.now().getTime() + DAY, keeps);
    expect(await renewalsOf(keeps)).toMatchObject([{ status: 'approved', amount_krw: 29000 }]);
    expect(await renewalsOf(declines)).toMatchObject([{ status: 'approved', amount_krw: 29000 }]);
    // The subscriber who joined before the date is told as well.
    expect((await mailbox(early)).map((n) => n.kind)).toContain('price_change');

    // From the effective date new subscribers pay the new price.
    await h.advance(effectiveAt.getTime() - h.now().getTime() + DAY, keeps);
    const late = await h.signup();
    expect((await h.subscribe('naverpay', late)).payment.amount_krw).toBe(35000);
    expect((await h.api('GET', '/api/subscription/renewal', { token: declines.token })).body).toMatchObject({
      price_consent_required: true,
      next_charge_krw: null,
      next_renewal: { price_krw: 35000, agreed_price_krw: 29000, charge_krw: null, consent: 'required' },
    });

    await h.advance(periodEnd + 30 * DAY - h.now().getTime() + DAY, keeps);
    // Consent given: the first renewal after the date charges the new price.
    expect((await renewalsOf(keeps)).map((p) => [p.status, p.amount_krw])).toEqual([
      ['approved', 29000],
      ['approved', 35000],
    ]);
    // No consent: nothing charged at the new price, the subscription ended with its period, and the subscriber was told.
    expect((await renewalsOf(declines)).map((p) => p.amount_krw)).toEqual([29000]);
    const row = await h.subscriptionRow(declines.userId);
    expect(row).toMatchObject({ status: 'canceled' });
    expect(row.ended_at.getTime()).toBe(periodEnd + 30 * DAY);
    const mails = await mailbox(declines);
    expect(mails.find((n) => n.kind === 'subscription_ended').subject).toContain('가격 변경 미동의');
    expect(mails.map((n) => n.kind)).not.toContain('renewal_failed');
  });

  // 전자상거래법 제13조 notice told them of a higher price: its withdrawal is told too, to those
  // told (sent, or being sent), in the withdrawal's transaction, once, with the price that stays.
  it('tells the subscribers who were told of a withdrawn increase that it is withdrawn and what they keep paying', async () => {
    const admin = await h.adminToken();
    const [told, inFlight, untold] = [await h.signup(), await h.signup(), await h.signup()];
    await h.subscribe('kakaopay', told);
    await h.subscribe('naverpay', inFlight);
    await h.subscribe('naverpay', untold);
    const set = await setPrice({ plan: 'standard', price_krw: 35000, effective_at: new Date(h.now().getTime() + 40 * DAY).toISOString() });
    expect(set.status).toBe(201);
    const id = set.body.version.id;
    // Delivered by mail; then one is set back as a send started (leased: may have arrived), one as never tried.
    const sent: string[] = [];
    const sender: NoticeSender = { channel: 'smtp', needsAddress: true, send: async (m) => void sent.push(m.to) };
    await deliverNotices(h.services.ctx, sender, h.now(), 100);
    expect(sent).toEqual(expect.arrayContaining([told.email, inFlight.email, untold.email]));
    const keyOf = async (u: User) => `price_change:${id}:${(await h.subscriptionRow(u.userId)).id}`;
    await h.db.db.updateTable('notices').set({ status: 'pending', attempts: 1 }).where('dedupe_key', '=', await keyOf(inFlight)).execute();
    await h.db.db.updateTable('notices').set({ status: 'pending', attempts: 0 }).where('dedupe_key', '=', await keyOf(untold)).execute();

    const ok = await h.api('POST', `/api/admin/prices/${id}/withdraw`, { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.body.withdrawal_notices).toBe(2);
    const written = await h.db.db.selectFrom('notices').select(['user_id', 'status', 'subject', 'body']).where('kind', '=', 'price_change_withdrawn').execute();
    expect(written.map((n) => n.user_id).sort()).toEqual([told.userId, inFlight.userId].sort());
    expect(written[0]).toMatchObject({ status: 'pending', subject: expect.stringContaining('가격 변경 취소') });
    expect(written[0]!.body).toContain('35,000원');
    expect(written[0]!.body).toContain('다음 정기결제부터도 29,000원');
    const audit = await (h.db.db as any).selectFrom('admin_audit_log').select('after').where('action', '=', 'price.withdraw').execute();
    expect(audit.at(-1).after).toMatchObject({ notices_skipped: 2, withdrawal_notices: 2 });
    expect((await mailbox(untold)).map((n) => n.kind)).not.toContain('price_change_withdrawn');
    // The renewal after the withdrawn date charges the price that stayed.
    await h.advance(30 * DAY);
    await h.tick();
    expect((await renewalsOf(told)).map((p) => p.amount_krw)).toEqual([29000]);
  });

  it('tells thousands of subscribers of a withdrawal (more notices than one statement may carry)', async () => {
    const admin = await h.adminToken();
    const told = await h.signup();
    await h.subscribe('kakaopay', told);
    const set = await setPrice({ plan: 'standard', price_krw: 35000, effective_at: new Date(h.now().getTime() + 40 * DAY).toISOString() });
    const id = set.body.version.id;
    await h.db.db.updateTable('notices').set({ status: 'sent' }).where('dedupe_key', 'like', `price_change:${id}:%`).execute();
    // 5,000 more subscribers told, copied from this one (16 parameters a notice: 80,000 in one statement).
    const n = 5_000;
    const sub = await h.subscriptionRow(told.userId);
    await sql`INSERT INTO users SELECT (jsonb_populate_record(NULL::users, to_jsonb(u) || jsonb_build_object('id', 'usr_many_' || g, 'email', 'many' || g || '@example.com'))).*
      FROM users u, generate_series(1, ${n}) g WHERE u.id = ${told.userId}`.execute(h.db.db);
    await sql`INSERT INTO subscriptions SELECT (jsonb_populate_record(NULL::subscriptions, to_jsonb(s) || jsonb_build_object('id', 'sub_many_' || g, 'user_id', 'usr_many_' || g, 'billing_key', NULL))).*
      FROM subscriptions s, generate_series(1, ${n}) g WHERE s.id = ${sub.id}`.execute(h.db.db);
    await sql`INSERT INTO notices SELECT (jsonb_populate_record(NULL::notices, to_jsonb(x) || jsonb_build_object('id', 'ntc_many_' || g, 'user_id', 'usr_many_' || g, 'subscription_id', 'sub_many_' || g, 'dedupe_key', ${`price_change:${id}:`}::text || 'sub_many_' || g))).*
      FROM notices x, generate_series(1, ${n}) g WHERE x.dedupe_key = ${`price_change:${id}:${sub.id}`}`.execute(h.db.db);

    const ok = await h.api('POST', `/api/admin/prices/${id}/withdraw`, { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.body.withdrawal_notices).toBe(n + 1);
    const written = await h.db.db.selectFrom('notices').select((eb) => eb.fn.countAll<number>().as('c')).where('kind', '=', 'price_change_withdrawn').executeTakeFirstOrThrow();
    expect(Number(written.c)).toBe(n + 1);
  });

  // A scheduled version (not in effect yet) can be withdrawn by staff with prices.manage, recorded
  // in admin_audit_log; one already in effect is refused with PRICE_ALREADY_EFFECTIVE.
  it('withdraws a scheduled increase (audited), refuses one in effect, and needs prices.manage', async () => {
    const admin = await h.adminToken();
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const set = await h.api('POST', '/api/admin/prices', {
      token: admin,
      body: { plan: 'standard', price_krw: 35000, effective_at: new Date(h.now().getTime() + 40 * DAY).toISOString() },
    });
    expect(set.status).toBe(201);
    const id = set.body.version.id;

    const denied = await h.api('POST', `/api/admin/prices/${id}/withdraw`, { token: u.token });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN']);

    // The subscriber's notice of the increase is queued; the withdrawal takes back what was not sent yet.
    const priceNotices = () => h.db.db.selectFrom('notices').select(['status', 'last_error']).where('dedupe_key', 'like', `price_change:${id}:%`).execute();
    await h.db.db.updateTable('notices').set({ status: 'pending' }).where('dedupe_key', 'like', `price_change:${id}:%`).execute();
    expect(await priceNotices()).toEqual([{ status: 'pending', last_error: null }]);

    const ok = await h.api('POST', `/api/admin/prices/${id}/withdraw`, { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.body.withdrawn).toMatchObject({ id, price_krw: 35000, state: 'scheduled' });
    expect(ok.body.plan).toMatchObject({ id: 'standard', current_krw: 29000, scheduled: null });
    const listed = (await h.api('GET', '/api/admin/prices', { token: admin })).body.plans.find((p: any) => p.id === 'standard');
    expect(listed.versions.map((v: any) => v.id)).not.toContain(id);
    const audit = await (h.db.db as any).selectFrom('admin_audit_log').selectAll().where('action', '=', 'price.withdraw').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_type: 'plan_price', target_id: id });
    expect(await priceNotices()).toEqual([{ status: 'skipped', last_error: 'price withdrawn' }]);

    // Nobody was told: nobody is told of the withdrawal either.
    expect((await mailbox(u)).map((n) => n.kind)).not.toContain('price_change_withdrawn');

    const again = await h.api('POST', `/api/admin/prices/${id}/withdraw`, { token: admin });
    expect([again.status, again.body.error.code]).toEqual([404, 'NOT_FOUND']);

    // A decrease applies at once: it is in effect and cannot be withdrawn any more.
    const cut = await h.api('POST', '/api/admin/prices', { token: admin, body: { plan: 'standard', price_krw: 25000 } });
    expect(cut.status).toBe(201);
    await h.advance(1000);
    const late = await h.api('POST', `/api/admin/prices/${cut.body.version.id}/withdraw`, { token: admin });
    expect([late.status, late.body.error.code]).toEqual([409, 'PRICE_ALREADY_EFFECTIVE']);
    expect((await h.api('GET', '/api/admin/prices', { token: admin })).body.plans.find((p: any) => p.id === 'standard').current_krw).toBe(25000);
    expect(await (h.db.db as any).selectFrom('admin_audit_log').select('id').where('action', '=', 'price.withdraw').execute()).toHaveLength(1);
  });
});
