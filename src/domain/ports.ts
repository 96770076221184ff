import type { Krw } from './money.ts';
import type { Role } from './records.ts';

/** The only source of "now" in the service. Tests and the sandbox test clock swap it. */
export interface Clock {
  now(): Date;
}

/** Prefixed random ids (`pay_…`, `sub_…`). */
export interface IdGenerator {
  next(prefix: string): string;
}

/** Normalized payment status as a provider reports it. */
export type ProviderPaymentStatus =
  | 'pending' // created / user has not finished authorizing
  | 'authorized' // user authorized, waiting for our approve call
  | 'approved'
  | 'partially_refunded'
  | 'refunded'
  | 'declined'
  | 'abandoned'; // user quit or the checkout expired

export type PaymentMethodKind = 'card' | 'money' | 'bank' | 'point' | 'unknown';

/** Where the provider sends the browser after the user approves / cancels / fails. */
export interface CheckoutReturnUrls {
  returnUrl: string;
  cancelUrl: string;
  failUrl: string;
}

/** The return URLs of one payment attempt; built by the HTTP layer, which owns the paths. */
export type CheckoutReturnUrlBuilder = (provider: string, paymentId: string) => CheckoutReturnUrls;

export interface CheckoutInput extends CheckoutReturnUrls {
  /** Our payment id; becomes the provider's order key (partner_order_id / merchantPayKey). */
  paymentId: string;
  /** Our user id; becomes partner_user_id / merchantUserKey. Never personal data. */
  userRef: string;
  itemName: string;
  /** Total charged, VAT included. */
  amountKrw: Krw;
  vatKrw: Krw;
  /** Ask the provider for a billing key usable for later charges without the user. */
  recurring: boolean;
  idempotencyKey: string;
}

/** What the browser needs to continue the checkout at the provider. */
export interface PreparedCheckout {
  /** Provider's id for this checkout when one exists already (KakaoPay tid, NaverPay reserveId). */
  providerRef: string | null;
  /** Full-page redirect targets, when the provider uses redirects. */
  redirectUrl: string | null;
  mobileRedirectUrl: string | null;
  /** Parameters for a provider browser SDK, when the provider uses one. */
  clientLaunch: Record<string, unknown> | null;
  expiresAt: Date | null;
  /**
   * Fields the provider's own API documents for this step, echoed as they are in the answer
   * to the browser (named and filled by the adapter; absent when there are none).
   */
  echo?: Readonly<Record<string, string | null>>;
  raw: unknown;
}

/** What came back on our return URL, decoded by the adapter. */
export type ReturnOutcome =
  | { outcome: 'authorized'; providerRef: string | null; approvalToken: string | null }
  | { outcome: 'canceled'; reason: string }
  | { outcome: 'failed'; reason: string };

export interface ApproveInput {
  paymentId: string;
  userRef: string;
  /** Checkout reference known from prepare or the return (tid, NaverPay paymentId). */
  providerRef: string;
  approvalToken: string | null;
  amountKrw: Krw;
  recurring: boolean;
  idempotencyKey: string;
}

export interface PaymentResult {
  providerRef: string;
  status: ProviderPaymentStatus;
  amountKrw: Krw;
  /** Amount the provider still allows to refund. */
  refundableKrw: Krw;
  methodKind: PaymentMethodKind;
  /** Masked card or account label, safe to show. */
  methodLabel: string | null;
  billingKey: string | null;
  /** The provider's order key echoed back (our payment id), when reported. */
  orderRef: string | null;
  /**
   * The card approval number (승인번호) of a card payment, when the provider reports it
   * (KakaoPay `card_info.approved_id`, NaverPay `cardAuthNo`); not the transaction id.
   */
  approvalNo?: string | null;
  occurredAt: Date;
  raw: unknown;
}

export interface LookupInput {
  paymentId: string;
  providerRef: string | null;
  /**
   * For a billing-key charge whose answer was lost (no providerRef): the key it was made with
   * and when it was attempted, so an adapter without an order-key lookup can ask the
   * provider's billing-key status instead.
   */
  billingKey?: string | null;
  attemptedAt?: Date | null;
  /** The amount that charge asked for; reported back when the provider's answer has none. */
  expectedAmountKrw?: Krw;
}

