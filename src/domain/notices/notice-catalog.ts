import { businessLines, type BusinessInfo } from '../business-info.ts';

/**
 * Every notice (mail) a subscriber gets, in one table: its kind, the data it needs, its Korean
 * subject and text, and the page that acts on it. Rendered when the notice is written to the
 * outbox (`enqueueNotice`, use-cases/enqueue-notice.ts), in the transaction of the event.
 *
 * To add a notice: add its data type to `NoticeDataByKind` and its row to `NOTICE_TEMPLATES`
 * (TypeScript refuses a kind without a template), then call `enqueueNotice` where it happens.
 * docs/notices.md lists the kinds, their events and the rules behind them.
 */

/** Data of each notice kind. Times are instants (Korea time when shown); money is KRW, VAT included. */
export interface NoticeDataByKind {
  /** A checkout was approved (first purchase, repurchase, or an extension bought in advance). */
  purchase_completed: {
    planName: string;
    amountKrw: number;
    paymentId: string;
    providerName: string;
    periodStart: Date;
    periodEnd: Date;
    /** Automatic renewal on: when it charges next (the period end). */
    nextChargeAt: Date | null;
  };
  /** Before an automatic charge (card-company practice: 7 days before; RENEWAL_NOTICE_DAYS). */
  renewal_upcoming: { planName: string; amountKrw: number; chargeAt: Date; providerName: string; periodEnd: Date };
  /** An automatic renewal was charged. */
  renewal_succeeded: { planName: string; amountKrw: number; paymentId: string; providerName: string; periodStart: Date; periodEnd: Date };
  /** An automatic charge failed (or was not made for lack of consent). */
  renewal_failed: { planName: string; amountKrw: number; reason: string; graceUntil: Date; nextAttemptAt: Date | null };
  /** The plan changed now (upgrade, paid pro rata), or a downgrade was scheduled or dropped. */
  plan_changed: {
    change: 'upgraded' | 'downgrade_scheduled' | 'downgrade_canceled';
    fromPlanName: string;
    toPlanName: string;
    /** When the new plan applies (upgrade: now; downgrade: the next renewal). */
    effectiveAt: Date;
    /** What the upgrade charged now (0 when nothing), null for downgrades. */
    chargedKrw: number | null;
    paymentId: string | null;
    /** What each renewal charges from now on. */
    renewalPriceKrw: number;
  };
  /** 해지 예약: automatic renewal turned off; the plan runs to the end of the paid period. */
  cancel_scheduled: { planName: string; periodEnd: Date };
  /** Automatic renewal turned back on. */
  auto_renew_resumed: { planName: string; amountKrw: number; nextChargeAt: Date; providerName: string };
  /** 즉시 해지: the subscription ended now; `refundKrw` of unused days is being refunded (0: none). */
  canceled_now: { planName: string; endedAt: Date; refundKrw: number };
  /** 청약철회 settled: the payment was refunded in full. */
  withdrawal_completed: { planName: string; amountKrw: number; paymentId: string; providerName: string };
  /** Any other refund settled (즉시 해지's unused days, or by an operator). */
  refund_completed: { planName: string; amountKrw: number; paymentId: string; providerName: string; reason: string };
  /** A higher price needs consent before the next charge. */
  price_change_consent: { planName: string; agreedKrw: number | null; newPriceKrw: number; chargeAt: Date };
  /** The subscriber consented to the higher price. */
  price_consent_given: { planName: string; priceKrw: number; nextChargeAt: Date | null };
  /**
   * A price change was announced (전자상거래법 제13조: at least 30 days before the first higher
   * charge); sent by the announcement job to each subscriber a higher price version affects.
   */
  price_change: {
    planName: string;
    /** What the subscriber pays now (null: no agreed price on record). */
    oldPriceKrw: number | null;
    newPriceKrw: number;
    effectiveAt: Date;
    /** This subscriber's first renewal at the new price (the first at or after `effectiveAt`). */
    firstChargeAt: Date;
    /** Higher than the agreed price: charged only with the subscriber's consent. */
    consentRequired: boolean;
  };
  /**
   * A higher price version the subscriber was told of (`price_change`) was withdrawn before it
   * took effect: the price does not change.
   */
  price_change_withdrawn: {
    planName: string;
    /** The price that was announced and is not coming. */
    withdrawnPriceKrw: number;
    /** When it was to take effect. */
    effectiveAt: Date;
    /** What the subscriber's next renewal charges now (null: no renewal is due). */
    renewalPriceKrw: number | null;
  };
  /** The grace period ended unpaid. */
  subscription_expired: { planName: string; endedAt: Date };
  /** The paid period ended without automatic renewal. */
  subscription_ended: {
    planName: string;
    endedAt: Date;
    /** Set when it ended uncharged because the subscriber did not consent to a higher price (docs/pricing.md). */
    priceNotConsented?: { newPriceKrw: number | null };
  };
  /**
   * A password reset link (docs/web-security.md). `resetPath` carries the token, the only copy of
   * it (the database keeps its hash): callers store other data with the notice, not this.
   */
  password_reset: { resetPath: string; expiresAt: Date };
  /** The password was changed through a reset link; every session was signed out. */
  password_changed: { at: Date };
}

