import type { Krw } from '../money.ts';
import type { NoticeKind } from './renewal-records.ts';

/**
 * Korean texts of the subscription notices. Recurring-payment rules ask for a notice before
 * each automatic charge (amount, date, method, how to stop it), on a failed charge, when the
 * service ends, and consent before a higher price applies to an existing subscriber.
 */

const SERVICE = 'ShowMeTheStock';

const KST = new Intl.DateTimeFormat('ko-KR', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const WON = new Intl.NumberFormat('ko-KR');

/** `29,000원` (one formatter for all notices: the worker writes thousands of them). */
function formatKrw(amount: Krw): string {
  return `${WON.format(amount)}원`;
}

/** `2026년 2월 9일 09:00` (Korea time). */
export function formatKstDateTime(d: Date): string {
  return KST.format(d);
}

export interface NoticeText {
  kind: NoticeKind;
  subject: string;
  body: string;
}

const footer = `\n\n구독 관리 화면에서 자동 갱신 해지와 결제 수단 변경을 하실 수 있습니다.\n${SERVICE} 드림`;

export function renewalUpcomingNotice(a: {
  planName: string;
  amountKrw: Krw;
  chargeAt: Date;
  providerName: string;
  periodEnd: Date;
}): NoticeText {
  return {
    kind: 'renewal_upcoming',
    subject: `[${SERVICE}] 정기결제 예정 안내`,
    body:
      `${a.planName} 플랜 이용료 ${formatKrw(a.amountKrw)}(부가세 포함)이 ${formatKstDateTime(a.chargeAt)}에 ` +
      `${a.providerName}(으)로 자동 결제될 예정입니다.\n` +
      `결제 후 이용 기간: ${formatKstDateTime(a.periodEnd)}까지\n` +
      `자동 결제를 원하지 않으시면 결제일 전까지 자동 갱신을 해지해 주세요. 해지하셔도 현재 이용 기간이 끝날 때까지 이용하실 수 있습니다.` +
      footer,
  };
}

export function priceChangeConsentNotice(a: {
  planName: string;
  agreedKrw: Krw | null;
  newPriceKrw: Krw;
  chargeAt: Date;
}): NoticeText {
  const from = a.agreedKrw === null ? '' : `${formatKrw(a.agreedKrw)}에서 `;
  return {
    kind: 'price_change_consent',
    subject: `[${SERVICE}] 구독 가격 변경 동의 요청`,
    body:
      `${a.planName} 플랜 가격이 ${from}${formatKrw(a.newPriceKrw)}(부가세 포함)으로 변경되었습니다.\n` +
      `변경된 가격으로 계속 이용하시려면 구독 관리 화면에서 가격 변경에 동의해 주세요. ` +
      `동의하시기 전에는 변경된 가격으로 결제하지 않으며, 동의하지 않으시면 ${formatKstDateTime(a.chargeAt)}에 자동 결제 없이 구독이 종료됩니다.` +
      footer,
  };
}

export function renewalFailedNotice(a: {
  planName: string;
  amountKrw: Krw;
  reason: string;
  graceUntil: Date;
  nextAttemptAt: Date | null;
}): NoticeText {
  const next = a.nextAttemptAt
    ? `다음 자동 결제 시도: ${formatKstDateTime(a.nextAttemptAt)}`
    : '더 이상 자동 결제를 시도하지 않습니다.';
  return {
    kind: 'renewal_failed',
    subject: `[${SERVICE}] 정기결제 실패 안내`,
    body:
      `${a.planName} 플랜 이용료 ${formatKrw(a.amountKrw)} 결제에 실패했습니다. (사유: ${a.reason})\n` +
      `${formatKstDateTime(a.graceUntil)}까지는 지금처럼 이용하실 수 있습니다. ${next}\n` +
      `다른 결제 수단으로 결제하시면 바로 정상 이용 상태로 돌아갑니다. ` +
      `그때까지 결제되지 않으면 구독이 종료되고 자동매매가 중지됩니다.` +
      footer,
  };
}

export function subscriptionExpiredNotice(a: { planName: string; endedAt: Date }): NoticeText {
  return {
    kind: 'subscription_expired',
    subject: `[${SERVICE}] 구독 만료 안내`,
    body:
      `결제가 완료되지 않아 ${a.planName} 플랜이 ${formatKstDateTime(a.endedAt)}에 종료되었습니다. 자동매매가 중지되었습니다.\n` +
      `다시 결제하시면 바로 이용하실 수 있습니다.` +
      footer,
  };
}

export function subscriptionEndedNotice(a: { planName: string; endedAt: Date }): NoticeText {
  return {
    kind: 'subscription_ended',
    subject: `[${SERVICE}] 구독 종료 안내`,
    body:
      `자동 결제가 꺼져 있어 ${a.planName} 플랜 이용 기간이 ${formatKstDateTime(a.endedAt)}에 끝났습니다. 자동매매가 중지되었습니다.\n` +
      `다시 결제하시면 바로 이용하실 수 있습니다.` +
      footer,
  };
}

/** A short Korean reason for a failed charge, from our failure code. */
export function failureReasonText(code: string | null): string {
  if (!code) return '결제 실패';
  if (code === 'price_consent_required') return '가격 변경 동의 필요';
  if (code.endsWith('billing_key_inactive') || code === 'billing_key_inactive') return '자동결제 수단이 해지됨';
  if (code.includes('NotEnoughAccountBalance')) return '잔액 부족';
  return '결제 수단에서 승인이 거절됨';
}

/**
 * The notice of a higher price (docs/pricing.md): sent at least 30 days before the first
 * charge at that price (전자상거래법 제13조제4항, in force 2025-02-14), with how to consent and
 * what happens without consent, and that consent can be taken back by turning auto-renewal off.
 */
export function priceIncreaseNotice(a: {
  planName: string;
  agreedKrw: Krw | null;
  newPriceKrw: Krw;
  effectiveAt: Date;
  firstChargeAt: Date;
}): NoticeText {
  const from = a.agreedKrw === null ? '' : `${formatKrw(a.agreedKrw)}에서 `;
  return {
    kind: 'price_change_consent',
    subject: `[${SERVICE}] 구독 가격 인상 안내 및 동의 요청`,
    body:
      `${a.planName} 플랜 가격이 ${formatKstDateTime(a.effectiveAt)}부터 ${from}${formatKrw(a.newPriceKrw)}(부가세 포함)으로 인상됩니다.\n` +
      `회원님께 인상된 가격이 처음 결제되는 날: ${formatKstDateTime(a.firstChargeAt)} (그 전까지는 지금 가격으로 결제됩니다)\n` +
      `인상된 가격으로 계속 이용하시려면 구독 관리 화면에서 가격 변경에 동의해 주세요. ` +
      `동의하지 않으시면 인상된 가격으로 결제하지 않으며, 그 결제일에 자동 결제 없이 구독이 종료됩니다. ` +
      `동의한 뒤에도 그 결제일 전까지 자동 갱신을 해지하시면 인상된 가격으로 결제되지 않습니다.` +
      footer,
  };
}

/** The subscription ended uncharged because the subscriber did not consent to a higher price. */
export function priceNotConsentedEndedNotice(a: { planName: string; newPriceKrw: Krw | null; endedAt: Date }): NoticeText {
  const price = a.newPriceKrw === null ? '인상된 가격' : `인상된 가격 ${formatKrw(a.newPriceKrw)}`;
  return {
    kind: 'subscription_ended',
    subject: `[${SERVICE}] 구독 종료 안내 (가격 변경 미동의)`,
    body:
      `${a.planName} 플랜의 ${price}에 동의하지 않으셔서 자동 결제를 하지 않았고, 이용 기간이 ${formatKstDateTime(a.endedAt)}에 끝났습니다. ` +
      `결제된 금액은 없습니다. 자동매매가 중지되었습니다.\n` +
      `다시 이용하시려면 플랜 화면에서 새로 결제해 주세요.` +
      footer,
  };
}
