import { describe, expect, it } from 'vitest';
import { NOTICE_KINDS, renderNotice, type NoticeDataByKind, type NoticeKind } from './notice-catalog.ts';

const at = new Date('2026-03-01T00:00:00Z');
const later = new Date('2026-03-31T00:00:00Z');

/** One example of each kind's data (a new kind without an example fails to compile). */
const EXAMPLES: { [K in NoticeKind]: NoticeDataByKind[K] } = {
  purchase_completed: { planName: '스탠다드', amountKrw: 29000, paymentId: 'pay_1', providerName: '카카오페이', periodStart: at, periodEnd: later, nextChargeAt: later },
  renewal_upcoming: { planName: '스탠다드', amountKrw: 29000, chargeAt: later, providerName: '카카오페이', periodEnd: later },
  renewal_succeeded: { planName: '스탠다드', amountKrw: 29000, paymentId: 'pay_2', providerName: '네이버페이', periodStart: at, periodEnd: later },
  renewal_failed: { planName: '스탠다드', amountKrw: 29000, reason: '잔액 부족', graceUntil: later, nextAttemptAt: null },
  plan_changed: { change: 'upgraded', fromPlanName: '스탠다드', toPlanName: '프리미엄', effectiveAt: at, chargedKrw: 30000, paymentId: 'pay_3', renewalPriceKrw: 59000 },
  cancel_scheduled: { planName: '스탠다드', periodEnd: later },
  auto_renew_resumed: { planName: '스탠다드', amountKrw: 29000, nextChargeAt: later, providerName: '카카오페이' },
  canceled_now: { planName: '스탠다드', endedAt: at, refundKrw: 19333 },
  withdrawal_completed: { planName: '스탠다드', amountKrw: 29000, paymentId: 'pay_4', providerName: '카카오페이' },
  refund_completed: { planName: '스탠다드', amountKrw: 5000, paymentId: 'pay_5', providerName: '카카오페이', reason: '장애 보상' },
  price_change_consent: { planName: '스탠다드', agreedKrw: 25000, newPriceKrw: 29000, chargeAt: later },
  price_consent_given: { planName: '스탠다드', priceKrw: 29000, nextChargeAt: later },
  price_change: { planName: '스탠다드', oldPriceKrw: 29000, newPriceKrw: 33000, effectiveAt: later, firstChargeAt: later, consentRequired: true },
  price_change_withdrawn: { planName: '스탠다드', withdrawnPriceKrw: 33000, effectiveAt: later, renewalPriceKrw: 29000 },
  subscription_expired: { planName: '스탠다드', endedAt: at },
  subscription_ended: { planName: '스탠다드', endedAt: at },
  password_reset: { resetPath: '/password/reset?token=abc', expiresAt: at },
  password_changed: { at },
};

const env = {
  publicUrl: 'https://billing.example.com',
  business: { name: '주식회사 쇼미더스탁', owner: null, registrationNumber: '123-45-67890', mailOrderNumber: null, address: null, contact: 'help@example.com' },
};

describe('notice catalog', () => {
  it.each(NOTICE_KINDS)('%s: Korean subject, an absolute link to a page of the web app, the footer of what exists', (kind) => {
    const n = renderNotice(kind, EXAMPLES[kind] as never, env);
    expect(n.subject).toMatch(/^\[ShowMeTheStock\] [가-힣 ]+/);
    const link = /▶ [가-힣 ]+: (\S+)/.exec(n.body)?.[1];
    expect(link).toMatch(/^https:\/\/billing\.example\.com\/(subscription|payments|payments\/receipt\?id=pay_\d|password\/reset\?token=abc|login|)$/);
    expect(n.body).toContain('내 구독(https://billing.example.com/subscription)');
    expect(n.body).toContain('상호: 주식회사 쇼미더스탁');
    expect(n.body).toContain('고객센터: help@example.com');
    expect(n.body).not.toContain('대표자');
    // Periods are 30 days: never "월" beside a price; the footer names what 내 구독 offers
    // (결제 수단 변경 exists since the billing-key lifecycle work).
    expect(n.body).not.toMatch(/월\s*[\d,]+원|매월|\/월/);
    expect(n.body).toContain('결제 수단 변경, 플랜 변경은 내 구독');
  });

  it('a price change names both prices and the date it applies', () => {
    const n = renderNotice('price_change', EXAMPLES.price_change, env);
    expect(n.body).toContain('29,000원에서 33,000원');
    expect(n.body).toContain('2026년 3월 31일부터');
    expect(n.subject).toContain('가격 인상 안내');
    expect(n.body).toContain('처음 결제되는 날: 2026년 3월 31일');
  });

  it('an end for lack of consent to a higher price says so and that nothing was charged', () => {
    const n = renderNotice('subscription_ended', { planName: '스탠다드', endedAt: at, priceNotConsented: { newPriceKrw: 35000 } }, env);
    expect(n.subject).toContain('가격 변경 미동의');
    expect(n.body).toContain('인상된 가격 35,000원에 동의하지 않으셔서');
    expect(n.body).toContain('결제된 금액은 없습니다');
  });
});
