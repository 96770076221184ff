import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Operator actions on a subscriber (issue 14.4) and the audit log (14.5): each action needs a
 * reason and its permission, changes the subscription through the existing use cases, and
 * writes one audit row in the same transaction; a refused action writes nothing.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 60_000 });
const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

beforeAll(async () => {
  h = await startRenewalHarness({ env: { AUTH_SESSION_CACHE_MS: '0' } });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

async function staff(role: 'admin' | 'support' | 'finance'): Promise<User> {
  const u = await h.signup();
  await h.db.db.updateTable('users').set({ role }).where('id', '=', u.userId).execute();
  return u;
}

const auditRows = () => (h.db.db as any).selectFrom('admin_audit_log').selectAll().orderBy('created_at').orderBy('id').execute() as Promise<any[]>;
/** One second later each time (the harness clock is frozen): audit rows then list in the order they were made. */
const act = async (token: string, userId: string, action: string, body: unknown) => {
  h.services.clock.advance(1000);
  return h.api('POST', `/api/admin/users/${userId}/actions/${action}`, { token, body });
};

describe(`operator actions (${label})`, () => {
  it('extend: comp days move the period end, need a reason, are audited with before/after, and respect roles', async () => {
    const admin = await staff('admin');
    const support = await staff('support');
    const finance = await staff('finance');
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const before = await h.subscriptionRow(u.userId);

    const noReason = await act(admin.token, u.userId, 'extend', { days: 10, reason: '  ' });
    expect([noReason.status, noReason.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await auditRows()).toHaveLength(0);
    expect((await h.subscriptionRow(u.userId)).current_period_end).toEqual(before.current_period_end);

    const denied = await act(finance.token, u.userId, 'extend', { days: 10, reason: '장애 보상' });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const anonymous = await h.api('POST', `/api/admin/users/${u.userId}/actions/extend`, { body: { days: 10, reason: 'x' } });
    expect(anonymous.status).toBe(401);
    // The permission is checked before the body is validated: a bad body still answers 401 / 403.
    const anonymousBad = await h.api('POST', `/api/admin/users/${u.userId}/actions/extend`, { body: { days: 'x' } });
    expect(anonymousBad.status).toBe(401);
    const deniedBad = await act(finance.token, u.userId, 'extend', { days: 0 });
    expect([deniedBad.status, deniedBad.body.error.code]).toEqual([403, 'FORBIDDEN']);

    const r = await act(support.token, u.userId, 'extend', { days: 10, reason: '장애 보상' });
    expect(r.status).toBe(200);
    const after = await h.subscriptionRow(u.userId);
    expect(new Date(after.current_period_end).getTime()).toBe(new Date(before.current_period_end).getTime() + 10 * DAY);
    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_user_id: support.userId, action: 'subscription.extend', target_type: 'subscription', target_id: before.id, reason: '장애 보상' });
    expect(rows[0].before.current_period_end).toBe(new Date(before.current_period_end).toISOString());
    expect(rows[0].after).toMatchObject({ current_period_end: new Date(after.current_period_end).toISOString(), days: 10, user_id: u.userId });

    // Support may extend but not cancel; the renewal still charges at the new period end.
    const cancelBySupport = await act(support.token, u.userId, 'cancel', { reason: '요청' });
    expect(cancelBySupport.status).toBe(403);
    await h.advance(40 * DAY);
    const renewal = (await h.payments(u.userId)).find((p) => p.kind === 'renewal');
    expect(renewal?.status).toBe('approved');
    expect(new Date(renewal!.period_start).getTime()).toBe(new Date(after.current_period_end).getTime());
  });

  it('change plan now / at next renewal, cancel, resume and revoke the billing key, each audited', async () => {
    const admin = await staff('admin');
    const u = await h.signup();
    await h.subscribe('naverpay', u);
    const sub = await h.subscriptionRow(u.userId);

    const next = await act(admin.token, u.userId, 'change-plan', { plan: 'pro', when: 'next_renewal', reason: '다음 달부터 프로' });
    expect(next.status).toBe(200);
    expect(next.body.subscription).toMatchObject({ plan_id: 'standard', pending_plan_id: 'pro' });
    const now = await act(admin.token, u.userId, 'change-plan', { plan: 'premium', when: 'now', reason: '보상 업그레이드' });
    expect(now.body.subscription).toMatchObject({ plan_id: 'premium', pending_plan_id: null });
    const unknownPlan = await act(admin.token, u.userId, 'change-plan', { plan: 'gold', reason: 'x' });
    expect(unknownPlan.status).toBe(400);

    // Resume with the key still held: auto-renewal back on.
    await h.db.db.updateTable('subscriptions').set({ auto_renew: false }).where('id', '=', sub.id).execute();
    const resumed = await act(admin.token, u.userId, 'resume', { reason: '사용자 전화 요청' });
    expect([resumed.status, resumed.body.subscription.auto_renew]).toEqual([200, true]);

    const key = sub.billing_key!;
    const revoked = await act(admin.token, u.userId, 'revoke-billing-key', { reason: '도용 신고' });
    expect([revoked.status, revoked.body.subscription.has_billing_key]).toEqual([200, false]);
    expect(await h.keyActive('naverpay', key)).toBe(false);
    // Without a key, resume is the subscriber's to do.
    const noKey = await act(admin.token, u.userId, 'resume', { reason: 'x' });
    expect([noKey.status, noKey.body.error.code]).toEqual([409, 'SUBSCRIPTION_STATE_CONFLICT']);

    const canceled = await act(admin.token, u.userId, 'cancel', { reason: '해지 요청' });
    expect([canceled.status, canceled.body.subscription.auto_renew]).toEqual([200, false]);
    const again = await act(admin.token, u.userId, 'cancel', { reason: '해지 요청' });
    expect(again.status).toBe(409);

    const rows = await auditRows();
    expect(rows.map((r) => r.action)).toEqual(['subscription.change_plan', 'subscription.change_plan', 'subscription.resume', 'billing_key.revoke', 'subscription.cancel']);
    expect(rows.every((r) => r.actor_user_id === admin.userId && r.target_id === sub.id && r.reason)).toBe(true);
    expect(rows[1].before.plan_id).toBe('standard');
    expect(rows[1].after.plan_id).toBe('premium');
    expect(rows[4].before.auto_renew).toBe(true);
    expect(rows[4].after.auto_renew).toBe(false);
  });

  it('retry a failed renewal now: the declined cycle is charged at once, not at its scheduled retry', async () => {
    const admin = await staff('admin');
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.advance(23 * DAY);
    await h.declineNext('kakaopay', 1);
    await h.advance(7 * DAY); // attempt 1: declined
    expect((await h.subscriptionRow(u.userId)).status).toBe('past_due');

    const support = await staff('support');
    expect((await act(support.token, u.userId, 'retry-renewal', { reason: '카드 교체 확인' })).status).toBe(403);
    const r = await act(admin.token, u.userId, 'retry-renewal', { reason: '카드 교체 확인' });
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe('approved');
    expect(r.body.subscription.status).toBe('active');
    expect((await h.payments(u.userId)).filter((p) => p.kind === 'renewal').map((p) => p.status).sort()).toEqual(['approved', 'declined']);
    const rows = await auditRows();
    expect(rows.map((x) => x.action)).toEqual(['renewal.retry']);
    // Nothing to retry any more.
    expect((await act(admin.token, u.userId, 'retry-renewal', { reason: 'again' })).status).toBe(409);
  });

  it('resend a notice: a copy goes to the outbox and out by the worker; support may do it', async () => {
    const support = await staff('support');
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.advance(24 * DAY); // the renewal notice goes out
    const list = await h.api('GET', `/api/admin/users/${u.userId}/notices`, { token: support.token });
    expect(list.status).toBe(200);
    const notice = list.body.notices.find((n: any) => n.kind === 'renewal_upcoming');
    expect(notice.status).toBe('sent');
    const r = await h.api('POST', `/api/admin/users/${u.userId}/notices/${notice.id}/resend`, { token: support.token, body: { reason: '메일 못 받음' } });
    expect(r.status).toBe(201);
    expect(r.body.notice).toMatchObject({ kind: 'renewal_upcoming', subject: notice.subject, status: 'pending' });
    await h.tick();
    const after = await h.api('GET', `/api/admin/users/${u.userId}/notices`, { token: support.token });
    expect(after.body.notices.find((n: any) => n.id === r.body.notice.id).status).toBe('sent');
    const other = await h.signup();
    const foreign = await h.api('POST', `/api/admin/users/${other.userId}/notices/${notice.id}/resend`, { token: support.token, body: { reason: 'x' } });
    expect(foreign.status).toBe(404);
    expect((await auditRows()).map((x) => [x.action, x.target_id, x.after.resent_as])).toEqual([['notice.resend', notice.id, r.body.notice.id]]);
  });

  it('audit log: refunds and API-key changes are recorded too; filter by actor, action and date, paged with a true total, CSV export', async () => {
    const admin = await staff('admin');
    const other = await staff('admin');
    const finance = await staff('finance');
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const refund = await h.api('POST', `/api/admin/payments/${first.payment.id}/refunds`, { token: admin.token, body: { amount_krw: 1000, reason: '부분 보상' } });
    expect(refund.status).toBe(201);
    h.services.clock.advance(1000);
    const key = await h.api('POST', '/api/admin/api-keys', { token: other.token, body: { name: 'engine', scopes: ['entitlements:read'] } });
    expect(key.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await act(other.token, u.userId, 'extend', { days: 1, reason: `보상 ${i}` })).status).toBe(200);

    expect((await h.api('GET', '/api/admin/audit', { token: finance.token })).status).toBe(403);
    expect((await h.api('GET', '/api/admin/audit?page=0', { token: finance.token })).status).toBe(403);
    const all = await h.api('GET', '/api/admin/audit?page_size=2', { token: admin.token });
    expect(all.status).toBe(200);
    expect([all.body.total, all.body.entries.length]).toEqual([5, 2]);
    const page3 = await h.api('GET', '/api/admin/audit?page_size=2&page=3', { token: admin.token });
    expect(page3.body.entries.map((e: any) => e.action)).toEqual(['payment.refund']);
    expect(page3.body.entries[0]).toMatchObject({ actor_email: admin.email, target_id: first.payment.id, reason: '부분 보상' });
    expect(page3.body.entries[0].after.refund_amount_krw).toBe(1000);

    const byActor = await h.api('GET', `/api/admin/audit?actor=${encodeURIComponent(other.email)}&action=subscription.extend`, { token: admin.token });
    expect(byActor.body.total).toBe(3);
    const byKey = await h.api('GET', `/api/admin/audit?action=api_key.create`, { token: admin.token });
    expect(byKey.body.entries.map((e: any) => e.target_id)).toEqual([key.body.id]);
    const today = new Date(h.now().getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(h.now().getTime() + 9 * 3_600_000 + DAY).toISOString().slice(0, 10);
    expect((await h.api('GET', `/api/admin/audit?from=${today}&to=${today}`, { token: admin.token })).body.total).toBe(5);
    expect((await h.api('GET', `/api/admin/audit?from=${tomorrow}`, { token: admin.token })).body.total).toBe(0);
    expect((await h.api('GET', `/api/admin/audit?action=nope`, { token: admin.token })).status).toBe(400);
    expect((await h.api('GET', `/api/admin/audit?to=2025-02-31`, { token: admin.token })).status).toBe(400);
    expect((await h.api('GET', `/api/admin/audit?to=-383683464`, { token: admin.token })).status).toBe(400);

    const csv = await h.app.inject({ method: 'GET', url: '/api/admin/audit.csv?action=subscription.extend', headers: { authorization: `Bearer ${admin.token}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,created_at,actor_user_id,actor_email,action,target_type,target_id,reason,before,after');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('subscription.extend');
  });
});
