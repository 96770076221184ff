import { ProviderDeclinedError, ProviderError, ProviderRequestError } from '../../domain/errors.ts';
import type {
  ApproveInput,
  ChargeBillingKeyInput,
  CheckoutInput,
  GatewayCapabilities,
  LookupInput,
  PaymentGateway,
  PaymentResult,
  PreparedCheckout,
  RefundInput,
  RefundResult,
  ReturnOutcome,
} from '../../domain/ports.ts';
import type { KakaoPayClient } from './kakaopay-client.ts';
import {
  fromApproveResponse,
  fromCancelResponse,
  fromOrderResponse,
  fromReadyResponse,
  fromReturnQuery,
  fromSidStatusForCharge,
  KAKAOPAY_PROVIDER,
  toApproveRequest,
  toCancelRequest,
  toReadyRequest,
  toSubscriptionRequest,
} from './kakaopay-mapping.ts';

export interface KakaoPayGatewayOptions {
  /** CID for one-time payments (`TC0ONETIME` in test). */
  cid: string;
  /** CID for recurring payments; approve then issues a SID (`TCSUBSCRIP` in test). */
  subscriptionCid: string;
  /** How long a tid stays approvable after ready, for `PreparedCheckout.expiresAt`. */
  tidLifetimeMs: number;
}

/** Clock skew allowed between us and KakaoPay when matching a SID's last approval to an attempt. */
const SID_STATUS_CLOCK_SLACK_MS = 60_000;

/** Codes meaning "this tid is not known under that CID": nothing was processed. */
const WRONG_CID_CODES: ReadonlySet<string> = new Set(['-731', '-721']);

/**
 * KakaoPay as a `PaymentGateway`: redirect checkout (ready → user → approve with pg_token),
 * partial refunds (cancel) and billing keys (SID; subscription charge; inactivate).
 *
 * KakaoPay has no idempotency-key header; the tid (approve, cancel) and our payment id as
 * `partner_order_id` are the keys, so `idempotencyKey` inputs are not sent.
 *
 * Which CID a tid belongs to: payments are made with `cid`, or with `subscriptionCid` when
 * `recurring` (and every billing-key charge). Calls that only have a tid (order lookup and
 * cancel) try `cid` first and, if KakaoPay answers -731 (CID mismatch) or -721 (tid unknown
 * under that CID) — both rejected without processing — repeat once with `subscriptionCid`.
 * Nothing extra is encoded into `providerRef`.
 */
export class KakaoPayGateway implements PaymentGateway {
  readonly id = KAKAOPAY_PROVIDER;
  readonly capabilities: GatewayCapabilities = {
    partialRefund: true,
    billingKey: true,
    checkoutStyle: 'redirect',
    returnRef: { onetime: 'prepared', recurring: 'prepared' },
    // No idempotency key on the subscription charge: sending it again charges again.
    idempotentCharge: false,
  };

  constructor(
    private readonly client: KakaoPayClient,
    private readonly options: KakaoPayGatewayOptions,
  ) {}

  /** Ready. `providerRef` is the tid; `expiresAt` = ready time + tid lifetime. */
  async prepareCheckout(input: CheckoutInput): Promise<PreparedCheckout> {
    const { body, raw } = await this.client.call('ready', toReadyRequest(input, this.cidFor(input.recurring)));
    return fromReadyResponse(body, raw, this.options.tidLifetimeMs);
  }

  /** `pg_token` on our approval URL → authorized; anything else → failed `no_pg_token`. */
  parseReturn(query: Record<string, string | undefined>): ReturnOutcome {
    return fromReturnQuery(query);
  }