export type NoticeKind = keyof NoticeDataByKind;

/** Where the service is and who runs it: links are absolute, the footer names the business. */
export interface NoticeEnvironment {
  /** Public base URL without trailing slash (PUBLIC_URL). */
  publicUrl: string;
  business: BusinessInfo;
}

export interface RenderedNotice {
  subject: string;
  body: string;
}

interface Template<K extends NoticeKind> {
  subject(d: NoticeDataByKind[K]): string;
  lines(d: NoticeDataByKind[K]): string[];
  /** The page that acts on the notice: its label and path (with query) on the web app. */
  action(d: NoticeDataByKind[K]): { label: string; path: string };
}

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
const KST_DATE = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: 'long', day: 'numeric' });
const WON = new Intl.NumberFormat('ko-KR');

/** `29,000원` */
export function formatKrw(amount: number): string {
  return `${WON.format(amount)}원`;
}

/** `2026년 2월 9일 09:00` (Korea time). */
export function formatKstDateTime(d: Date): string {
  return KST.format(d);
}

/** `2026년 2월 9일` (Korea time). */
export function formatKstDate(d: Date): string {
  return KST_DATE.format(d);
}

const receipt = (paymentId: string) => ({ label: '영수증 보기', path: `/payments/receipt?id=${encodeURIComponent(paymentId)}` });
const subscription = { label: '내 구독 관리', path: '/subscription' };
const plans = { label: '요금제 보기', path: '/' };

