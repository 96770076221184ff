/** Korean wording for amounts, dates, statuses and error codes. */

const wonFormat = new Intl.NumberFormat('ko-KR');

/** 29000 → "29,000원" */
export function won(krw: number): string {
  return `${wonFormat.format(krw)}원`;
}

/** 29000 → "29,000" (when the 원 is typeset separately). */
export function number(krw: number): string {
  return wonFormat.format(krw);
}

const dateFormat = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: 'long', day: 'numeric' });
const shortDateFormat = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat('ko-KR', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "2025년 7월 14일" (Korean time). */
export function date(iso: string | Date | null | undefined): string {
  if (!iso) return '-';
  return dateFormat.format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** "2025. 07. 14." */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '-';
  return shortDateFormat.format(new Date(iso));
}

/** "2025. 07. 14. 13:05" */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return dateTimeFormat.format(new Date(iso));
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 24 * 3600 * 1000);
}

/** Monthly auto-trading limit: null = unlimited, 0 = not included. */
export function tradingLimit(krw: number | null, enabled = true): string {
  if (!enabled) return '미포함';
  if (krw === null) return '무제한';
  if (krw === 0) return '미포함';
  return `월 ${won(krw)}`;
}

export type Tone = 'success' | 'danger' | 'warning' | 'neutral' | 'info';

const PAYMENT_STATUS: Record<string, { label: string; tone: Tone }> = {
  approved: { label: '결제 완료', tone: 'success' },
  refunded: { label: '환불 완료', tone: 'neutral' },
  partially_refunded: { label: '부분 환불', tone: 'info' },
  declined: { label: '실패', tone: 'danger' },
  abandoned: { label: '취소됨', tone: 'neutral' },
  ready: { label: '대기', tone: 'warning' },
  approving: { label: '승인 중', tone: 'warning' },
  unknown: { label: '확인 중', tone: 'warning' },
};

export function paymentStatus(status: string): { label: string; tone: Tone } {
  return PAYMENT_STATUS[status] ?? { label: '확인 중', tone: 'warning' };
}

const SUBSCRIPTION_STATUS: Record<string, { label: string; tone: Tone }> = {
  active: { label: '이용 중', tone: 'success' },
  past_due: { label: '결제 확인 필요', tone: 'warning' },
  pending: { label: '결제 대기', tone: 'warning' },
  canceled: { label: '해지됨', tone: 'neutral' },
  expired: { label: '만료됨', tone: 'neutral' },
};

export function subscriptionStatus(status: string | null, active: boolean): { label: string; tone: Tone } {
  if (!active) return { label: '무료 이용 중', tone: 'neutral' };
  return (status && SUBSCRIPTION_STATUS[status]) || { label: '이용 중', tone: 'success' };
}

export const KIND_LABEL: Record<string, string> = { checkout: '결제', renewal: '자동 결제', upgrade: '플랜 변경', registration: '결제 수단 등록' };

const METHOD_KIND: Record<string, string> = { card: '카드', money: '페이머니', bank: '계좌', point: '포인트' };

/** "카카오페이 · 카드" */
export function methodText(providerName: string, methodKind: string | null, methodLabel: string | null): string {
  const detail = methodLabel || (methodKind ? METHOD_KIND[methodKind] : null);
  return detail ? `${providerName} · ${detail}` : providerName;
}

