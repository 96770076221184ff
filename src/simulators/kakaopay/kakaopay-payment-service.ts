import { addAmounts, defaultVat, zeroAmount, type Amount } from './kakaopay-amounts.ts';
import { pickCard, type CardApproval } from './kakaopay-cards.ts';
import { kstMonthKey, type SandboxClock } from './kakaopay-clock.ts';
import type { ApiGeneration } from './kakaopay-envelope.ts';
import { cannotCancel, KakaoPayError } from './kakaopay-errors.ts';
import { SandboxFlowError } from './kakaopay-flow-error.ts';
import type { KakaoPayIds } from './kakaopay-ids.ts';
import type { ResolvedSandboxOptions } from './kakaopay-options.ts';
import type {
  ApproveInput,
  CancelInput,
  OrderInput,
  ReadyInput,
  SidInput,
  SubscriptionInput,
} from './kakaopay-requests.ts';
import {
  approveResponse,
  cancelAvailable,
  cancelResponse,
  inactiveResponse,
  orderResponse,
  readyResponse,
  sidStatusResponse,
} from './kakaopay-responses.ts';
import {
  APPROVED_STATUSES,
  CANCELLABLE_STATUSES,
  PRE_APPROVAL_STATUSES,
  USER_ACTIONABLE_STATUSES,
  type PaymentMethodType,
  type PaymentStatus,
} from './kakaopay-states.ts';
import type { KakaoPayStore, PaymentRecord, SidRecord } from './kakaopay-store.ts';

/** What the user does on the hosted page (or through the authorize control). */
export type UserAction = 'approve' | 'cancel' | 'fail';

export interface AuthorizeResult {
  redirectUrl: string;
  pgToken: string | undefined;
  status: PaymentStatus;
}

/**
 * KakaoPay's payment rules over the in-memory store. Every method is synchronous, so a
 * check and its state change never interleave with another request.
 */
export class KakaoPayPaymentService {
  constructor(
    private readonly options: ResolvedSandboxOptions,
    private readonly store: KakaoPayStore,
    private readonly clock: SandboxClock,
    private readonly ids: KakaoPayIds,
  ) {}

  ready(input: ReadyInput, baseUrl: string): Record<string, unknown> {
    const now = this.clock.now();
    const isSubscription = this.options.subscriptionCids.has(input.cid);
    if (!isSubscription && !this.options.oneTimeCids.has(input.cid)) throw new KakaoPayError(-731);
    const amount = this.checkedAmount(
      input.total_amount,
      input.tax_free_amount,
      input.vat_amount,
      input.green_deposit,
      isSubscription,
    );
    const record: PaymentRecord = {
      tid: this.ids.tid(),
      cid: input.cid,
      kind: 'single',
      partnerOrderId: input.partner_order_id,
      partnerUserId: input.partner_user_id,
      itemName: input.item_name,
      itemCode: input.item_code,
      quantity: input.quantity,
      amount,
      canceledAmount: zeroAmount(),
      installMonth: input.install_month ?? 0,
      allowedMethod: input.payment_method_type,
      availableCards: input.available_cards,
      customJson: input.custom_json,
      approvalUrl: input.approval_url,
      cancelUrl: input.cancel_url,
      failUrl: input.fail_url,
      pageToken: this.ids.pageToken(),
      status: 'READY',
      expired: false,
      createdAtMs: now,
      selectedMethod: undefined,
      card: undefined,
      pgToken: undefined,
      aid: undefined,
      approvedAtMs: undefined,
      canceledAtMs: undefined,
      approvePayload: undefined,
      sid: undefined,
      actions: [],
      history: [{ status: 'READY', atMs: now }],
    };
    this.store.addPayment(record);
    this.store.stats.ready += 1;
    return readyResponse(record, baseUrl);
  }