export interface RefundInput {
  paymentId: string;
  providerRef: string;
  amountKrw: Krw;
  vatKrw: Krw;
  /** What we believe is refundable before this refund (optimistic guard at the provider). */
  refundableBeforeKrw: Krw;
  reason: string;
  idempotencyKey: string;
}

export interface RefundResult {
  providerRefundRef: string | null;
  amountKrw: Krw;
  remainingKrw: Krw;
  occurredAt: Date;
  raw: unknown;
}

export interface ChargeBillingKeyInput {
  paymentId: string;
  userRef: string;
  billingKey: string;
  itemName: string;
  amountKrw: Krw;
  vatKrw: Krw;
  idempotencyKey: string;
}

export interface GatewayCapabilities {
  partialRefund: boolean;
  billingKey: boolean;
  /** 'redirect': send the browser to redirectUrl; 'sdk': run the provider's browser SDK with clientLaunch. */
  checkoutStyle: 'redirect' | 'sdk';
  /**
   * Which provider reference the browser's return carries, for a one-time checkout and for a
   * billing-key registration. 'prepared': the one `prepareCheckout` returned (KakaoPay's tid,
   * NaverPay's registration reserveId); an approval uses exactly that one. 'assigned': one the
   * provider assigns when the user authorizes (NaverPay's paymentId); our first approval binds
   * it to the payment, and later approvals must carry the same.
   */
  returnRef: { onetime: 'prepared' | 'assigned'; recurring: 'prepared' | 'assigned' };
  /**
   * True when a billing-key charge sent again with the same idempotency key is answered from
   * the first attempt (NaverPay). False (KakaoPay): a repeated charge is a second charge, so a
   * charge with an unknown outcome is not repeated while the first may still commit.
   */
  idempotentCharge: boolean;
}

/**
 * One payment provider. Methods take and return domain types only; provider
 * vocabulary stays in the adapter. Every method throws `ProviderDeclinedError`,
 * `ProviderUnavailableError` (retryable; `outcomeUnknown` after a money call
 * timed out), `ProviderRequestError` or `ProviderConfigError`.
 */
export interface PaymentGateway {
  readonly id: string;
  readonly capabilities: GatewayCapabilities;
  prepareCheckout(input: CheckoutInput): Promise<PreparedCheckout>;
  /** Decodes the query string the provider appended to our return URL. */
  parseReturn(query: Record<string, string | undefined>): ReturnOutcome;
  approveCheckout(input: ApproveInput): Promise<PaymentResult>;
  /** Reconciliation: the provider's current view of a payment. */
  getPayment(input: LookupInput): Promise<PaymentResult>;
  refund(input: RefundInput): Promise<RefundResult>;
  chargeBillingKey(input: ChargeBillingKeyInput): Promise<PaymentResult>;
  revokeBillingKey(billingKey: string): Promise<void>;
}

/** Finds a provider by the `{method}` path segment (`kakaopay`, `naverpay`). */
export interface GatewayRegistry {
  get(method: string): PaymentGateway | undefined;
  list(): PaymentGateway[];
}

/** One e-mail of the notice outbox. */
export interface NoticeMessage {
  to: string;
  subject: string;
  /** Plain text (Korean), UTF-8. */
  text: string;
  /** Stable per notice, so a resend after a lost answer can be recognised. */
  messageId: string;
  date: Date;
}

/**
 * Delivers notices (SMTP in production; the sandbox mailbox keeps them in the outbox only).
 * Throws when the message was not accepted; the outbox tries again later.
 */
export interface NoticeSender {
  /** Recorded on the notice: 'smtp', 'mailbox'. */
  readonly channel: string;
  /** False when delivery needs no address (the mailbox shows notices of users without e-mail too). */
  readonly needsAddress: boolean;
  send(message: NoticeMessage): Promise<void>;
}

/** One-way password hashing (scrypt in production). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

/** Our own bearer tokens. */
export interface TokenIssuer {
  issue(subject: { userId: string; role: Role }): Promise<{ token: string; expiresAt: Date }>;
}