const TEMPLATES: { [K in NoticeKind]: Template<K> } = {
  purchase_completed: {
    subject: () => `[${SERVICE}] 결제 완료 안내`,
    lines: (d) => [
      `${d.planName} 플랜 결제가 완료되었습니다.`,
      `결제 금액: ${formatKrw(d.amountKrw)} (부가세 포함, ${d.providerName})`,
      `이용 기간: ${formatKstDate(d.periodStart)} ~ ${formatKstDate(d.periodEnd)}`,
      d.nextChargeAt
        ? `자동 결제: ${formatKstDateTime(d.nextChargeAt)}부터 30일마다 ${formatKrw(d.amountKrw)}이 결제됩니다. 결제 7일 전에 미리 알려 드립니다.`
        : '자동 결제: 꺼져 있습니다. 이용 기간이 끝나면 더 결제되지 않습니다.',
      '결제 후 7일 이내이고 유료 기능을 이용하지 않았다면 영수증 화면에서 청약철회(전액 환불)를 하실 수 있습니다.',
    ],
    action: (d) => receipt(d.paymentId),
  },
  renewal_upcoming: {
    subject: () => `[${SERVICE}] 정기결제 예정 안내`,
    lines: (d) => [
      `${d.planName} 플랜 이용료 ${formatKrw(d.amountKrw)}(부가세 포함)이 ${formatKstDateTime(d.chargeAt)}에 ${d.providerName}(으)로 자동 결제될 예정입니다.`,
      `결제 후 이용 기간: ${formatKstDateTime(d.periodEnd)}까지`,
      '자동 결제를 원하지 않으시면 결제일 전까지 내 구독에서 자동 결제를 해지해 주세요. 해지하셔도 현재 이용 기간이 끝날 때까지 이용하실 수 있습니다.',
    ],
    action: () => subscription,
  },
  renewal_succeeded: {
    subject: () => `[${SERVICE}] 정기결제 완료 안내`,
    lines: (d) => [
      `${d.planName} 플랜 이용료 ${formatKrw(d.amountKrw)}(부가세 포함)이 ${d.providerName}(으)로 결제되었습니다.`,
      `이용 기간: ${formatKstDate(d.periodStart)} ~ ${formatKstDate(d.periodEnd)}`,
      '영수증(승인번호, 공급가액·부가세)은 아래 링크에서 보시고 PDF로 내려받으실 수 있습니다.',
    ],
    action: (d) => receipt(d.paymentId),
  },
  renewal_failed: {
    subject: () => `[${SERVICE}] 정기결제 실패 안내`,
    lines: (d) => [
      `${d.planName} 플랜 이용료 ${formatKrw(d.amountKrw)} 결제에 실패했습니다. (사유: ${d.reason})`,
      `${formatKstDateTime(d.graceUntil)}까지는 지금처럼 이용하실 수 있습니다. ${
        d.nextAttemptAt ? `다음 자동 결제 시도: ${formatKstDateTime(d.nextAttemptAt)}` : '더 이상 자동 결제를 시도하지 않습니다.'
      }`,
      '내 구독에서 다른 결제 수단으로 결제하시면 바로 정상 이용 상태로 돌아갑니다. 그때까지 결제되지 않으면 구독이 종료되고 자동매매가 중지됩니다.',
    ],
    action: () => subscription,
  },
  plan_changed: {
    subject: (d) => (d.change === 'upgraded' ? `[${SERVICE}] 플랜 변경 완료 안내` : `[${SERVICE}] 플랜 변경 예약 안내`),
    lines: (d) => {
      if (d.change === 'upgraded') {
        return [
          `플랜이 ${d.fromPlanName}에서 ${d.toPlanName}(으)로 바뀌었습니다. (${formatKstDateTime(d.effectiveAt)})`,
          d.chargedKrw ? `남은 기간 차액 ${formatKrw(d.chargedKrw)}(부가세 포함)이 결제되었습니다.` : '남은 기간 차액은 없습니다.',
          `다음 정기결제부터 30일마다 ${formatKrw(d.renewalPriceKrw)}이 결제됩니다.`,
        ];
      }
      if (d.change === 'downgrade_scheduled') {
        return [
          `${formatKstDateTime(d.effectiveAt)} 정기결제부터 ${d.fromPlanName} 플랜이 ${d.toPlanName} 플랜으로 바뀝니다.`,
          `그날부터 30일마다 ${formatKrw(d.renewalPriceKrw)}이 결제됩니다. 그때까지는 ${d.fromPlanName} 플랜을 그대로 이용하실 수 있습니다.`,
          '내 구독에서 변경 예약을 취소하실 수 있습니다.',
        ];
      }
      return [
        `${d.toPlanName} 플랜으로의 변경 예약이 취소되어 ${d.fromPlanName} 플랜을 계속 이용합니다.`,
        `다음 정기결제(${formatKstDateTime(d.effectiveAt)})부터 30일마다 ${formatKrw(d.renewalPriceKrw)}이 결제됩니다.`,
      ];
    },
    action: (d) => (d.change === 'upgraded' && d.paymentId ? receipt(d.paymentId) : subscription),
  },
  cancel_scheduled: {
    subject: () => `[${SERVICE}] 자동 결제 해지 예약 안내`,
    lines: (d) => [
      `${d.planName} 플랜의 자동 결제가 해지되었습니다. 더 이상 자동으로 결제되지 않습니다.`,
      `${formatKstDateTime(d.periodEnd)}까지는 지금처럼 이용하실 수 있고, 그 후 기본(무료) 플랜으로 바뀝니다.`,
      '마음이 바뀌시면 이용 기간이 끝나기 전에 내 구독에서 자동 결제를 다시 켜실 수 있습니다.',
    ],
    action: () => subscription,
  },
  auto_renew_resumed: {
    subject: () => `[${SERVICE}] 자동 결제 재개 안내`,
    lines: (d) => [
      `${d.planName} 플랜의 자동 결제가 다시 켜졌습니다.`,
      `${formatKstDateTime(d.nextChargeAt)}에 ${formatKrw(d.amountKrw)}(부가세 포함)이 ${d.providerName}(으)로 결제되고, 그 뒤로 30일마다 결제됩니다. 결제 7일 전에 미리 알려 드립니다.`,
    ],
    action: () => subscription,
  },
  canceled_now: {
    subject: () => `[${SERVICE}] 구독 해지 완료 안내`,
    lines: (d) => [
      `${d.planName} 플랜 구독이 ${formatKstDateTime(d.endedAt)}에 해지되었습니다. 자동 결제가 꺼지고 자동매매가 중지되었습니다.`,
      d.refundKrw > 0
        ? `사용하지 않은 기간의 이용료 ${formatKrw(d.refundKrw)}을 환불하고 있습니다. 환불이 완료되면 따로 알려 드립니다.`
        : '환불할 금액은 없습니다.',
    ],
    action: () => ({ label: '결제 내역 보기', path: '/payments' }),
  },
  withdrawal_completed: {
    subject: () => `[${SERVICE}] 청약철회 완료 안내`,
    lines: (d) => [
      `${d.planName} 플랜 결제의 청약철회가 완료되었습니다.`,
      `결제 금액 ${formatKrw(d.amountKrw)} 전액을 ${d.providerName}(으)로 환불했습니다. 카드 결제는 카드사 사정에 따라 환불 확인까지 3~7영업일이 걸릴 수 있습니다.`,
      '이 결제로 이용하던 기간은 끝났습니다.',
    ],
    action: (d) => receipt(d.paymentId),
  },
  refund_completed: {
    subject: () => `[${SERVICE}] 환불 완료 안내`,
    lines: (d) => [
      `${d.planName} 플랜 결제에서 ${formatKrw(d.amountKrw)}을 ${d.providerName}(으)로 환불했습니다. (사유: ${d.reason})`,
      '카드 결제는 카드사 사정에 따라 환불 확인까지 3~7영업일이 걸릴 수 있습니다.',
    ],
    action: (d) => receipt(d.paymentId),
  },
  price_change_consent: {
    subject: () => `[${SERVICE}] 구독 가격 변경 동의 요청`,
    lines: (d) => [
      `${d.planName} 플랜 가격이 ${d.agreedKrw === null ? '' : `${formatKrw(d.agreedKrw)}에서 `}${formatKrw(d.newPriceKrw)}(부가세 포함)으로 변경되었습니다.`,
      '변경된 가격으로 계속 이용하시려면 내 구독에서 가격 변경에 동의해 주세요.',
      `동의하시기 전에는 변경된 가격으로 결제하지 않으며, 동의하지 않으시면 ${formatKstDateTime(d.chargeAt)}에 자동 결제 없이 구독이 종료됩니다.`,
    ],
    action: () => subscription,
  },
  price_consent_given: {
    subject: () => `[${SERVICE}] 가격 변경 동의 확인`,
    lines: (d) => [
      `${d.planName} 플랜의 변경된 가격 ${formatKrw(d.priceKrw)}(부가세 포함)에 동의하셨습니다.`,
      d.nextChargeAt
        ? `${formatKstDateTime(d.nextChargeAt)} 정기결제부터 30일마다 ${formatKrw(d.priceKrw)}이 결제됩니다.`
        : `다음 정기결제부터 30일마다 ${formatKrw(d.priceKrw)}이 결제됩니다.`,
      '자동 결제를 원하지 않으시면 결제일 전까지 내 구독에서 해지하실 수 있습니다.',
    ],
    action: () => subscription,
  },
  price_change: {
    subject: (d) => (d.consentRequired ? `[${SERVICE}] 구독 가격 인상 안내 및 동의 요청` : `[${SERVICE}] 구독 가격 변경 안내`),
    lines: (d) => [
      `${d.planName} 플랜 가격이 ${formatKstDate(d.effectiveAt)}부터 ${d.oldPriceKrw === null ? '' : `${formatKrw(d.oldPriceKrw)}에서 `}${formatKrw(d.newPriceKrw)}(부가세 포함)으로 바뀝니다.`,
      `회원님께 변경된 가격이 처음 결제되는 날: ${formatKstDateTime(d.firstChargeAt)} (그 전까지는 지금 가격으로 결제됩니다)`,
      d.consentRequired
        ? '인상된 가격으로 계속 이용하시려면 내 구독에서 가격 변경에 동의해 주세요. 동의하지 않으시면 인상된 가격으로 결제하지 않으며, 그 결제일에 자동 결제 없이 구독이 종료됩니다. 동의한 뒤에도 그 결제일 전까지 자동 결제를 해지하시면 인상된 가격으로 결제되지 않습니다.'
        : '내 구독에서 자동 결제를 해지하실 수 있습니다.',
    ],
    action: () => subscription,
  },
  price_change_withdrawn: {
    subject: () => `[${SERVICE}] 구독 가격 변경 취소 안내`,
    lines: (d) => [
      `${formatKstDate(d.effectiveAt)}부터 ${d.planName} 플랜 가격을 ${formatKrw(d.withdrawnPriceKrw)}(부가세 포함)으로 바꾼다고 안내드린 가격 변경을 취소합니다.`,
      d.renewalPriceKrw === null
        ? '가격은 바뀌지 않습니다.'
        : `가격은 바뀌지 않으며, 다음 정기결제부터도 ${formatKrw(d.renewalPriceKrw)}(부가세 포함)이 결제됩니다.`,
      '가격 변경에 동의하셨더라도 취소된 가격으로는 결제되지 않습니다. 따로 하실 일은 없습니다.',
    ],
    action: () => subscription,
  },
  subscription_expired: {
    subject: () => `[${SERVICE}] 구독 만료 안내`,
    lines: (d) => [
      `결제가 완료되지 않아 ${d.planName} 플랜이 ${formatKstDateTime(d.endedAt)}에 종료되었습니다. 자동매매가 중지되었습니다.`,
      '다시 결제하시면 바로 이용하실 수 있습니다.',
    ],
    action: () => plans,
  },
  subscription_ended: {
    subject: (d) => (d.priceNotConsented ? `[${SERVICE}] 구독 종료 안내 (가격 변경 미동의)` : `[${SERVICE}] 구독 종료 안내`),
    lines: (d) => {
      if (d.priceNotConsented) {
        const price = d.priceNotConsented.newPriceKrw === null ? '인상된 가격' : `인상된 가격 ${formatKrw(d.priceNotConsented.newPriceKrw)}`;
        return [
          `${d.planName} 플랜의 ${price}에 동의하지 않으셔서 자동 결제를 하지 않았고, 이용 기간이 ${formatKstDateTime(d.endedAt)}에 끝났습니다. 결제된 금액은 없습니다. 자동매매가 중지되었습니다.`,
          '다시 이용하시려면 요금제 화면에서 새로 결제해 주세요.',
        ];
      }
      return [
        `자동 결제가 꺼져 있어 ${d.planName} 플랜 이용 기간이 ${formatKstDateTime(d.endedAt)}에 끝났습니다. 자동매매가 중지되었습니다.`,
        '다시 결제하시면 바로 이용하실 수 있습니다.',
      ];
    },
    action: () => plans,
  },
  password_reset: {
    subject: () => `[${SERVICE}] 비밀번호 재설정 안내`,
    lines: (d) => [
      '비밀번호 재설정을 요청하셨습니다. 아래 링크에서 새 비밀번호를 정해 주세요.',
      `이 링크는 ${formatKstDateTime(d.expiresAt)}까지 한 번만 사용할 수 있습니다.`,
      '요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.',
    ],
    action: (d) => ({ label: '새 비밀번호 정하기', path: d.resetPath }),
  },
  password_changed: {
    subject: () => `[${SERVICE}] 비밀번호가 변경되었습니다`,
    lines: (d) => [
      `${formatKstDateTime(d.at)}에 계정의 비밀번호가 변경되었고, 모든 기기에서 로그아웃되었습니다. 새 비밀번호로 다시 로그인해 주세요.`,
      '직접 변경하지 않으셨다면 로그인 화면의 "비밀번호를 잊으셨나요?"에서 곧바로 다시 재설정해 주세요.',
    ],
    action: () => ({ label: '로그인', path: '/login' }),
  },
};