  /** Checks in the order of spec §8.9. */
  approve(input: ApproveInput, generation: ApiGeneration): Record<string, unknown> {
    const now = this.clock.now();
    const record = this.payment(input.tid, input.cid, now);
    if (record.expired) throw new KakaoPayError(-723);
    if (APPROVED_STATUSES.has(record.status)) throw new KakaoPayError(-702);
    if (record.status !== 'AUTH_PASSWORD') {
      throw new KakaoPayError(USER_ACTIONABLE_STATUSES.has(record.status) ? -701 : -783);
    }
    if (input.pg_token !== record.pgToken) throw new KakaoPayError(-708);
    if (input.partner_order_id !== record.partnerOrderId) throw new KakaoPayError(-706);
    if (input.partner_user_id !== record.partnerUserId) throw new KakaoPayError(-707);
    if (input.total_amount !== undefined && input.total_amount !== record.amount.total) {
      throw new KakaoPayError(this.options.amountMismatchCode);
    }

    const isSubscription = this.options.subscriptionCids.has(record.cid);
    const sidOnly = isSubscription && record.amount.total === 0;
    const method = record.selectedMethod ?? 'CARD';
    record.aid = this.ids.aid();
    record.approvedAtMs = now;
    record.approvePayload = input.payload;
    if (method === 'CARD') record.card = this.cardApproval(pickCard(record.availableCards), record.installMonth, sidOnly);
    this.setStatus(record, sidOnly ? 'ISSUED_SID' : 'SUCCESS_PAYMENT', now);
    record.actions.push({
      aid: record.aid,
      approvedAtMs: now,
      amount: record.amount.total,
      pointAmount: 0,
      discountAmount: 0,
      greenDeposit: record.amount.green_deposit,
      type: sidOnly ? 'ISSUED_SID' : 'PAYMENT',
      paymentMethodType: method,
      payload: input.payload,
    });
    if (isSubscription) this.issueSid(record, method, now);
    this.store.stats.approve += 1;
    this.store.countApproval(record.partnerOrderId);
    return approveResponse(record, generation);
  }

  /** Full or partial cancel (spec §4.4, §8.11). */
  cancel(input: CancelInput): Record<string, unknown> {
    const now = this.clock.now();
    const record = this.payment(input.tid, input.cid, now);
    if (!CANCELLABLE_STATUSES.has(record.status)) throw cannotCancel(record.status);
    const remaining = cancelAvailable(record);
    if (input.cancel_available_amount !== undefined && input.cancel_available_amount !== remaining.total) {
      throw new KakaoPayError(-722, 'cancel_available_amount does not match');
    }
    if (input.cancel_amount > remaining.total) throw new KakaoPayError(-710);
    if (input.cancel_tax_free_amount > input.cancel_amount) throw new KakaoPayError(-722);
    if (input.cancel_tax_free_amount > remaining.tax_free) throw new KakaoPayError(-710);
    const isFull = input.cancel_amount === remaining.total;
    if (!isFull && record.amount.green_deposit > 0) {
      throw new KakaoPayError(-784, 'can not request partial cancel for green_deposit payment');
    }

    let canceled: Amount;
    if (isFull) {
      // The last cancel takes whatever is left, so the totals end at exactly zero.
      if (input.cancel_tax_free_amount !== remaining.tax_free) throw new KakaoPayError(-722);
      if (input.cancel_vat_amount !== undefined && input.cancel_vat_amount !== remaining.vat) {
        throw new KakaoPayError(-722);
      }
      canceled = { ...remaining };
    } else {
      const taxable = input.cancel_amount - input.cancel_tax_free_amount;
      const vat = input.cancel_vat_amount ?? Math.min(defaultVat(taxable), remaining.vat);
      if (vat > taxable) throw new KakaoPayError(-722);
      if (vat > remaining.vat) throw new KakaoPayError(-710);
      canceled = {
        total: input.cancel_amount,
        tax_free: input.cancel_tax_free_amount,
        vat,
        point: 0,
        discount: 0,
        green_deposit: 0,
      };
    }

    const aid = this.ids.aid();
    record.canceledAmount = addAmounts(record.canceledAmount, canceled);
    record.canceledAtMs = now;
    this.setStatus(record, isFull ? 'CANCEL_PAYMENT' : 'PART_CANCEL_PAYMENT', now);
    record.actions.push({
      aid,
      approvedAtMs: now,
      amount: canceled.total,
      pointAmount: 0,
      discountAmount: 0,
      greenDeposit: canceled.green_deposit,
      type: 'CANCEL',
      paymentMethodType: record.selectedMethod ?? 'CARD',
      payload: input.payload,
    });
    this.store.stats.cancel += 1;
    return cancelResponse(record, aid, canceled, input.payload);
  }

  order(input: OrderInput): Record<string, unknown> {
    const record = this.payment(input.tid, input.cid, this.clock.now());
    this.store.stats.order += 1;
    return orderResponse(record);
  }

