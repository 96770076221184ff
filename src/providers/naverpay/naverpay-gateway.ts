/**
 * `PaymentGateway` for NaverPay 결제형 (shared/specs/naverpay.md), built from the client, the
 * wire shapes and the mapping.
 */
import { ProviderDeclinedError, ProviderRequestError, ProviderUnavailableError } from '../../domain/errors.ts';
import type { Krw } from '../../domain/money.ts';
import type {
  ApproveInput,
  ChargeBillingKeyInput,
  CheckoutInput,
  Clock,
  GatewayCapabilities,
  LookupInput,
  PaymentGateway,
  PaymentResult,
  PreparedCheckout,
  RefundInput,
  RefundResult,
  ReturnOutcome,
} from '../../domain/ports.ts';
import type { NaverPayCall, NaverPayClient, NaverPayLogger, NaverPayResponse } from './naverpay-client.ts';
import {
  checkApproval,
  decodeRegistrationToken,
  decodeReturn,
  errorForResultCode,
  expectSuccess,
  onetimeCheckoutParams,
  paymentResultFromDetail,
  paymentResultFromHistory,
  productName,
  PROVIDER_ID,
  refundResultFromCancel,
  wireIdempotencyKey,
  type ApprovalMismatch,
} from './naverpay-mapping.ts';
import {
  applyBodySchema,
  cancelBodySchema,
  expireBodySchema,
  NAVERPAY_PATHS,
  payApprovalBodySchema,
  payReserveBodySchema,
  recurrentListBodySchema,
  registApprovalBodySchema,
  REQUESTER_MERCHANT,
  reserveBodySchema,
  SUCCESS_CODE,
  type NaverPayPaymentDetail,
  type SdkCreateOptions,
} from './naverpay-wire.ts';
import { NaverPayHistorySearch } from './naverpay-history.ts';

/** Settings the gateway needs besides the client (all defaults resolved by `index.ts`). */
export interface NaverPayGatewaySettings {
  mode: 'development' | 'production';
  checkoutFlow: 'sdk' | 'reserve';
  /** Public values handed to the browser SDK. */
  clientId: string;
  chainId: string;
  sdkUrl: string;
  /** Hosted payment pages, PC and mobile (`…/payments/{reserveId}`). */
  pageBaseUrl: string;
  mobilePageBaseUrl: string;
  /** `productCode` of recurrent registrations (one registration per NaverPay user and code). */
  productCode: string;
  /** `productName` of the first recurrent charge, made in `approveCheckout` (ApproveInput has no item name). */
  recurrentProductName: string;
  /** How far back `getPayment` searches history by our order key when it has no NaverPay paymentId. */
  historyLookbackMs: number;
}

export interface NaverPayGatewayDeps {
  clock: Clock;
  logger?: NaverPayLogger;
}

const CANCEL_REASON_MAX = 256;

/** Steps of multi-call operations; each gets its own idempotency key derived from the caller's. */
const STEP = {
  regist: 'regist',
  reserve: 'reserve',
  approve: 'approve',
  mismatchCancel: 'mismatch-cancel',
  cleanupExpire: 'cleanup-expire',
  recurrentChain: 'recurrent-chain',
} as const;

/**
 * NaverPay gateway.
 *
 * - One-time checkout, `checkoutFlow: 'sdk'` (default): no server call; `clientLaunch` carries
 *   `{sdkUrl, create, open}` for `Naver.Pay.create(create).open(open)`. `'reserve'`: `v2/reserve`,
 *   then a redirect to the hosted page.
 * - Recurring checkout always uses the server reserve and a redirect
 *   (`…/payments/recurrent/{reserveId}`), also when `checkoutStyle` is `'sdk'`: callers follow
 *   `redirectUrl` whenever `clientLaunch` is null.
 * - `approveCheckout` for recurring: registration approval, then the first period is charged at
 *   once; the result has `billingKey` = recurrentId and `providerRef` = the charge's paymentId.
 * - Refunds and lookups do not know whether a payment was a recurrent charge; they use the
 *   one-time chain id and repeat with the recurrent one when NaverPay answers `InvalidMerchant`.
 */
export class NaverPayGateway implements PaymentGateway {
  readonly id = PROVIDER_ID;
  readonly capabilities: GatewayCapabilities;
  readonly #client: NaverPayClient;
  readonly #settings: NaverPayGatewaySettings;
  readonly #clock: Clock;
  readonly #logger: NaverPayLogger | undefined;
  readonly #history: NaverPayHistorySearch;