/** Every kind the catalog knows (tests check each renders and links to a page). */
export const NOTICE_KINDS = Object.keys(TEMPLATES) as NoticeKind[];

/** The absolute link of the page that acts on a notice. */
export function noticeLink<K extends NoticeKind>(kind: K, data: NoticeDataByKind[K], env: NoticeEnvironment): { label: string; url: string } {
  const a = (TEMPLATES[kind] as Template<K>).action(data);
  return { label: a.label, url: `${env.publicUrl}${a.path}` };
}

/**
 * The mail footer: only what exists — the subscription page (automatic payment off and on
 * again, plan change), and the business details that are configured.
 */
export function noticeFooter(env: NoticeEnvironment): string {
  const business = businessLines(env.business).map(([label, value]) => `${label}: ${value}`);
  return [
    '―',
    `이 메일은 발신 전용입니다. 구독 상태 확인, 자동 결제 해지·재개, 결제 수단 변경, 플랜 변경은 내 구독(${env.publicUrl}/subscription)에서 하실 수 있습니다.`,
    ...business,
  ].join('\n');
}

/** Subject and plain-text body of a notice: its lines, the link to act on it, the footer. */
export function renderNotice<K extends NoticeKind>(kind: K, data: NoticeDataByKind[K], env: NoticeEnvironment): RenderedNotice {
  const t = TEMPLATES[kind] as Template<K>;
  const link = noticeLink(kind, data, env);
  return {
    subject: t.subject(data),
    body: [...t.lines(data), '', `▶ ${link.label}: ${link.url}`, '', noticeFooter(env)].join('\n'),
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