/** Why a payment did not go through, for a `code` in the fail page URL or a payment's failure_code. */
const FAILURE_MESSAGES: Record<string, string> = {
  // Our API error codes
  PAYMENT_EXPIRED: '결제 가능 시간이 지났습니다. 처음부터 다시 결제해 주세요.',
  PROVIDER_DECLINED: '결제사에서 결제를 승인하지 않았습니다. 다른 결제 수단으로 시도해 보세요.',
  PROVIDER_UNAVAILABLE: '결제사 응답이 없습니다. 잠시 후 다시 시도해 주세요. 요금은 청구되지 않았습니다.',
  PROVIDER_OUTCOME_UNKNOWN: '결제 결과를 확인하고 있습니다. 결제 내역에서 잠시 후 확인해 주세요.',
  PROVIDER_REQUEST_INVALID: '결제 요청을 처리하지 못했습니다. 고객센터에 문의해 주세요.',
  PROVIDER_CONFIG_INVALID: '결제 설정에 문제가 있습니다. 고객센터에 문의해 주세요.',
  PAYMENT_NOT_APPROVABLE: '이미 끝난 결제이거나 결제 인증이 끝나지 않았습니다. 다시 결제해 주세요.',
  PAYMENT_NOT_FOUND: '결제 정보를 찾을 수 없습니다. 다시 결제해 주세요.',
  PAYMENT_IN_PROGRESS: '같은 결제를 처리하고 있습니다. 잠시 후 결제 내역을 확인해 주세요.',
  AMOUNT_MISMATCH: '결제 금액이 플랜 가격과 달라 결제를 멈췄습니다. 요금은 청구되지 않았습니다.',
  FORBIDDEN: '본인이 시작한 결제만 완료할 수 있습니다. 결제한 계정으로 로그인해 주세요.',
  UNAUTHENTICATED: '로그인이 필요합니다.',
  SUBSCRIPTION_STATE_CONFLICT: '이미 다른 플랜을 이용 중입니다.',
  PLAN_CHANGE_STALE: '금액을 계산한 뒤 구독 기간이나 플랜이 바뀌어 결제를 취소했습니다. 플랜 변경을 다시 시도해 주세요.',
  superseded: '새 결제를 시작해 이 결제는 취소되었습니다. 마지막에 시작한 결제로 진행해 주세요.',
  VALIDATION_FAILED: '결제 정보가 올바르지 않습니다. 다시 결제해 주세요.',
  INTERNAL: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.',
  // Return-URL reasons
  provider_fail: '결제사 인증이 완료되지 않았습니다. 비밀번호나 인증 수단을 확인한 뒤 다시 시도해 주세요.',
  user_cancel: '결제를 취소하셨습니다.',
  no_pg_token: '결제사 인증 정보가 전달되지 않았습니다. 다시 결제해 주세요.',
  usercancel: '결제를 취소하셨습니다.',
  ownerauthfail: '본인 인증에 실패했습니다. 인증 정보를 확인한 뒤 다시 시도해 주세요.',
  paymenttimeexpire: '결제 가능 시간이 지났습니다. 처음부터 다시 결제해 주세요.',
  timeexpired: '결제 가능 시간이 지났습니다. 처음부터 다시 결제해 주세요.',
  notenoughaccountbalance: '잔액이 부족합니다. 다른 결제 수단으로 시도해 보세요.',
  fail: '결제사에서 결제를 승인하지 않았습니다. 다른 결제 수단으로 시도해 보세요.',
  bankmaintenance: '은행 점검 시간입니다. 잠시 후 다시 시도해 주세요.',
  maintenanceongoing: '결제사 점검 중입니다. 잠시 후 다시 시도해 주세요.',
  faultcheckongoing: '결제사 장애 점검 중입니다. 잠시 후 다시 시도해 주세요.',
  '-780': '결제가 승인되지 않았습니다. 다른 결제 수단으로 시도해 보세요.',
  '-781': '결제가 승인되지 않았습니다. 다른 결제 수단으로 시도해 보세요.',
  '-782': '결제가 승인되지 않았습니다. 다른 결제 수단으로 시도해 보세요.',
  '-783': '결제가 취소되었거나 인증에 실패했습니다.',
  '-723': '결제 가능 시간이 지났습니다. 처음부터 다시 결제해 주세요.',
};

export const GENERIC_FAILURE = '결제가 완료되지 않았습니다. 요금은 청구되지 않았습니다. 다시 시도해 주세요.';

export function failureMessage(code: string | null | undefined): string {
  if (!code) return GENERIC_FAILURE;
  const direct = FAILURE_MESSAGES[code] ?? FAILURE_MESSAGES[code.toLowerCase()];
  if (direct) return direct;
  // "kakaopay:-780", "naverpay:OwnerAuthFail"
  const bare = code.includes(':') ? code.slice(code.indexOf(':') + 1) : code;
  return FAILURE_MESSAGES[bare] ?? FAILURE_MESSAGES[bare.toLowerCase()] ?? GENERIC_FAILURE;
}

