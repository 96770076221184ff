/**
 * Messages of the checkout (/api/payment/:method/*) and of the payment history (/api/payments):
 * one zod schema each; the web app imports the inferred types.
 */
import { z } from 'zod';
import { PAYMENT_KINDS } from '../../domain/payment/payment-states.ts';
import { PAYMENT_OUTCOMES } from '../../domain/payment/checkout-expiry.ts';
import { SubscriptionStatusView } from './plan-schemas.ts';

export const MethodParams = z.object({ method: z.string().min(1).max(32) });

/** Documents the optional Idempotency-Key (checked by plugins/idempotency.ts). */
export const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().optional() });

export const ReadyBody = z.object({
  plan: z.string().min(1).max(32),
  /** Ignored for pricing; a value different from the plan's price is refused. */
  amount: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  auto_renew: z.boolean().default(true),
  /**
   * The version id of the 주문 내용 확인 및 결제 동의 text the user agreed to (GET /api/legal,
   * document `order`). Required: without it CONSENT_REQUIRED, an old one CONSENT_OUTDATED.
   */
  order_consent_version: z.string().max(64).optional(),
});

/** Approve body: our payment id plus whatever the provider handed the browser. */
export const ApproveBody = z
  .object({ payment_id: z.string().min(1).max(64).optional() })
  .catchall(z.union([z.string().max(512), z.number()]).transform(String));

/** The provider's redirect back to us: our payment id, and the provider's own parameters. */
export const ReturnQuery = z
  .object({ payment_id: z.string().min(1).max(64), outcome: z.enum(['cancel', 'fail']).optional() })
  .catchall(z.string().max(512));

/** How the browser opens the provider's payment window. */
export const CheckoutLaunch = z.union([
  z.object({ style: z.literal('redirect'), redirect_url: z.string(), mobile_redirect_url: z.string().nullable() }),
  /** The provider's browser SDK, with its own parameters. */
  z.looseObject({ style: z.literal('sdk') }),
]);
export type CheckoutLaunch = z.infer<typeof CheckoutLaunch>;

export const ReadyResponse = z.object({
  payment_id: z.string(),
  plan: z.string(),
  amount_krw: z.int(),
  vat_krw: z.int(),
  auto_renew: z.boolean(),
  expires_at: z.string().nullable(),
  checkout: CheckoutLaunch,
  /** KakaoPay only, kept for the source document's API. */
  tid: z.string().optional(),
  payment_url: z.string().optional(),
  mobile_url: z.string().nullable().optional(),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;

export const PaymentView = z.object({
  id: z.string(),
  plan: z.string(),
  plan_name: z.string(),
  provider: z.string(),
  provider_name: z.string(),
  kind: z.enum(PAYMENT_KINDS),
  status: z.string(),
  amount_krw: z.int(),
  vat_krw: z.int(),
  supply_krw: z.int(),
  refunded_krw: z.int(),
  method_kind: z.string().nullable(),
  method_label: z.string().nullable(),
  period_start: z.string().nullable(),
  period_end: z.string().nullable(),
  approved_at: z.string().nullable(),
  created_at: z.string(),
  failure_code: z.string().nullable(),
  failure_message: z.string().nullable(),
  /**
   * What the attempt means to the subscriber (issue 11 item 5): paid / partially_refunded /
   * refunded took money; pending and processing are open; declined, canceled, superseded and
   * expired took none and owe none.
   */
  outcome: z.enum(PAYMENT_OUTCOMES),
});
export type PaymentView = z.infer<typeof PaymentView>;

export const ApproveResponse = z.object({
  outcome: z.enum(['approved', 'canceled', 'failed', 'pending']),
  payment: PaymentView,
  subscription: SubscriptionStatusView,
});
export type ApproveResponse = z.infer<typeof ApproveResponse>;

export const PaymentsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.iso.datetime().optional(),
});

export const PaymentParams = z.object({ id: z.string() });

export const PaymentsResponse = z.object({
  payments: z.array(PaymentView),
  next_before: z.string().nullable(),
});
export type PaymentsResponse = z.infer<typeof PaymentsResponse>;