  constructor(client: NaverPayClient, settings: NaverPayGatewaySettings, deps: NaverPayGatewayDeps) {
    this.#client = client;
    this.#settings = settings;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#history = new NaverPayHistorySearch(client, (call) => this.#postOnEitherChain(call), settings.historyLookbackMs);
    this.capabilities = {
      partialRefund: true,
      billingKey: true,
      checkoutStyle: settings.checkoutFlow === 'sdk' ? 'sdk' : 'redirect',
      // The paymentId exists only once the user authorized; a registration returns its reserveId.
      returnRef: { onetime: 'assigned', recurring: 'prepared' },
      // A charge retried with the same X-NaverPay-Idempotency-Key is answered from the first.
      idempotentCharge: true,
    };
  }

  // ---- checkout ---------------------------------------------------------------------------

  async prepareCheckout(input: CheckoutInput): Promise<PreparedCheckout> {
    if (input.recurring) return this.#prepareRegistration(input);
    const params = onetimeCheckoutParams(input);
    if (this.#settings.checkoutFlow === 'sdk') {
      const create: SdkCreateOptions = {
        mode: this.#settings.mode,
        clientId: this.#settings.clientId,
        chainId: this.#settings.chainId,
        payType: 'normal',
        openType: 'page',
      };
      const clientLaunch = { sdkUrl: this.#settings.sdkUrl, create, open: params };
      return { providerRef: null, redirectUrl: null, mobileRedirectUrl: null, clientLaunch, expiresAt: null, raw: clientLaunch };
    }
    const response = await this.#client.post({
      path: NAVERPAY_PATHS.reserve,
      fields: { modelVersion: '2', ...params },
      chain: 'onetime',
      idempotencyKey: wireIdempotencyKey(input.idempotencyKey),
    });
    const body = expectSuccess(response.envelope, reserveBodySchema, { operation: 'reserve', moneyCall: false });
    return this.#redirect(body.reserveId, 'payments', response.raw);
  }

  async #prepareRegistration(input: CheckoutInput): Promise<PreparedCheckout> {
    const response = await this.#client.post({
      path: NAVERPAY_PATHS.recurrentRegistReserve,
      fields: {
        actionType: 'NEW',
        productCode: this.#settings.productCode,
        productName: productName(input.itemName),
        // Shown to the user only; registration charges nothing (§1.4).
        totalPayAmount: input.amountKrw,
        returnUrl: input.returnUrl,
      },
      chain: 'recurrent',
      idempotencyKey: wireIdempotencyKey(input.idempotencyKey),
    });
    const body = expectSuccess(response.envelope, reserveBodySchema, { operation: 'recurrent reserve', moneyCall: false });
    return this.#redirect(body.reserveId, 'payments/recurrent', response.raw);
  }

  #redirect(reserveId: string, pagePath: string, raw: unknown): PreparedCheckout {
    // reserveIds contain '+', '/' and '='.
    const segment = encodeURIComponent(reserveId);
    return {
      providerRef: reserveId,
      redirectUrl: `${this.#settings.pageBaseUrl}/${pagePath}/${segment}`,
      mobileRedirectUrl: `${this.#settings.mobilePageBaseUrl}/${pagePath}/${segment}`,
      clientLaunch: null,
      expiresAt: null,
      raw,
    };
  }

  parseReturn(query: Record<string, string | undefined>): ReturnOutcome {
    return decodeReturn(query);
  }

  async approveCheckout(input: ApproveInput): Promise<PaymentResult> {
    if (input.recurring) return this.#approveRegistration(input);
    const key = wireIdempotencyKey(input.idempotencyKey);
    const response = await this.#client.post({
      path: NAVERPAY_PATHS.apply,
      fields: { paymentId: input.providerRef },
      chain: 'onetime',
      idempotencyKey: key,
      long: true,
    });
    const body = expectSuccess(response.envelope, applyBodySchema, { operation: 'approve', moneyCall: true });
    const mismatch = checkApproval(body.detail, { amountKrw: input.amountKrw, merchantPayKey: input.paymentId });
    if (mismatch) await this.#rejectApproval(body.detail, mismatch, 'onetime', input.idempotencyKey);
    return paymentResultFromDetail(body.detail, { billingKey: null, raw: response.raw, now: this.#clock.now() });
  }

  async #approveRegistration(input: ApproveInput): Promise<PaymentResult> {
    const token = decodeRegistrationToken(input.approvalToken);
    if (!token) {
      throw new ProviderRequestError(PROVIDER_ID, 'MissingTempReceiptId', 'recurrent approval needs the reserveId/tempReceiptId token from parseReturn');
    }
    const response = await this.#client.post({
      path: NAVERPAY_PATHS.recurrentRegistApproval,
      fields: { reserveId: token.reserveId, tempReceiptId: token.tempReceiptId },
      chain: 'recurrent',
      idempotencyKey: wireIdempotencyKey(input.idempotencyKey, STEP.regist),
      long: true,
    });
    const { recurrentId } = expectSuccess(response.envelope, registApprovalBodySchema, {
      operation: 'recurrent registration approval',
      moneyCall: true,
    });
    if (input.amountKrw === 0) {
      // Registration only (a new billing key, e.g. to resume auto-renewal): nothing to charge.
      return {
        providerRef: recurrentId,
        status: 'approved',
        amountKrw: input.amountKrw,
        refundableKrw: input.amountKrw,
        methodKind: 'unknown',
        methodLabel: null,
        billingKey: recurrentId,
        orderRef: null,
        occurredAt: this.#clock.now(),
        raw: response.raw,
      };
    }
    try {
      return await this.#charge({
        recurrentId,
        paymentId: input.paymentId,
        userRef: input.userRef,
        itemName: this.#settings.recurrentProductName,
        amountKrw: input.amountKrw,
        baseKey: input.idempotencyKey,
      });
    } catch (error) {
      // A registration whose first charge was refused would block a new registration of the
      // same product for this user; a charge whose outcome is unknown keeps it.
      if (error instanceof ProviderDeclinedError) await this.#expireQuietly(recurrentId, input.idempotencyKey);
      throw error;
    }
  }

  // ---- recurrent charges ------------------------------------------------------------------

  async chargeBillingKey(input: ChargeBillingKeyInput): Promise<PaymentResult> {
    return this.#charge({
      recurrentId: input.billingKey,
      paymentId: input.paymentId,
      userRef: input.userRef,
      itemName: input.itemName,
      amountKrw: input.amountKrw,
      baseKey: input.idempotencyKey,
    });
  }

  async #charge(args: {
    recurrentId: string;
    paymentId: string;
    userRef: string;
    itemName: string;
    amountKrw: Krw;
    baseKey: string;
  }): Promise<PaymentResult> {
    try {
      const reserve = await this.#client.post({
        path: NAVERPAY_PATHS.recurrentPayReserve,
        fields: {
          recurrentId: args.recurrentId,
          totalPayAmount: args.amountKrw,
          taxScopeAmount: args.amountKrw,
          taxExScopeAmount: 0,
          productName: productName(args.itemName),
          merchantPayId: args.paymentId,
          merchantUserId: args.userRef,
        },
        chain: 'recurrent',
        idempotencyKey: wireIdempotencyKey(args.baseKey, STEP.reserve),
      });
      const { paymentId } = expectSuccess(reserve.envelope, payReserveBodySchema, {
        operation: 'recurrent pay reserve',
        moneyCall: true,
      });
      const approval = await this.#client.post({
        path: NAVERPAY_PATHS.recurrentPayApproval,
        fields: { recurrentId: args.recurrentId, paymentId },
        chain: 'recurrent',
        idempotencyKey: wireIdempotencyKey(args.baseKey, STEP.approve),
        long: true,
      });
      const body = expectSuccess(approval.envelope, payApprovalBodySchema, {
        operation: 'recurrent pay approval',
        moneyCall: true,
      });
      // merchantPayKey is not compared: the charge is made server to server with our own id,
      // and what NaverPay echoes there for merchantPayId is not documented.
      const mismatch = checkApproval(body.detail, { amountKrw: args.amountKrw, merchantPayKey: null });
      if (mismatch) await this.#rejectApproval(body.detail, mismatch, 'recurrent', args.baseKey);
      return paymentResultFromDetail(body.detail, {
        billingKey: args.recurrentId,
        raw: { reserve: reserve.raw, approval: approval.raw },
        now: this.#clock.now(),
      });
    } catch (error) {
      // The charge codes for an expired/unknown recurrentId are undocumented (usually `Fail`):
      // ask the registration list to tell "billing key gone" from an ordinary refusal.
      if (error instanceof ProviderDeclinedError && error.reason === 'declined' && (await this.#registrationInactive(args.recurrentId))) {
        throw new ProviderDeclinedError(PROVIDER_ID, error.providerCode, error.message, 'billing_key_inactive', { cause: error });
      }
      throw error;
    }
  }

  async revokeBillingKey(billingKey: string): Promise<void> {
    const response = await this.#client.post({
      path: NAVERPAY_PATHS.recurrentExpire,
      fields: { recurrentId: billingKey, expireRequester: REQUESTER_MERCHANT, expireReason: '가맹점 요청 해지' },
      chain: 'recurrent',
      // The port passes no key; revoking is naturally idempotent per recurrentId.
      idempotencyKey: wireIdempotencyKey(`expire:${billingKey}`),
    });
    if (response.envelope.code === SUCCESS_CODE) {
      expectSuccess(response.envelope, expireBodySchema, { operation: 'recurrent expire', moneyCall: true });
      return;
    }
    // "Already expired" has no code of its own (usually `Fail`); the list says which it was.
    if (await this.#registrationInactive(billingKey)) return;
    throw errorForResultCode(response.envelope.code, response.envelope.message, response.raw);
  }

  /** True when the registration list shows the recurrentId EXPIRED or does not know it; false on doubt. */
  async #registrationInactive(recurrentId: string): Promise<boolean> {
    try {
      const response = await this.#client.post({
        path: NAVERPAY_PATHS.recurrentList,
        fields: { recurrentId, state: 'ALL', pageNumber: 1, rowsPerPage: 20 },
        chain: 'recurrent',
      });
      if (response.envelope.code !== SUCCESS_CODE) return false;
      const body = recurrentListBodySchema.safeParse(response.envelope.body);
      if (!body.success) return false;
      const row = (body.data.list ?? []).find((r) => r.recurrentId === recurrentId);
      return !row || row.recurrentState === 'EXPIRED';
    } catch {
      return false;
    }
  }

  async #expireQuietly(recurrentId: string, baseKey: string): Promise<void> {
    try {
      await this.#client.post({
        path: NAVERPAY_PATHS.recurrentExpire,
        fields: { recurrentId, expireRequester: REQUESTER_MERCHANT, expireReason: '첫 결제 실패' },
        chain: 'recurrent',
        idempotencyKey: wireIdempotencyKey(baseKey, STEP.cleanupExpire),
      });
    } catch (error) {
      this.#logger?.warn({ provider: PROVIDER_ID, error: (error as Error).name }, 'naverpay: could not expire registration after a refused first charge');
    }
  }

  /**
   * What NaverPay approved is not what we ordered (spec §5). A wrong amount is cancelled in full
   * and reported as `amount_mismatch`; if that cancel fails, the outcome is unknown so that
   * reconciliation sees the approved payment. A foreign order key is not cancelled: that
   * approval belongs to the other order, which will find it through `AlreadyComplete`.
   */
  async #rejectApproval(
    detail: NaverPayPaymentDetail,
    mismatch: ApprovalMismatch,
    chain: 'onetime' | 'recurrent',
    baseKey: string,
  ): Promise<never> {
    this.#logger?.warn({ provider: PROVIDER_ID, paymentId: detail.paymentId, mismatch }, 'naverpay approval does not match the order');
    if (mismatch.kind === 'state') {
      throw new ProviderDeclinedError(PROVIDER_ID, `Admission${mismatch.actual}`, '네이버페이 결제가 승인되지 않았습니다.', 'declined');
    }
    if (mismatch.kind === 'order') {
      throw new ProviderDeclinedError(PROVIDER_ID, 'MerchantPayKeyMismatch', '다른 주문의 결제입니다.', 'declined');
    }
    try {
      const response = await this.#client.post({
        path: NAVERPAY_PATHS.cancel,
        fields: {
          paymentId: detail.paymentId,
          cancelAmount: mismatch.actual,
          cancelReason: '결제 금액 불일치',
          cancelRequester: REQUESTER_MERCHANT,
          taxScopeAmount: detail.taxScopeAmount ?? mismatch.actual,
          taxExScopeAmount: detail.taxExScopeAmount ?? 0,
          environmentDepositAmount: detail.environmentDepositAmount || undefined,
        },
        chain,
        idempotencyKey: wireIdempotencyKey(baseKey, STEP.mismatchCancel),
        long: true,
      });
      expectSuccess(response.envelope, cancelBodySchema, { operation: 'mismatch cancel', moneyCall: true });
    } catch (error) {
      throw new ProviderUnavailableError(
        PROVIDER_ID,
        'AmountMismatch',
        `승인 금액(${mismatch.actual})이 주문 금액(${mismatch.expected})과 달라 취소하려 했으나 실패했습니다.`,
        true,
        { cause: error },
      );
    }
    throw new ProviderDeclinedError(
      PROVIDER_ID,
      'AmountMismatch',
      `승인 금액(${mismatch.actual})이 주문 금액(${mismatch.expected})과 달라 결제를 취소했습니다.`,
      'amount_mismatch',
    );
  }

  // ---- refunds ----------------------------------------------------------------------------

  async refund(input: RefundInput): Promise<RefundResult> {
    if (input.amountKrw <= 0) {
      throw new ProviderRequestError(PROVIDER_ID, 'InvalidCancelAmount', 'refund amount must be positive');
    }
    if (input.amountKrw > input.refundableBeforeKrw) {
      throw new ProviderDeclinedError(
        PROVIDER_ID,
        'ExceedsRefundableBefore',
        `환불 가능 금액(${input.refundableBeforeKrw}원)을 넘습니다.`,
        'exceeds_refundable',
      );
    }
    const expectedRest = input.refundableBeforeKrw - input.amountKrw;
    const key = wireIdempotencyKey(input.idempotencyKey);
    const reason = input.reason.trim() === '' ? '가맹점 요청 환불' : input.reason.trim().slice(0, CANCEL_REASON_MAX);
    const response = await this.#postOnEitherChain({
      path: NAVERPAY_PATHS.cancel,
      fields: {
        paymentId: input.providerRef,
        cancelAmount: input.amountKrw,
        cancelReason: reason,
        cancelRequester: REQUESTER_MERCHANT,
        taxScopeAmount: input.amountKrw,
        taxExScopeAmount: 0,
        // Optimistic guard: NaverPay refuses (RestAmountDiff) when our view of the balance is stale.
        doCompareRest: 1,
        expectedRestAmount: expectedRest,
        // Echoed into history rows; lets an operator match a refund row to our request.
        merchantPayTransactionKey: key,
      },
      idempotencyKey: key,
      long: true,
    });
    const { envelope } = response;
    const options = { amountKrw: input.amountKrw, expectedRestKrw: expectedRest, raw: response.raw, now: this.#clock.now() };
    if (envelope.code === 'CancelNotComplete') {
      // Current docs: accepted, NaverPay finishes it by itself; resending would refund twice.
      const body = cancelBodySchema.safeParse(envelope.body);
      if (body.success && body.data) {
        this.#logger?.warn({ provider: PROVIDER_ID, paymentId: input.providerRef }, 'naverpay cancel accepted as CancelNotComplete');
        return refundResultFromCancel(body.data, options);
      }
    }
    const body = expectSuccess(envelope, cancelBodySchema, { operation: 'cancel', moneyCall: true });
    return refundResultFromCancel(body, options);
  }

  /** Calls with the one-time chain id, then with the recurrent one if NaverPay says `InvalidMerchant`. */
  async #postOnEitherChain(call: Omit<NaverPayCall, 'chain'>): Promise<NaverPayResponse> {
    const first = await this.#client.post({ ...call, chain: 'onetime' });
    if (first.envelope.code !== 'InvalidMerchant' || !this.#client.hasDistinctRecurrentChain) return first;
    return this.#client.post({
      ...call,
      chain: 'recurrent',
      // The refused first call may be stored under its key; the second call is a new request.
      idempotencyKey: call.idempotencyKey === undefined ? undefined : wireIdempotencyKey(call.idempotencyKey, STEP.recurrentChain),
    });
  }

  // ---- reconciliation ---------------------------------------------------------------------

  async getPayment(input: LookupInput): Promise<PaymentResult> {
    const now = this.#clock.now();
    if (input.providerRef) {
      const lookup = await this.#history.rowsOf(input.providerRef).catch((error: unknown) => {
        // providerRef may be a reserveId, which NaverPay may reject as a paymentId.
        if (error instanceof ProviderRequestError && error.providerCode === 'InvalidParameter') return null;
        throw error;
      });
      if (lookup && lookup.rows.length > 0) return paymentResultFromHistory(lookup.rows, { raw: lookup.raw, now });
    }
    // No NaverPay paymentId known (SDK checkout not returned, or a recurrent approval that
    // ended unknown while providerRef was still the reserveId): find it by our order key.
    const found = await this.#history.findByOrderKey(input.paymentId, now);
    if (found) {
      const lookup = await this.#history.rowsOf(found);
      if (lookup.rows.length > 0) return paymentResultFromHistory(lookup.rows, { raw: lookup.raw, now });
    }
    throw new ProviderDeclinedError(PROVIDER_ID, 'NotFound', '네이버페이에서 결제를 찾을 수 없습니다.', 'not_found');
  }
}
