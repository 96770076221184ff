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
      `동의하시기 전에는 변경된 가격으로 결제하지 않으며, ${formatKstDateTime(a.chargeAt)} 이후 자동 결제가 진행되지 않습니다.` +
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
