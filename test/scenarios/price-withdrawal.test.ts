import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness } from './renewal-harness.ts';

/**
 * A scheduled price version (not in effect yet) can be withdrawn by staff with prices.manage,
 * recorded in admin_audit_log; one already in effect is refused with PRICE_ALREADY_EFFECTIVE.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRenewalHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

describe(`price version withdrawal (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
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
