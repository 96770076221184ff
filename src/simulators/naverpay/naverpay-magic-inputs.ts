/**
 * Magic amounts (KRW): a one-time payment or recurrent charge whose `totalPayAmount` is one of
 * these fails at approve (`v2.2/apply/payment`, `recurrent/pay/v3/approval`) with the code,
 * every time. Disable with `magicAmounts: false`. Documented in README.md.
 */
export const MAGIC_APPROVE_AMOUNTS: ReadonlyMap<number, { code: string; message: string }> = new Map([
  [4001, { code: 'NotEnoughAccountBalance', message: '출금 계좌의 잔액이 부족합니다.' }],
  [4002, { code: 'OwnerAuthFail', message: '본인 명의의 결제수단이 아닙니다.' }],
  [4003, { code: 'Fail', message: '카드사 승인이 거절되었습니다. (한도 초과)' }],
  [4004, { code: 'BankMaintenance', message: '은행 점검 시간입니다.' }],
  [4005, { code: 'FaultCheckOngoing', message: '결제 기관 장애 점검 중입니다.' }],
  [4006, { code: 'MaintenanceOngoing', message: '네이버페이 점검 중입니다.' }],
]);