  /** 2nd+ recurring charge: a new tid/aid in SUCCESS_PAYMENT (spec §4.5, §8.12). */
  subscription(input: SubscriptionInput, generation: ApiGeneration): Record<string, unknown> {
    const now = this.clock.now();
    const sid = this.sid(input.sid, input.cid);
    if (sid.status !== 'ACTIVE') throw new KakaoPayError(-751);
    if (input.partner_user_id !== sid.partnerUserId) throw new KakaoPayError(-753);
    const amount = this.checkedAmount(
      input.total_amount,
      input.tax_free_amount,
      input.vat_amount,
      input.green_deposit,
      false,
    );
    const month = kstMonthKey(now);
    const cap = this.options.sidMonthlyChargeCap;
    if (cap !== undefined && (sid.chargesByMonth[month] ?? 0) >= cap) throw new KakaoPayError(-752);

    const aid = this.ids.aid();
    const card = sid.card ? this.cardApproval(sid.card.card, 0, false) : undefined;
    const record: PaymentRecord = {
      tid: this.ids.tid(),
      cid: input.cid,
      kind: 'subscription_charge',
      partnerOrderId: input.partner_order_id,
      partnerUserId: input.partner_user_id,
      itemName: input.item_name ?? sid.itemName,
      itemCode: input.item_code,
      quantity: input.quantity,
      amount,
      canceledAmount: zeroAmount(),
      installMonth: 0,
      allowedMethod: sid.paymentMethodType,
      availableCards: undefined,
      customJson: undefined,
      approvalUrl: '',
      cancelUrl: '',
      failUrl: '',
      pageToken: undefined,
      status: 'SUCCESS_PAYMENT',
      expired: false,
      createdAtMs: now,
      selectedMethod: sid.paymentMethodType,
      card,
      pgToken: undefined,
      aid,
      approvedAtMs: now,
      canceledAtMs: undefined,
      approvePayload: input.payload,
      sid: sid.sid,
      actions: [
        {
          aid,
          approvedAtMs: now,
          amount: amount.total,
          pointAmount: 0,
          discountAmount: 0,
          greenDeposit: amount.green_deposit,
          type: 'PAYMENT',
          paymentMethodType: sid.paymentMethodType,
          payload: input.payload,
        },
      ],
      history: [{ status: 'SUCCESS_PAYMENT', atMs: now }],
    };
    this.store.addPayment(record);
    sid.lastApprovedAtMs = now;
    sid.chargesByMonth[month] = (sid.chargesByMonth[month] ?? 0) + 1;
    this.store.stats.subscription += 1;
    this.store.countCharge(sid.sid);
    this.store.countApproval(record.partnerOrderId);
    return approveResponse(record, generation);
  }

  /** Inactivating an inactive SID returns its current record ([I] spec §9). */
  inactive(input: SidInput): Record<string, unknown> {
    const sid = this.sid(input.sid, input.cid);
    if (sid.status === 'ACTIVE') {
      sid.status = 'INACTIVE';
      sid.inactivatedAtMs = this.clock.now();
    }
    this.store.stats.inactive += 1;
    return inactiveResponse(sid);
  }

  status(input: SidInput): Record<string, unknown> {
    const sid = this.sid(input.sid, input.cid);
    this.store.stats.status += 1;
    return sidStatusResponse(sid);
  }

  /** Hosted page opened: READY/SEND_TMS → OPEN_PAYMENT. Throws if expired or finished. */
  openPage(record: PaymentRecord): void {
    const now = this.clock.now();
    this.assertUserCanAct(record, now);
    if (record.status === 'READY' || record.status === 'SEND_TMS') this.setStatus(record, 'OPEN_PAYMENT', now);
  }

  /**
   * The user's decision on the hosted page. Approve walks OPEN_PAYMENT → SELECT_METHOD →
   * AUTH_PASSWORD and mints a pg_token; cancel → QUIT_PAYMENT; fail → FAIL_AUTH_PASSWORD.
   */
  authorize(record: PaymentRecord, action: UserAction, method: PaymentMethodType = 'CARD'): AuthorizeResult {
    const now = this.clock.now();
    this.assertUserCanAct(record, now);
    if (action === 'cancel') {
      this.setStatus(record, 'QUIT_PAYMENT', now);
      return { redirectUrl: record.cancelUrl, pgToken: undefined, status: record.status };
    }
    if (action === 'fail') {
      this.setStatus(record, 'FAIL_AUTH_PASSWORD', now);
      return { redirectUrl: record.failUrl, pgToken: undefined, status: record.status };
    }
    if (record.allowedMethod && method !== record.allowedMethod) {
      throw new SandboxFlowError(400, `이 결제는 ${methodLabel(record.allowedMethod)}로만 결제할 수 있습니다.`, record.status);
    }
    if (record.status !== 'OPEN_PAYMENT') this.setStatus(record, 'OPEN_PAYMENT', now);
    record.selectedMethod = method;
    this.setStatus(record, 'SELECT_METHOD', now);
    record.pgToken = this.ids.pgToken();
    this.setStatus(record, 'AUTH_PASSWORD', now);
    return {
      redirectUrl: appendQueryParam(record.approvalUrl, 'pg_token', record.pgToken),
      pgToken: record.pgToken,
      status: record.status,
    };
  }

