import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';

const SECRET_AUTH = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';

let app: FastifyInstance;
let nowMs: number;

beforeEach(() => {
  nowMs = Date.UTC(2024, 5, 1, 0, 0, 0);
  app = buildKakaoPaySandbox({ now: () => nowMs });
});
afterEach(async () => {
  await app.close();
});

async function ready(overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/online/v1/payment/ready',
    headers: { authorization: SECRET_AUTH, 'content-type': 'application/json' },
    payload: {
      cid: 'TC0ONETIME',
      partner_order_id: 'pay_123',
      partner_user_id: 'usr_9',
      item_name: '쇼미더스탁 프리미엄 <월간>',
      quantity: 1,
      total_amount: 29000,
      tax_free_amount: 0,
      approval_url: 'https://shop.test/kakaopay/approve?orderId=pay_123',
      cancel_url: 'https://shop.test/kakaopay/cancel?orderId=pay_123',
      fail_url: 'https://shop.test/kakaopay/fail',
      ...overrides,
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return {
    tid: body.tid as string,
    pc: new URL(body.next_redirect_pc_url).pathname,
    mobile: new URL(body.next_redirect_mobile_url).pathname,
    app: new URL(body.next_redirect_app_url).pathname,
    scheme: new URL(new URL(body.android_app_scheme).searchParams.get('url')!).pathname,
  };
}

async function status(tid: string): Promise<string> {
  return (await app.inject({ method: 'GET', url: `/__sandbox/payments/${tid}` })).json().status;
}

function press(path: string, action: string) {
  return app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `action=${action}`,
  });
}

describe('hosted page', () => {
  it('renders a Korean page with item, formatted total and the four buttons; opening moves to OPEN_PAYMENT', async () => {
    const r = await ready();
    expect(await status(r.tid)).toBe('READY');
    const res = await app.inject({ method: 'GET', url: `${r.pc}?kpayTid=${r.tid}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    expect(html).toContain('<html lang="ko">');
    expect(html).toContain('name="viewport"');
    expect(html).toContain('쇼미더스탁 프리미엄 &lt;월간&gt;');
    expect(html).toContain('29,000원');
    expect(html).toMatch(/<form method="post">/);
    expect(html).toMatch(/<button[^>]*id="approve-card"[^>]*>카드로 결제<\/button>/);
    expect(html).toMatch(/<button[^>]*id="approve-money"[^>]*>카카오페이머니로 결제<\/button>/);
    expect(html).toMatch(/<button[^>]*id="cancel"[^>]*>결제 취소<\/button>/);
    expect(html).toMatch(/<button[^>]*id="fail"[^>]*>인증 실패<\/button>/);
    expect(await status(r.tid)).toBe('OPEN_PAYMENT');
  });

  it('serves the same page on mInfo, aInfo and the app-scheme target', async () => {
    const r = await ready();
    for (const path of [r.mobile, r.app, r.scheme]) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.body).toContain('id="approve-card"');
    }
    expect(r.scheme).toMatch(/^\/pay\/mockup\/[0-9a-f]{64}$/);
  });

  it('shows only the method allowed by payment_method_type', async () => {
    const card = await ready({ payment_method_type: 'CARD' });
    const cardHtml = (await app.inject({ method: 'GET', url: card.pc })).body;
    expect(cardHtml).toContain('id="approve-card"');
    expect(cardHtml).not.toContain('id="approve-money"');
    const money = await ready({ payment_method_type: 'MONEY' });
    const moneyHtml = (await app.inject({ method: 'GET', url: money.pc })).body;
    expect(moneyHtml).not.toContain('id="approve-card"');
    expect(moneyHtml).toContain('id="approve-money"');
    const refused = await press(money.pc, 'approve-card');
    expect(refused.statusCode).toBe(400);
  });

  it('approve redirects to approval_url with pg_token appended with &, and the token approves', async () => {
    const r = await ready();
    await app.inject({ method: 'GET', url: r.pc });
    const res = await press(`${r.pc}?kpayTid=${r.tid}`, 'approve-money');
    expect(res.statusCode).toBe(302);
    const location = res.headers.location as string;
    const match = /^https:\/\/shop\.test\/kakaopay\/approve\?orderId=pay_123&pg_token=([0-9a-f]{20})$/.exec(location);
    expect(match, location).not.toBeNull();
    const raw = (await app.inject({ method: 'GET', url: `/__sandbox/payments/${r.tid}` })).json();
    expect(raw.status).toBe('AUTH_PASSWORD');
    expect(raw.history.map((h: { status: string }) => h.status)).toEqual([
      'READY',
      'OPEN_PAYMENT',
      'SELECT_METHOD',
      'AUTH_PASSWORD',
    ]);
    const approve = await app.inject({
      method: 'POST',
      url: '/online/v1/payment/approve',
      headers: { authorization: SECRET_AUTH, 'content-type': 'application/json' },
      payload: { cid: 'TC0ONETIME', tid: r.tid, partner_order_id: 'pay_123', partner_user_id: 'usr_9', pg_token: match![1] },
    });
    expect(approve.statusCode, approve.body).toBe(200);
    expect(approve.json().payment_method_type).toBe('MONEY');
  });

  it('appends pg_token with ? when approval_url has no query', async () => {
    const r = await ready({ approval_url: 'https://shop.test/ok' });
    const res = await press(r.mobile, 'approve-card');
    expect(res.headers.location).toMatch(/^https:\/\/shop\.test\/ok\?pg_token=[0-9a-f]{20}$/);
  });

  it('cancel → QUIT_PAYMENT and 302 to cancel_url unchanged', async () => {
    const r = await ready();
    const res = await press(r.pc, 'cancel');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://shop.test/kakaopay/cancel?orderId=pay_123');
    expect(await status(r.tid)).toBe('QUIT_PAYMENT');
  });

  it('fail → FAIL_AUTH_PASSWORD and 302 to fail_url unchanged', async () => {
    const r = await ready();
    const res = await press(r.app, 'fail');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://shop.test/kakaopay/fail');
    expect(await status(r.tid)).toBe('FAIL_AUTH_PASSWORD');
  });

  it('shows a Korean message page for finished (409), expired (410) and unknown (404) payments', async () => {
    const r = await ready();
    await press(r.pc, 'cancel');
    const finished = await app.inject({ method: 'GET', url: r.pc });
    expect(finished.statusCode).toBe(409);
    expect(finished.body).toContain('이미 처리된 결제입니다');
    expect((await press(r.pc, 'approve-card')).statusCode).toBe(409);

    const e = await ready();
    nowMs += 15 * 60 * 1000;
    const expired = await app.inject({ method: 'GET', url: e.pc });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('결제 시간이 만료되었습니다');

    const unknown = await app.inject({ method: 'GET', url: `/mockup/v1/${'0'.repeat(64)}/info` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('결제 정보를 찾을 수 없습니다');
  });
});
