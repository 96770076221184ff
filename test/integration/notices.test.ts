import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, startRenewalHarness, type RenewalHarness, type User } from '../scenarios/renewal-harness.ts';

/**
 * Issue 11 item 11: every event a subscriber is owed a notice for writes exactly one notice,
 * in the transaction of the event, linking (absolute URL) to the page that acts on it. Through
 * the API (`app.inject`), the worker and both sandboxes, on the test clock.
 */
let h: RenewalHarness;
vi.setConfig({ testTimeout: 120_000 });

const PUBLIC = 'http://127.0.0.1:1';
const DB = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

beforeAll(async () => {
  h = await startRenewalHarness({
    env: { BUSINESS_NAME: '주식회사 쇼미더스탁', BUSINESS_REGISTRATION_NUMBER: '123-45-67890', BUSINESS_PHONE: '02-1234-5678' },
  });
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

interface MailView {
  kind: string;
  subject: string;
  body: string;
  created_at: string;
}

async function mailbox(u: User): Promise<MailView[]> {
  return (await h.api('GET', `/api/sandbox/mailbox?email=${encodeURIComponent(u.email)}&limit=100`, { token: await h.adminToken() })).body.notices;
}
async function ofKind(u: User, kind: string): Promise<MailView[]> {
  return (await mailbox(u)).filter((n) => n.kind === kind);
}
const key = () => `k-${Math.random().toString(36).slice(2)}`;

function expectWellFormed(n: MailView, path: string) {
  expect(n.body).toContain(`▶ `);
  expect(n.body).toContain(`${PUBLIC}${path}`);
  // The footer: what exists (the subscription page) and the configured business details only.
  expect(n.body).toContain(`내 구독(${PUBLIC}/subscription)`);
  expect(n.body).toContain('상호: 주식회사 쇼미더스탁');
  expect(n.body).toContain('사업자등록번호: 123-45-67890');
  expect(n.body).toContain('대표자: 홍길동'); // the local placeholder: production refuses it unset (docs/legal.md)
  expect(n.body).not.toMatch(/월\s*\d[\d,]*원|매월|\/월/);
}

describe(`notices on every subscriber event (${DB})`, () => {
  it('purchase: one 결제 완료 notice linking to the receipt; a repeated approve writes no second one', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const paymentId = first.payment.id;
    const again = await h.api('POST', '/api/payment/kakaopay/approve', { token: u.token, body: { payment_id: paymentId, pg_token: 'again' } });
    expect(again.status).toBeLessThan(500);
    const mails = await ofKind(u, 'purchase_completed');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('[ShowMeTheStock] 결제 완료 안내');
    expect(mails[0].body).toContain('29,000원');
    expect(mails[0].body).toContain('30일마다');
    expectWellFormed(mails[0], `/payments/receipt?id=${paymentId}`);
  });

  it('upcoming renewal: exactly one notice, 7 days before the charge on the test clock; then the paid renewal with its receipt', async () => {
    const u = await h.signup();
    const first = await h.subscribe('naverpay', u);
    const periodEnd = Date.parse(first.payment.period_end);
    const dueAt = periodEnd - 7 * DAY;

    await h.advance(dueAt - h.now().getTime() - 60_000, u);
    expect(await ofKind(u, 'renewal_upcoming')).toHaveLength(0);
    await h.advance(60_000, u);
    const upcoming = await ofKind(u, 'renewal_upcoming');
    expect(upcoming).toHaveLength(1);
    expect(Date.parse(upcoming[0].created_at)).toBe(dueAt);
    expect(upcoming[0].body).toContain('29,000원');
    expectWellFormed(upcoming[0], '/subscription');
    // More ticks in the same period send nothing more.
    for (let i = 0; i < 3; i++) await h.advance(DAY, u);
    await h.tick();
    expect(await ofKind(u, 'renewal_upcoming')).toHaveLength(1);

    await h.advance(periodEnd - h.now().getTime(), u);
    const renewal = (await h.payments(u.userId)).find((p) => p.kind === 'renewal')!;
    expect(renewal.status).toBe('approved');
    const paid = await ofKind(u, 'renewal_succeeded');
    expect(paid).toHaveLength(1);
    expectWellFormed(paid[0], `/payments/receipt?id=${renewal.id}`);
    // The next period's notice comes 7 days before its own end, once.
    await h.advance(22 * DAY, u);
    expect(await ofKind(u, 'renewal_upcoming')).toHaveLength(1);
    await h.advance(DAY, u);
    expect(await ofKind(u, 'renewal_upcoming')).toHaveLength(2);
  });

  it('failed payment: a notice linking to the page that fixes it', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.declineNext('kakaopay', 1);
    await h.advance(30 * DAY, u);
    const failed = await ofKind(u, 'renewal_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].body).toContain('다른 결제 수단으로 결제');
    expectWellFormed(failed[0], '/subscription');
  });

  it('plan change: upgrade (receipt of the prorated charge) and a scheduled downgrade, one notice each', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    const up = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'premium' } });
    expect(up.status).toBe(200);
    const upgrade = (await h.payments(u.userId)).find((p) => p.kind === 'upgrade')!;
    expect(upgrade.status).toBe('approved');
    let changed = await ofKind(u, 'plan_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0].subject).toBe('[ShowMeTheStock] 플랜 변경 완료 안내');
    expectWellFormed(changed[0], `/payments/receipt?id=${upgrade.id}`);

    const down = await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } });
    expect(down.status).toBe(200);
    // Asking again for the same downgrade changes nothing and writes nothing.
    await h.api('POST', '/api/subscription/change', { token: u.token, body: { plan: 'standard' } });
    changed = await ofKind(u, 'plan_changed');
    expect(changed).toHaveLength(2);
    const scheduled = changed.find((n) => n.subject.includes('예약'))!;
    expect(scheduled.body).toContain('스탠다드 플랜으로 바뀝니다');
    expectWellFormed(scheduled, '/subscription');
  });

  it('해지 예약 and turning automatic payment back on: one notice each', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    expect((await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} })).status).toBe(200);
    await h.api('POST', '/api/subscription/cancel', { token: u.token, body: {} });
    const scheduled = await ofKind(u, 'cancel_scheduled');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].body).toContain('자동 결제를 다시 켜실 수 있습니다');
    expectWellFormed(scheduled[0], '/subscription');

    const resume = await h.api('POST', '/api/subscription/resume', { token: u.token, body: {} });
    expect(resume.status).toBe(200);
    if (resume.body.checkout) await h.completeCheckout('kakaopay', u, resume.body.payment_id, resume.body.checkout);
    const resumed = await ofKind(u, 'auto_renew_resumed');
    expect(resumed).toHaveLength(1);
    expectWellFormed(resumed[0], '/subscription');
  });

  it('즉시 해지: the cancellation notice, then the refund notice when the refund settles', async () => {
    const u = await h.signup();
    await h.subscribe('naverpay', u);
    await h.advance(10 * DAY, u);
    const r = await h.api('POST', '/api/subscription/cancel-now', { token: u.token, body: {}, headers: { 'idempotency-key': key() } });
    expect(r.status).toBe(200);
    const canceled = await ofKind(u, 'canceled_now');
    expect(canceled).toHaveLength(1);
    expect(canceled[0].body).toContain(`${r.body.refunded_krw.toLocaleString('ko-KR')}원을 환불하고 있습니다`);
    expectWellFormed(canceled[0], '/payments');
    const refunds = await ofKind(u, 'refund_completed');
    expect(refunds).toHaveLength(1);
    expectWellFormed(refunds[0], `/payments/receipt?id=${r.body.lines[0].payment_id}`);
  });

  it('청약철회: one notice when the full refund settles (not a second refund notice)', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const r = await h.api('POST', `/api/payments/${first.payment.id}/withdraw`, { token: u.token, headers: { 'idempotency-key': key() } });
    expect(r.status).toBe(201);
    const mails = await ofKind(u, 'withdrawal_completed');
    expect(mails).toHaveLength(1);
    expect(mails[0].body).toContain('29,000원 전액');
    expectWellFormed(mails[0], `/payments/receipt?id=${first.payment.id}`);
    expect(await ofKind(u, 'refund_completed')).toHaveLength(0);
  });

  it('refund by an operator: one notice with the amount and reason', async () => {
    const u = await h.signup();
    const first = await h.subscribe('kakaopay', u);
    const r = await h.api('POST', `/api/admin/payments/${first.payment.id}/refunds`, {
      token: await h.adminToken(),
      body: { amount_krw: 5000, reason: '장애 보상' },
      headers: { 'idempotency-key': key() },
    });
    expect(r.status).toBe(201);
    const mails = await ofKind(u, 'refund_completed');
    expect(mails).toHaveLength(1);
    expect(mails[0].body).toContain('5,000원');
    expect(mails[0].body).toContain('장애 보상');
    expectWellFormed(mails[0], `/payments/receipt?id=${first.payment.id}`);
  });

  it('price consent: requested before the charge, confirmed when given, one notice each', async () => {
    const u = await h.signup();
    await h.subscribe('kakaopay', u);
    await h.db.db.updateTable('subscriptions').set({ agreed_price_krw: 25000 }).where('user_id', '=', u.userId).execute();
    await h.advance(23 * DAY, u);
    const asked = await ofKind(u, 'price_change_consent');
    expect(asked).toHaveLength(1);
    expectWellFormed(asked[0], '/subscription');
    for (let i = 0; i < 2; i++) {
      const ok = await h.api('POST', '/api/subscription/consent', { token: u.token, body: { price_krw: 29000 } });
      expect(ok.status).toBe(200);
    }
    const given = await ofKind(u, 'price_consent_given');
    expect(given).toHaveLength(1);
    expect(given[0].body).toContain('29,000원');
    expectWellFormed(given[0], '/subscription');
  });
});
