import type { FastifyInstance } from 'fastify';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildNaverPaySandbox } from '../../src/simulators/naverpay/naverpay-sandbox-app.ts';
import { startNaverPaySandbox } from '../../src/simulators/naverpay/main.ts';

const P = '/naverpay-partner/naverpay/payments';
const AUTH = {
  'x-naver-client-id': 'sandbox-client-id',
  'x-naver-client-secret': 'sandbox-client-secret',
  'x-naverpay-chain-id': 'sandbox-chain-id',
};
const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);

const SDK_OPTIONS = { clientId: 'sandbox-client-id', chainId: 'sandbox-chain-id', mode: 'development' };
const OPEN_PARAMS = {
  merchantUserKey: 'user-1',
  merchantPayKey: 'pay_sdk_1',
  productName: '프리미엄 월간 구독',
  productCount: 1,
  totalPayAmount: 29000,
  taxScopeAmount: 29000,
  taxExScopeAmount: 0,
  returnUrl: 'https://shop.example/naverpay/return',
  productItems: [{ categoryType: 'ETC', categoryId: 'ETC', uid: 'plan-premium', name: '프리미엄', count: 1 }],
};

let app: FastifyInstance;
let now = T0;

beforeEach(() => {
  now = T0;
  app = buildNaverPaySandbox({ now: () => now });
});

afterEach(async () => {
  await app.close();
});

async function serverReserve(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `${P}/v2/reserve`,
    headers: AUTH,
    payload: { ...OPEN_PARAMS, ...overrides },
  });
  return res.json().body.reserveId;
}

function pagePath(reserveId: string, prefix = ''): string {
  return `${prefix}/payments/${encodeURIComponent(reserveId)}`;
}

async function press(path: string, action: string) {
  return app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `action=${action}`,
  });
}

function formBody(fields: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
}