export const PROVIDER_NAMES: Record<string, string> = { kakaopay: '카카오페이', naverpay: '네이버페이' };

const REFUND_KIND: Record<string, string> = { admin: '관리자 환불', withdrawal: '청약철회', cancel_now: '중도 해지 환불' };
export function refundKind(kind: string): string {
  return REFUND_KIND[kind] ?? kind;
}

const REFUND_STATUS: Record<string, { label: string; tone: Tone }> = {
  succeeded: { label: '환불 완료', tone: 'success' },
  requested: { label: '환불 요청 중', tone: 'warning' },
  unknown: { label: '결과 확인 중', tone: 'warning' },
  failed: { label: '환불 실패', tone: 'danger' },
};
export function refundStatus(status: string): { label: string; tone: Tone } {
  return REFUND_STATUS[status] ?? { label: status, tone: 'neutral' };
}

const WITHDRAWAL_REFUSAL: Record<string, string> = {
  withdrawal_period_over: '결제 후 7일이 지나 청약철회를 할 수 없습니다.',
  features_used: '결제 후 유료 기능을 이용해 청약철회를 할 수 없습니다.',
  not_paid: '결제가 완료되지 않아 청약철회 대상이 아닙니다.',
  nothing_left: '이미 전액 환불된 결제입니다.',
};
export function withdrawalRefusal(reason: string | null): string {
  return (reason && WITHDRAWAL_REFUSAL[reason]) || '청약철회를 할 수 없는 결제입니다.';
}

/** Chart axis: 52,000,000 → "5,200만", 150,000,000 → "1.5억", 9,000 → "9,000". */
export function compactWon(krw: number): string {
  const abs = Math.abs(krw);
  const sign = krw < 0 ? '-' : '';
  if (abs >= 100_000_000) return `${sign}${Number((abs / 100_000_000).toFixed(abs >= 1_000_000_000 ? 0 : 1))}억`;
  if (abs >= 10_000) return `${sign}${wonFormat.format(Math.round(abs / 1_000) / 10)}만`;
  return `${sign}${wonFormat.format(abs)}`;
}

/** "2025-07" → "2025년 7월"; short: "7월" (chart axes, whose caption names the years). */
export function monthLabel(month: string, short = false): string {
  const [y, m] = month.split('-').map(Number);
  return short ? `${m}월` : `${y}년 ${m}월`;
}

/** "12.5%" from 0.125; "-" for null. */
export function percent(rate: number | null): string {
  if (rate === null) return '-';
  return `${Number((rate * 100).toFixed(1))}%`;
}

/** Remaining time as "29일 23시간" (or "5시간" under a day). */
export function duration(ms: number): string {
  const hours = Math.max(0, Math.floor(ms / 3_600_000));
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  if (d === 0) return `${h}시간`;
  return h === 0 ? `${d}일` : `${d}일 ${h}시간`;
}

/** What a payment attempt means to the subscriber (the API's `outcome`, issue 11 item 5). */
const PAYMENT_OUTCOME: Record<string, { label: string; tone: Tone; note?: string }> = {
  paid: { label: '결제 완료', tone: 'success' },
  partially_refunded: { label: '부분 환불', tone: 'info' },
  refunded: { label: '환불 완료', tone: 'neutral' },
  pending: { label: '결제 대기', tone: 'warning', note: '결제가 완료되지 않았어요' },
  processing: { label: '확인 중', tone: 'warning', note: '결제사에 결과를 확인하고 있어요' },
  declined: { label: '결제 실패', tone: 'danger', note: '청구되지 않음' },
  canceled: { label: '취소됨', tone: 'neutral', note: '청구되지 않음' },
  superseded: { label: '다시 결제함', tone: 'neutral', note: '새 결제로 대체 · 청구되지 않음' },
  expired: { label: '시간 만료', tone: 'neutral', note: '결제 시간 초과 · 청구되지 않음' },
};

export function paymentOutcome(outcome: string): { label: string; tone: Tone; note?: string } {
  return PAYMENT_OUTCOME[outcome] ?? { label: '확인 중', tone: 'warning' };
}

/** Outcomes in which no money was taken and none is owed. */
export const UNPAID_OUTCOMES = ['declined', 'canceled', 'superseded', 'expired'];
