/**
 * In-memory state of the sandbox: reservations, payments (one-time and recurrent charges),
 * recurrent registrations and operation counters. Expiry is lazy (checked on access); no timers.
 */

/** How the user (or the control API) leaves the hosted page. */
export const AUTHORIZE_ACTIONS = ['approve', 'cancel', 'fail', 'expire'] as const;
export type AuthorizeAction = (typeof AUTHORIZE_ACTIONS)[number];

export type OpenType = 'page' | 'popup';

/** Normalised one-time checkout parameters (SDK `open()` or `v2/reserve`). */
export interface CheckoutParams {
  merchantPayKey: string;
  merchantUserKey: string;
  productName: string;
  productCount: number | undefined;
  totalPayAmount: number;
  taxScopeAmount: number;
  taxExScopeAmount: number;
  environmentDepositAmount: number;
  returnUrl: string;
  productItems: unknown[] | undefined;
  merchantPayTransactionKey: string | undefined;
  merchantExtraParameter: string | undefined;
  purchaserName: string | undefined;
  purchaserBirthday: string | undefined;
  useCfmYmdt: string | undefined;
  extraDeduction: boolean;
}

/** Normalised recurrent registration parameters (SDK `open()` or `regist/v1/reserve`). */
export interface RegistrationParams {
  actionType: 'NEW' | 'CHANGE';
  targetRecurrentId: string | undefined;
  productCode: string;
  productName: string;
  totalPayAmount: number;
  returnUrl: string;
  merchantUserKey: string | undefined;
}

export interface ReserveDecision {
  action: AuthorizeAction;
  redirectUrl: string;
  resultCode: string;
  resultMessage: string | undefined;
  at: number;
}

interface ReserveBase {
  reserveId: string;
  /** null when created by the SDK stand-in (no partnerId in the browser): any configured partner may use it. */
  partnerId: string | null;
  createdAt: number;
  source: 'api' | 'sdk';
  openType: OpenType;
  decision: ReserveDecision | undefined;
}

export interface OnetimeReserve extends ReserveBase {
  kind: 'onetime';
  state: 'RESERVED' | 'AUTHORIZED' | 'ABORTED';
  paymentId: string | undefined;
  params: CheckoutParams;
}

export interface RecurrentReserve extends ReserveBase {
  kind: 'recurrent';
  state: 'RESERVED' | 'AUTHORIZED' | 'ABORTED' | 'REGISTERED';
  tempReceiptId: string | undefined;
  authorizedAt: number | undefined;
  recurrentId: string | undefined;
  params: RegistrationParams;
}

export type Reserve = OnetimeReserve | RecurrentReserve;

export interface Registration {
  recurrentId: string;
  partnerId: string | null;
  reserveId: string;
  actionType: 'NEW' | 'CHANGE';
  preRecurrentId: string | undefined;
  productCode: string;
  productName: string;
  merchantUserKey: string | undefined;
  state: 'VALID' | 'EXPIRED';
  registeredAt: number;
  expiredAt: number | undefined;
  expireRequester: string | undefined;
  expireReason: string | undefined;
}

export type PaymentState = 'AUTHORIZED' | 'APPROVED' | 'EXPIRED' | 'FAILED';

/** One history row: an approval attempt (`01`) or a cancel (`03` full / `04` partial). */
export interface HistoryEntry {
  payHistId: string;
  admissionTypeCode: '01' | '03' | '04';
  admissionState: 'SUCCESS' | 'FAIL';
  at: number;
  /** Cancels may be hidden until they complete (`cancelPendingMs`, `CancelNotComplete`). */
  visibleAt: number;
  amount: number;
  taxScopeAmount: number;
  taxExScopeAmount: number;
  environmentDepositAmount: number;
  merchantPayTransactionKey: string | undefined;
  failureCode: string | undefined;
  sequence: number;
}

export interface Payment {
  paymentId: string;
  kind: 'onetime' | 'recurrent';
  partnerId: string | null;
  reserveId: string | undefined;
  recurrentId: string | undefined;
  merchantPayKey: string;
  merchantUserKey: string;
  productName: string;
  totalPayAmount: number;
  taxScopeAmount: number;
  taxExScopeAmount: number;
  environmentDepositAmount: number;
  merchantPayTransactionKey: string | undefined;
  merchantExtraParameter: string | undefined;
  useCfmYmdt: string;
  extraDeduction: boolean;
  state: PaymentState;
  authorizedAt: number;
  approvedAt: number | undefined;
  payHistId: string | undefined;
  failure: { code: string; message: string } | undefined;
  /** An approve is executing (between its checks and its commit). */
  approving: boolean;
  /** A cancel is executing. */
  cancelling: boolean;
  remaining: { total: number; taxScope: number; taxExScope: number; environmentDeposit: number };
  history: HistoryEntry[];
  cardCorpCode: string;
  cardNo: string;
  cardAuthNo: string;
  userIdentifier: string;
}

export const STAT_OPERATIONS = [
  'reserve',
  'sdk_open',
  'authorize',
  'approve',
  'cancel',
  'history',
  'recurrent_reserve',
  'recurrent_approve',
  'recurrent_pay_reserve',
  'recurrent_pay_approve',
  'recurrent_expire',
  'recurrent_list',
  'idempotent_replay',
] as const;
export type StatOperation = (typeof STAT_OPERATIONS)[number];

export class SandboxStats {
  counts = new Map<StatOperation, number>();
  chargesByRecurrentId = new Map<string, number>();
  approvalsByMerchantPayKey = new Map<string, number>();
  cancelsByPaymentId = new Map<string, number>();

  increment(op: StatOperation): void {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  }

  static bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const op of STAT_OPERATIONS) out[op] = this.counts.get(op) ?? 0;
    out.charges_by_recurrent_id = Object.fromEntries(this.chargesByRecurrentId);
    out.approvals_by_merchant_pay_key = Object.fromEntries(this.approvalsByMerchantPayKey);
    out.cancels_by_payment_id = Object.fromEntries(this.cancelsByPaymentId);
    return out;
  }
}

export class SandboxStore {
  reserves = new Map<string, Reserve>();
  payments = new Map<string, Payment>();
  registrations = new Map<string, Registration>();
  stats = new SandboxStats();
  #historySequence = 0;

  nextHistorySequence(): number {
    this.#historySequence += 1;
    return this.#historySequence;
  }

  reset(): void {
    this.reserves.clear();
    this.payments.clear();
    this.registrations.clear();
    this.stats = new SandboxStats();
  }
}

/** SDK-created records (partnerId null) are visible to every configured partner. */
export function visibleTo(record: { partnerId: string | null }, partnerId: string): boolean {
  return record.partnerId === null || record.partnerId === partnerId;
}