describe('hosted payment page (§3.4, §6.5)', () => {
  it('renders a Korean, responsive page with product, amount and the three buttons', async () => {
    const reserveId = await serverReserve();
    const res = await app.inject({ method: 'GET', url: pagePath(reserveId) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const html = res.body;
    expect(html).toContain('<html lang="ko">');
    expect(html).toContain('name="viewport"');
    expect(html).toContain('프리미엄 월간 구독');
    expect(html).toContain('29,000원');
    expect(html).toMatch(/<form method="post">/);
    expect(html).toMatch(/<button[^>]*id="approve"[^>]*>결제하기<\/button>/);
    expect(html).toMatch(/<button[^>]*id="cancel"[^>]*>취소<\/button>/);
    expect(html).toMatch(/<button[^>]*id="fail"[^>]*>결제 실패<\/button>/);
  });

  it('approve → 302 to returnUrl with resultCode=Success&paymentId (? or &)', async () => {
    const reserveId = await serverReserve();
    const res = await press(pagePath(reserveId), 'approve');
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers.location as string);
    expect(location.origin + location.pathname).toBe('https://shop.example/naverpay/return');
    expect(location.searchParams.get('resultCode')).toBe('Success');
    expect(location.searchParams.get('paymentId')).toMatch(/^\d{8}NP\d{10}$/);

    const withQuery = await serverReserve({ returnUrl: 'https://shop.example/return?orderId=7' });
    const res2 = await press(pagePath(withQuery), 'approve');
    expect(res2.headers.location).toMatch(/^https:\/\/shop\.example\/return\?orderId=7&resultCode=Success&paymentId=\d{8}NP\d{10}$/);
  });

  it('the approval window starts at authorisation, not at reservation', async () => {
    const reserveId = await serverReserve();
    now += 20 * 60_000; // user lingers 20 minutes on the page (session TTL is 30)
    const res = await press(pagePath(reserveId), 'approve');
    const paymentId = new URL(res.headers.location as string).searchParams.get('paymentId')!;
    now += 9 * 60_000;
    const approve = await app.inject({
      method: 'POST',
      url: `${P}/v2.2/apply/payment`,
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ paymentId }),
    });
    expect(approve.json().code).toBe('Success');
  });

  it('§7 user cancels → resultCode=Fail&resultMessage=userCancel&reserveId, no paymentId', async () => {
    const reserveId = await serverReserve();
    const res = await press(pagePath(reserveId), 'cancel');
    expect(res.statusCode).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.searchParams.get('resultCode')).toBe('Fail');
    expect(url.searchParams.get('resultMessage')).toBe('userCancel');
    expect(url.searchParams.get('reserveId')).toBe(reserveId);
    expect(url.searchParams.has('paymentId')).toBe(false);
  });

  it('§7 owner auth failure → resultMessage=OwnerAuthFail', async () => {
    const reserveId = await serverReserve();
    const url = new URL((await press(pagePath(reserveId), 'fail')).headers.location as string);
    expect(url.searchParams.get('resultMessage')).toBe('OwnerAuthFail');
  });

  it('§7 page session expired → resultMessage=paymentTimeExpire', async () => {
    const reserveId = await serverReserve();
    now += 31 * 60_000;
    const res = await app.inject({ method: 'GET', url: pagePath(reserveId) });
    expect(res.statusCode).toBe(302);
    expect(new URL(res.headers.location as string).searchParams.get('resultMessage')).toBe('paymentTimeExpire');
  });

  it('serves the mobile variant and 404s unknown reservations', async () => {
    const reserveId = await serverReserve();
    expect((await app.inject({ method: 'GET', url: pagePath(reserveId, '/m') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/payments/unknown' })).statusCode).toBe(404);
  });

  it('a double submit replays the redirect; a different later action is refused', async () => {
    const reserveId = await serverReserve();
    const first = await press(pagePath(reserveId), 'approve');
    const again = await press(pagePath(reserveId), 'approve');
    expect(again.headers.location).toBe(first.headers.location);
    expect((await press(pagePath(reserveId), 'cancel')).statusCode).toBe(409);
    const page = await app.inject({ method: 'GET', url: pagePath(reserveId) });
    expect(page.body).toContain('이미 처리된 요청입니다');
  });
});

describe('SDK stand-in (§3.1)', () => {
  it('serves JavaScript that defines Naver.Pay.create', async () => {
    const res = await app.inject({ method: 'GET', url: '/sdk/js/naverpay.min.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.body).toContain('Naver.Pay.create');
  });

  /** Runs the served script against a minimal fake DOM and returns the form `open()` submits. */
  async function runSdk(options: Record<string, unknown>, params: unknown) {
    const code = (await app.inject({ method: 'GET', url: '/sdk/js/naverpay.min.js' })).body;
    const submitted: Array<{ attrs: Record<string, string>; fields: Record<string, string> }> = [];
    class FakeElement {
      attrs: Record<string, string> = {};
      children: FakeElement[] = [];
      style: Record<string, string> = {};
      setAttribute(name: string, value: string) {
        this.attrs[name] = value;
      }
      appendChild(child: FakeElement) {
        this.children.push(child);
      }
    }
    class FakeForm extends FakeElement {
      submit() {
        const fields: Record<string, string> = {};
        for (const c of this.children) fields[c.attrs.name!] = c.attrs.value!;
        submitted.push({ attrs: this.attrs, fields });
      }
    }
    const window: Record<string, any> = {
      location: { href: 'https://shop.example/checkout' },
      addEventListener: () => {},
      open: () => ({ closed: false, location: {} }),
    };
    window.top = window;
    const context = {
      window,
      document: {
        currentScript: { src: 'http://sandbox.test:8092/sdk/js/naverpay.min.js' },
        createElement: (tag: string) => (tag === 'form' ? new FakeForm() : new FakeElement()),
        body: new FakeElement(),
      },
      HTMLFormElement: FakeForm,
      URL,
      JSON,
      Object,
      String,
    };
    runInNewContext(code, context);
    window.Naver.Pay.create(options).open(params);
    return { submitted, window };
  }

  it('open() in page mode posts options and params to {sandbox}/payments/sdk-open in the top window', async () => {
    const { submitted } = await runSdk(SDK_OPTIONS, OPEN_PARAMS);
    expect(submitted).toHaveLength(1);
    const form = submitted[0]!;
    expect(form.attrs).toMatchObject({ method: 'post', action: 'http://sandbox.test:8092/payments/sdk-open', target: '_top' });
    expect(form.fields).toMatchObject({
      clientId: 'sandbox-client-id',
      chainId: 'sandbox-chain-id',
      mode: 'development',
      payType: 'normal',
      openType: 'page',
      merchantPayKey: 'pay_sdk_1',
      totalPayAmount: '29000',
    });
    expect(JSON.parse(form.fields.productItems!)).toEqual(OPEN_PARAMS.productItems);

    // What the browser then does: post the form, follow the redirect, press 결제하기.
    const opened = await app.inject({
      method: 'POST',
      url: '/payments/sdk-open',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'sandbox.test:8092' },
      payload: formBody(form.fields),
    });
    expect(opened.statusCode).toBe(302);
    const pageUrl = new URL(opened.headers.location as string);
    expect(pageUrl.origin).toBe('http://sandbox.test:8092');
    expect(pageUrl.pathname).toMatch(/^\/payments\/[^/]+$/);
    const page = await app.inject({ method: 'GET', url: pageUrl.pathname });
    expect(page.body).toContain('29,000원');
    const done = await press(pageUrl.pathname, 'approve');
    expect(new URL(done.headers.location as string).searchParams.get('resultCode')).toBe('Success');
  });

  it('open() with an existing reserveId navigates to the hosted page', async () => {
    const { window } = await runSdk(SDK_OPTIONS, '20260115ab+c/d==');
    expect(window.location.href).toBe('http://sandbox.test:8092/payments/20260115ab%2Bc%2Fd%3D%3D');
    const recurrent = await runSdk({ ...SDK_OPTIONS, payType: 'recurrent' }, 'r1');
    expect(recurrent.window.location.href).toBe('http://sandbox.test:8092/payments/recurrent/r1');
  });

  it('sdk-open shows an error page for missing merchantPayKey, bad amounts or a wrong clientId', async () => {
    const base = { ...SDK_OPTIONS, ...OPEN_PARAMS, productItems: JSON.stringify(OPEN_PARAMS.productItems) };
    const cases: Array<Record<string, unknown>> = [
      { ...base, merchantPayKey: '' },
      { ...base, taxScopeAmount: 1000 },
      { ...base, clientId: 'someone-else' },
      { ...base, productItems: '[{"name":"x"}]' },
    ];
    for (const fields of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/payments/sdk-open',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody(fields),
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('결제를 진행할 수 없습니다');
    }
  });

  it('payType recurrent opens the registration page', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/payments/sdk-open',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({
        ...SDK_OPTIONS,
        payType: 'recurrent',
        actionType: 'NEW',
        productCode: 'premium-monthly',
        productName: '프리미엄 정기결제',
        totalPayAmount: '9900',
        returnUrl: 'https://shop.example/recurrent/return',
      }),
    });
    expect(res.statusCode).toBe(302);
    const path = new URL(res.headers.location as string).pathname;
    expect(path).toMatch(/^\/payments\/recurrent\//);
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.body).toMatch(/<button[^>]*id="approve"[^>]*>등록하기<\/button>/);
    expect(page.body).toContain('9,900원');
  });

  it('popup mode hands the result to the opener via postMessage', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/payments/sdk-open',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ ...SDK_OPTIONS, ...OPEN_PARAMS, productItems: JSON.stringify(OPEN_PARAMS.productItems), openType: 'popup' }),
    });
    const path = new URL(res.headers.location as string).pathname;
    const done = await press(path, 'approve');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('postMessage');
    expect(done.body).toMatch(/"resultCode":"Success","returnUrl":"https:\/\/shop\.example\/naverpay\/return","paymentId":"\d{8}NP\d{10}"/);
  });
});

