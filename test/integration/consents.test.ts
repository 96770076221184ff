import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ORDER_CONSENT, SIGNUP_CONSENTS } from '../helpers/consents.ts';
import { LEGAL_VERSIONS } from '../../src/domain/legal/legal-documents.ts';

const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

const consents = () => s.db.db.selectFrom('consents' as never).selectAll().orderBy('document' as never).execute() as Promise<any[]>;
const countOf = async (table: 'users' | 'payments') => Number((await s.db.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe(`sign-up consents: 이용약관 and 개인정보 수집·이용 (${db})`, () => {
  const signup = (body: Record<string, unknown>) => s.api('POST', '/api/auth/signup', { body: { email: 'consent@example.com', password: 'correct horse battery', ...body } });

  it('refuses a sign-up without both consents (CONSENT_REQUIRED, nothing written)', async () => {
    const none = await signup({});
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('CONSENT_REQUIRED');
    expect(none.body.error.details.missing).toEqual(['terms', 'privacy']);
    const onlyTerms = await signup({ terms_version: LEGAL_VERSIONS.terms });
    expect(onlyTerms.status).toBe(400);
    expect(onlyTerms.body.error.details.missing).toEqual(['privacy']);
    expect(onlyTerms.body.error.message).toContain('개인정보');
    expect(await countOf('users')).toBe(0);
    expect(await consents()).toEqual([]);
  });

  it('refuses a consent to a version that is not the current one (CONSENT_OUTDATED)', async () => {
    const r = await signup({ ...SIGNUP_CONSENTS, terms_version: 'terms-2020-01-01' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CONSENT_OUTDATED');
    expect(r.body.error.details.current).toEqual({ terms: LEGAL_VERSIONS.terms });
    expect(await countOf('users')).toBe(0);
  });

  it('stores each consent with its version and time, with the user', async () => {
    const before = Date.now();
    const r = await signup(SIGNUP_CONSENTS);
    expect(r.status).toBe(201);
    const rows = await consents();
    expect(rows.map((c) => [c.user_id, c.document, c.version, c.payment_id])).toEqual([
      [r.body.user.id, 'privacy', LEGAL_VERSIONS.privacy, null],
      [r.body.user.id, 'terms', LEGAL_VERSIONS.terms, null],
    ]);
    for (const c of rows) expect(new Date(c.agreed_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe(`checkout: 주문 내용 확인 및 결제 동의 (${db})`, () => {
  for (const method of ['kakaopay', 'naverpay'] as const) {
    it(`${method}: refuses to start without the order consent (CONSENT_REQUIRED), nothing written, the provider never asked`, async () => {
      const u = await s.signup();
      const r = await s.api('POST', `/api/payment/${method}/ready`, { token: u.token, body: { plan: 'standard', auto_renew: false } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('CONSENT_REQUIRED');
      expect(r.body.error.details).toEqual({ missing: ['order'], current: { order: LEGAL_VERSIONS.order } });
      expect(await countOf('payments')).toBe(0);
      const old = await s.api('POST', `/api/payment/${method}/ready`, { token: u.token, body: { plan: 'standard', order_consent_version: 'order-1999-01-01' } });
      expect(old.status).toBe(409);
      expect(old.body.error.code).toBe('CONSENT_OUTDATED');
      expect(await countOf('payments')).toBe(0);
      expect((await consents()).filter((c) => c.document === 'order')).toEqual([]);
    });

    it(`${method}: stores the consent (version, time) with the payment attempt`, async () => {
      const u = await s.signup();
      const r = await s.api('POST', `/api/payment/${method}/ready`, { token: u.token, body: { ...ORDER_CONSENT, plan: 'premium', auto_renew: true } });
      expect(r.status).toBe(200);
      const order = (await consents()).filter((c) => c.document === 'order');
      expect(order).toHaveLength(1);
      expect(order[0]).toMatchObject({ user_id: u.userId, version: LEGAL_VERSIONS.order, payment_id: r.body.payment_id });
      const payment = await s.db.db.selectFrom('payments').selectAll().where('id', '=', r.body.payment_id).executeTakeFirstOrThrow();
      expect(new Date(order[0].agreed_at).getTime()).toBe(new Date(payment.created_at).getTime());
    });
  }

  it('a replayed request (same Idempotency-Key) stores no second consent', async () => {
    const u = await s.signup();
    const h = { 'idempotency-key': 'consent-replay-1' };
    const a = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    const b = await s.api('POST', '/api/payment/kakaopay/ready', { token: u.token, body: { ...ORDER_CONSENT, plan: 'standard' }, headers: h });
    expect(b.body.payment_id).toBe(a.body.payment_id);
    expect((await consents()).filter((c) => c.document === 'order')).toHaveLength(1);
  });
});

describe(`legal texts and the business identity (${db})`, () => {
  it('GET /api/legal: the footer identity from configuration and the current versions', async () => {
    const r = await s.api('GET', '/api/legal');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.business).sort()).toEqual(
      ['address', 'email', 'hosting_provider', 'mail_order_report_number', 'name', 'phone', 'registration_number', 'representative'].sort(),
    );
    expect(r.body.documents.map((d: any) => [d.id, d.version])).toEqual([
      ['terms', LEGAL_VERSIONS.terms],
      ['privacy', LEGAL_VERSIONS.privacy],
      ['order', LEGAL_VERSIONS.order],
    ]);
    expect(r.body).toMatchObject({ period_days: 30, withdrawal_days: 7 });
  });

  it('GET /api/legal/order quotes the 7-day withdrawal, the digital-content exception and the 30-day renewal', async () => {
    const r = await s.api('GET', '/api/legal/order');
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(LEGAL_VERSIONS.order);
    const text = JSON.stringify(r.body.sections);
    expect(text).toContain('7일 이내');
    expect(text).toContain('제17조 제2항 제5호');
    expect(text).toContain('30일마다');
    expect((await s.api('GET', '/api/legal/nope')).status).toBe(404);
  });
});
