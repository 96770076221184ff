/**
 * What a user reads for each payment provider id (`kakaopay`, `naverpay`): pages, notices,
 * receipts, CSV and reports all take the name from here. An unknown id has no entry; callers
 * choose their own fallback (the id itself, or "등록된 결제 수단").
 */
export const PROVIDER_NAMES: Readonly<Record<string, string>> = { kakaopay: '카카오페이', naverpay: '네이버페이' };
