import type { TestStack } from './test-stack.ts';
import { ORDER_CONSENT } from './consents.ts';

export const DAY = 86_400_000;
export const ADMIN_EMAIL = 'admin@example.com';

/** A real KakaoPay checkout through the sandbox: ready → the user approves → our approve. */
export async function kakaoCheckout(s: TestStack, token: string, plan = 'standard', autoRenew = false) {
  const r = await s.api('POST', '/api/payment/kakaopay/ready', { token, body: { ...ORDER_CONSENT, plan, auto_renew: autoRenew } });
  if (r.status !== 200) throw new Error(`ready failed: ${r.status} ${JSON.stringify(r.body)}`);
  const x = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve', method: 'CARD' });
  const pgToken = new URL(x.redirect_url).searchParams.get('pg_token')!;
  const a = await s.api('POST', '/api/payment/kakaopay/approve', { token, body: { tid: r.body.tid, pg_token: pgToken } });
  if (a.status !== 200 || a.body.outcome !== 'approved') throw new Error(`approve failed: ${a.status} ${JSON.stringify(a.body)}`);
  return { paymentId: r.body.payment_id as string, tid: r.body.tid as string, payment: a.body.payment };
}

/** A real NaverPay one-time checkout through the sandbox (SDK flow). */
export async function naverCheckout(s: TestStack, token: string, plan = 'standard') {
  const r = await s.api('POST', '/api/payment/naverpay/ready', { token, body: { ...ORDER_CONSENT, plan, auto_renew: false } });
  if (r.status !== 200) throw new Error(`ready failed: ${r.status} ${JSON.stringify(r.body)}`);
  const x = await s.sandbox('naverpay', 'POST', '/__sandbox/sdk/authorize', { ...r.body.checkout.create, ...r.body.checkout.open, action: 'approve' });
  const npPaymentId = new URL(x.redirect_url).searchParams.get('paymentId')!;
  const a = await s.api('POST', '/api/payment/naverpay/approve', { token, body: { payment_id: r.body.payment_id, paymentId: npPaymentId } });
  if (a.status !== 200 || a.body.outcome !== 'approved') throw new Error(`approve failed: ${a.status} ${JSON.stringify(a.body)}`);
  return { paymentId: r.body.payment_id as string, npPaymentId, payment: a.body.payment };
}

/** What KakaoPay still allows to cancel on a tid, from the sandbox's own record. */
export async function kakaoRemaining(s: TestStack, tid: string): Promise<number> {
  const rec = await s.sandbox('kakaopay', 'GET', `/__sandbox/payments/${tid}`);
  return rec.amount.total - rec.canceledAmount.total;
}

export async function refund(s: TestStack, adminToken: string, paymentId: string, body: { amount_krw?: number; reason?: string }, headers: Record<string, string> = {}) {
  return s.api('POST', `/api/admin/payments/${paymentId}/refunds`, { token: adminToken, body: { reason: '테스트 환불', ...body }, headers });
}

/** Moves our clock and both sandboxes' clocks by the same amount. */
export async function advanceAll(s: TestStack, ms: number) {
  s.services.clock.advance(ms);
  await s.sandbox('kakaopay', 'POST', '/__sandbox/clock', { advance_ms: ms });
  await s.sandbox('naverpay', 'POST', '/__sandbox/clock', { advance_ms: ms });
}