  /**
   * Approve with the pg_token. The result's `billingKey` is the SID when `recurring`.
   * A timeout throws `ProviderUnavailableError` with `outcomeUnknown`; use `getPayment`.
   */
  async approveCheckout(input: ApproveInput): Promise<PaymentResult> {
    if (!input.approvalToken) {
      throw new ProviderRequestError(KAKAOPAY_PROVIDER, 'missing_pg_token', 'kakaopay: approve needs the pg_token');
    }
    const request = toApproveRequest(input, this.cidFor(input.recurring), input.approvalToken);
    const { body, raw } = await this.client.call('approve', request);
    return fromApproveResponse(body, raw);
  }

  /**
   * Order lookup by tid (CID chosen as described on the class). `billingKey` is always null.
   * Without a tid, a subscription charge (given `billingKey`, `attemptedAt` and
   * `expectedAmountKrw`) is looked up through the SID status (see `fromSidStatusForCharge`).
   */
  async getPayment(input: LookupInput): Promise<PaymentResult> {
    const tid = input.providerRef;
    if (!tid && input.billingKey && input.attemptedAt && input.expectedAmountKrw !== undefined) {
      const { body, raw } = await this.client.call('status', { cid: this.options.subscriptionCid, sid: input.billingKey });
      return fromSidStatusForCharge(body, raw, {
        attemptedAt: input.attemptedAt,
        amountKrw: input.expectedAmountKrw,
        clockSlackMs: SID_STATUS_CLOCK_SLACK_MS,
      });
    }
    if (!tid) {
      throw new ProviderRequestError(KAKAOPAY_PROVIDER, 'missing_tid', 'kakaopay: order lookup needs the tid');
    }
    const { body, raw } = await this.withCidFallback((cid, routine) => this.client.call('order', { cid, tid }, routine));
    return fromOrderResponse(body, raw);
  }

  /**
   * Cancel (full or partial). `refundableBeforeKrw` goes out as `cancel_available_amount`, so a
   * stale view is rejected (`amount_mismatch`) instead of over-refunding.
   */
  async refund(input: RefundInput): Promise<RefundResult> {
    const { body, raw } = await this.withCidFallback((cid, routine) => this.client.call('cancel', toCancelRequest(input, cid), routine));
    return fromCancelResponse(body, raw, input.amountKrw);
  }

  /** Subscription charge with the SID; returns the new tid as `providerRef`. */
  async chargeBillingKey(input: ChargeBillingKeyInput): Promise<PaymentResult> {
    const request = toSubscriptionRequest(input, this.options.subscriptionCid);
    const { body, raw } = await this.client.call('subscription', request);
    const result = fromApproveResponse(body, raw);
    return { ...result, billingKey: result.billingKey ?? input.billingKey };
  }

  /** Inactivates the SID. Already inactive (-751, or a 200 with INACTIVE) counts as done. */
  async revokeBillingKey(billingKey: string): Promise<void> {
    try {
      await this.client.call('inactive', { cid: this.options.subscriptionCid, sid: billingKey });
    } catch (error) {
      if (error instanceof ProviderDeclinedError && error.reason === 'billing_key_inactive') return;
      throw error;
    }
  }

  private cidFor(recurring: boolean): string {
    return recurring ? this.options.subscriptionCid : this.options.cid;
  }

  private async withCidFallback<T>(call: (cid: string, routineCodes?: ReadonlySet<string>) => Promise<T>): Promise<T> {
    // A -731/-721 under the first CID is the routine case for subscription tids: info, not error.
    const fallback = this.options.subscriptionCid !== this.options.cid;
    try {
      return await call(this.options.cid, fallback ? WRONG_CID_CODES : undefined);
    } catch (first) {
      if (!isWrongCid(first) || this.options.subscriptionCid === this.options.cid) throw first;
      try {
        return await call(this.options.subscriptionCid);
      } catch (second) {
        // Unknown under both CIDs: "no such tid" (-721) if either said so, else the first -731.
        if (!isWrongCid(second)) throw second;
        throw (second as ProviderError).providerCode === '-721' ? second : first;
      }
    }
  }
}

function isWrongCid(error: unknown): boolean {
  return error instanceof ProviderError && WRONG_CID_CODES.has(error.providerCode);
}