  /** Lazily marks an unapproved tid past its TTL as expired; it then reads QUIT_PAYMENT ([I]). */
  refreshExpiry(record: PaymentRecord, now: number): void {
    if (record.expired || !PRE_APPROVAL_STATUSES.has(record.status)) return;
    if (now - record.createdAtMs < this.options.tidTtlMs) return;
    record.expired = true;
    this.setStatus(record, 'QUIT_PAYMENT', record.createdAtMs + this.options.tidTtlMs);
  }

  private assertUserCanAct(record: PaymentRecord, now: number): void {
    this.refreshExpiry(record, now);
    if (record.expired) throw new SandboxFlowError(410, '결제 유효시간이 지났습니다. 처음부터 다시 시도해 주세요.', record.status);
    if (!USER_ACTIONABLE_STATUSES.has(record.status)) {
      throw new SandboxFlowError(409, '이미 처리된 결제입니다.', record.status);
    }
  }

  private payment(tid: string, cid: string, now: number): PaymentRecord {
    const record = this.store.payments.get(tid);
    if (!record) throw new KakaoPayError(-721);
    if (record.cid !== cid) throw new KakaoPayError(-731);
    this.refreshExpiry(record, now);
    return record;
  }

  private sid(sid: string, cid: string): SidRecord {
    if (!this.options.subscriptionCids.has(cid)) throw new KakaoPayError(-731);
    const record = this.store.sids.get(sid);
    if (!record) throw new KakaoPayError(-750);
    if (record.cid !== cid) throw new KakaoPayError(-731);
    return record;
  }

  private issueSid(record: PaymentRecord, method: PaymentMethodType, now: number): void {
    const sid = this.ids.sid();
    record.sid = sid;
    this.store.sids.set(sid, {
      sid,
      cid: record.cid,
      partnerUserId: record.partnerUserId,
      status: 'ACTIVE',
      paymentMethodType: method,
      card: record.card,
      itemName: record.itemName,
      firstTid: record.tid,
      createdAtMs: now,
      lastApprovedAtMs: now,
      inactivatedAtMs: undefined,
      chargesByMonth: {},
    });
  }

  /** Amount rules of spec §5.3: -722 when inconsistent, -797 over the configured cap. */
  private checkedAmount(
    total: number,
    taxFree: number,
    vatInput: number | undefined,
    greenDeposit: number | undefined,
    allowZero: boolean,
  ): Amount {
    const green = greenDeposit ?? 0;
    if (total < 0 || (total === 0 && !allowZero)) throw new KakaoPayError(-722, 'invalid total_amount');
    if (taxFree < 0 || taxFree > total) throw new KakaoPayError(-722, 'invalid tax_free_amount');
    if (green > total - taxFree) throw new KakaoPayError(-722, 'invalid green_deposit');
    // green_deposit is left out of the VAT base ([I] spec §5.3).
    const vat = vatInput ?? defaultVat(total - taxFree - green);
    if (vat < 0 || vat > total - taxFree) throw new KakaoPayError(-722, 'invalid vat_amount');
    if (this.options.maxSingleAmount !== undefined && total > this.options.maxSingleAmount) {
      throw new KakaoPayError(-797);
    }
    return { total, tax_free: taxFree, vat, point: 0, discount: 0, green_deposit: green };
  }

  private cardApproval(card: CardApproval['card'], installMonth: number, sidOnly: boolean): CardApproval {
    return { card, installMonth, approvedId: this.ids.approvedId(), sidOnly };
  }

  private setStatus(record: PaymentRecord, status: PaymentStatus, atMs: number): void {
    record.status = status;
    record.history.push({ status, atMs });
  }
}

export function methodLabel(method: PaymentMethodType): string {
  return method === 'CARD' ? '카드' : '카카오페이머니';
}

/** Appends `name=value` with `?` or `&`, keeping any `#fragment` last. */
export function appendQueryParam(url: string, name: string, value: string): string {
  const hashIndex = url.indexOf('#');
  const base = hashIndex < 0 ? url : url.slice(0, hashIndex);
  const hash = hashIndex < 0 ? '' : url.slice(hashIndex);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${hash}`;
}