describe('control: headless authorisation', () => {
  it('POST /__sandbox/sdk/authorize returns what the browser would end up with', async () => {
    const res = await app.inject({ method: 'POST', url: '/__sandbox/sdk/authorize', payload: { ...SDK_OPTIONS, ...OPEN_PARAMS } });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out.paymentId).toMatch(/^\d{8}NP\d{10}$/);
    expect(out.redirect_url).toBe(`https://shop.example/naverpay/return?resultCode=Success&paymentId=${out.paymentId}`);
    expect(out.reserveId).toEqual(expect.any(String));

    const cancelled = await app.inject({
      method: 'POST',
      url: '/__sandbox/sdk/authorize',
      payload: { ...SDK_OPTIONS, ...OPEN_PARAMS, action: 'cancel' },
    });
    expect(cancelled.json().paymentId).toBeUndefined();
    expect(cancelled.json().redirect_url).toContain('resultCode=Fail&resultMessage=userCancel');

    const invalid = await app.inject({
      method: 'POST',
      url: '/__sandbox/sdk/authorize',
      payload: { ...SDK_OPTIONS, ...OPEN_PARAMS, taxExScopeAmount: 5 },
    });
    expect(invalid.statusCode).toBe(400);
  });

  it('POST /__sandbox/reserves/:id/authorize decides a reservation', async () => {
    const reserveId = await serverReserve();
    const res = await app.inject({
      method: 'POST',
      url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`,
      payload: { action: 'fail' },
    });
    expect(res.json()).toMatchObject({ reserveId, resultCode: 'Fail', resultMessage: 'OwnerAuthFail' });
    const conflict = await app.inject({
      method: 'POST',
      url: `/__sandbox/reserves/${encodeURIComponent(reserveId)}/authorize`,
      payload: { action: 'approve' },
    });
    expect(conflict.statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/__sandbox/reserves/nope/authorize', payload: {} })).statusCode).toBe(404);
  });
});

describe('over a real port', () => {
  it('runs reserve → page → approve → cancel → history with fetch', async () => {
    const sandbox = await startNaverPaySandbox({ port: 0 });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const api = (path: string, init: RequestInit) =>
        fetch(`${sandbox.url}${P}/${path}`, { ...init, headers: { ...AUTH, ...(init.headers as Record<string, string>) } });

      const reserved = await (
        await api('v2/reserve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OPEN_PARAMS) })
      ).json();
      const pageUrl = `${sandbox.url}/payments/${encodeURIComponent(reserved.body.reserveId)}`;
      expect((await fetch(pageUrl)).status).toBe(200);

      const redirect = await fetch(pageUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=approve',
      });
      expect(redirect.status).toBe(302);
      const paymentId = new URL(redirect.headers.get('location')!).searchParams.get('paymentId')!;

      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-naverpay-idempotency-key': `k-${Object.keys(fields).length}` },
        body: new URLSearchParams(fields),
      });
      const approved = await api('v2.2/apply/payment', form({ paymentId }));
      expect(approved.headers.get('x-naverpay-idempotency-key')).toBe('k-1');
      expect((await approved.json()).body.detail.totalPayAmount).toBe(29000);

      const cancelled = await (
        await api(
          'v1/cancel',
          form({ paymentId, cancelAmount: '9000', cancelReason: '부분 환불', cancelRequester: '2', taxScopeAmount: '9000', taxExScopeAmount: '0' }),
        )
      ).json();
      expect(cancelled.body.totalRestAmount).toBe(20000);

      const history = await (
        await api(`v2.2/list/history/${paymentId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pageNumber: 1, rowsPerPage: 50 }),
        })
      ).json();
      expect(history.body.list.map((r: { admissionTypeCode: string }) => r.admissionTypeCode)).toEqual(['04', '01']);

      const script = await fetch(`${sandbox.url}/sdk/js/naverpay.min.js`);
      expect(await script.text()).toContain('Naver.Pay.create');
    } finally {
      await sandbox.close();
    }
  });
});
