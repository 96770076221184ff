import type pg from 'pg';

/**
 * Due renewals for the chaos run: a real billing key per subscription at the sandbox (a KakaoPay
 * SID from a 0-won subscription-CID approval, a NaverPay recurrentId from a registration), then
 * users, active auto-renewing subscriptions and their next cycle (notice already sent) in SQL,
 * due at times spread over the load window.
 */

const KAKAO_AUTH = 'SECRET_KEY DEV_SANDBOX_KAKAOPAY_SECRET';
const NAVER_HEADERS = {
  'x-naver-client-id': 'sandbox-client-id',
  'x-naver-client-secret': 'sandbox-client-secret',
  'x-naverpay-chain-id': 'sandbox-recurrent-chain-id',
};
const NAVER_PARTNER = 'naverpay-partner';
const DAY = 86_400_000;

async function json(res: Response, what: string): Promise<any> {
  const body = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${what} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function kakaoSid(base: string, userId: string): Promise<string> {
  const post = (path: string, body: unknown, auth = true) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: KAKAO_AUTH } : {}) },
      body: JSON.stringify(body),
    }).then((r) => json(r, path));
  const order = { cid: 'TCSUBSCRIP', partner_order_id: `seed-${userId}`, partner_user_id: userId };
  const ready = await post('/online/v1/payment/ready', {
    ...order,
    item_name: 'ShowMeTheStock 자동결제 등록',
    quantity: 1,
    total_amount: 0,
    tax_free_amount: 0,
    vat_amount: 0,
    approval_url: 'http://127.0.0.1:1/ok',
    cancel_url: 'http://127.0.0.1:1/cancel',
    fail_url: 'http://127.0.0.1:1/fail',
  });
  const auth = await post(`/__sandbox/tids/${ready.tid}/authorize`, { action: 'approve', method: 'CARD' }, false);
  const approved = await post('/online/v1/payment/approve', { ...order, tid: ready.tid, pg_token: auth.pg_token, total_amount: 0 });
  return approved.sid as string;
}

async function naverRecurrentId(base: string, userId: string, productCode: string): Promise<string> {
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${base}/${NAVER_PARTNER}/naverpay/payments/recurrent/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...NAVER_HEADERS },
      body: new URLSearchParams(fields).toString(),
    })
      .then((r) => json(r, path))
      .then((b) => {
        if (b.code !== 'Success') throw new Error(`${path} → ${JSON.stringify(b)}`);
        return b.body;
      });
  const reserve = await form('regist/v1/reserve', {
    actionType: 'NEW',
    productCode,
    productName: 'ShowMeTheStock 스탠다드',
    totalPayAmount: '29000',
    returnUrl: 'http://127.0.0.1:1/return',
    merchantUserKey: userId,
  });
  const auth = await fetch(`${base}/__sandbox/reserves/${encodeURIComponent(reserve.reserveId)}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'approve' }),
  }).then((r) => json(r, 'authorize registration'));
  const approved = await form('regist/v1/approval', { reserveId: reserve.reserveId, tempReceiptId: auth.tempReceiptId });
  return approved.recurrentId as string;
}

export interface SeededRenewal {
  subscriptionId: string;
  userId: string;
  provider: 'kakaopay' | 'naverpay';
  billingKey: string;
}

export async function seedRenewals(
  pool: pg.Pool,
  o: { count: number; kakaoUrl: string; naverUrl: string; productCode: string; dueFrom: number; dueSpreadMs: number; priceKrw: number; random: () => number },
): Promise<SeededRenewal[]> {
  const seeded: SeededRenewal[] = [];
  let next = 0;
  async function lane() {
    for (;;) {
      const i = next++;
      if (i >= o.count) return;
      const provider = i % 2 === 0 ? 'kakaopay' : 'naverpay';
      const userId = `usr_chaosr${i}`;
      const billingKey = provider === 'kakaopay' ? await kakaoSid(o.kakaoUrl, userId) : await naverRecurrentId(o.naverUrl, userId, o.productCode);
      seeded[i] = { subscriptionId: `sub_chaosr${i}`, userId, provider, billingKey };
    }
  }
  await Promise.all(Array.from({ length: Math.min(16, o.count) }, lane));

  // The current period ended a minute before the first renewal is due; each subscription's
  // renewal is due at a time spread over the load window.
  const periodEnd = new Date(o.dueFrom - 60_000);
  const periodStart = new Date(periodEnd.getTime() - 30 * DAY);
  const nextEnd = new Date(periodEnd.getTime() + 30 * DAY);
  const noticeAt = new Date(periodEnd.getTime() - 7 * DAY);
  for (const s of seeded) {
    const due = new Date(o.dueFrom + Math.floor(o.random() * o.dueSpreadMs));
    await pool.query(`INSERT INTO users (id, email, password_hash, role, external_subject, created_at) VALUES ($1, NULL, NULL, 'user', NULL, $2)`, [s.userId, periodStart]);
    await pool.query(
      `INSERT INTO subscriptions (id, user_id, plan_id, status, provider, billing_key, auto_renew, current_period_start, current_period_end,
         created_at, updated_at, next_renewal_at, agreed_price_krw)
       VALUES ($1, $2, 'standard', 'active', $3, $4, true, $5, $6, $5, $5, $7, $8)`,
      [s.subscriptionId, s.userId, s.provider, s.billingKey, periodStart, periodEnd, due, o.priceKrw],
    );
    await pool.query(
      `INSERT INTO billing_cycles (id, subscription_id, plan_id, period_start, period_end, amount_krw, status, attempt_count,
         next_attempt_at, notice_sent_at, created_at, updated_at)
       VALUES ($1, $2, 'standard', $3, $4, $5, 'scheduled', 0, $3, $6, $7, $7)`,
      [`cyc_${s.subscriptionId.slice(4)}`, s.subscriptionId, periodEnd, nextEnd, o.priceKrw, noticeAt, periodStart],
    );
  }
  return seeded;
}
