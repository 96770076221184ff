import { z } from 'zod';

// KakaoPay's own request/response shapes (spec shared/specs/kakaopay.md §4–§6). Field names
// are the provider's; nothing outside src/providers/kakaopay/ sees them.

/** Which KakaoPay API generation to speak (spec §1). */
export type KakaoPayApi = 'current' | 'legacy';

/** Logical wire operations; the same set exists in both generations. */
export type KakaoPayOperation = 'ready' | 'approve' | 'cancel' | 'order' | 'subscription' | 'inactive' | 'status';

/** Path suffix after `/online/v1/payment/` (current) or `/v1/payment/` (legacy). */
export const KAKAOPAY_OPERATION_PATHS: Readonly<Record<KakaoPayOperation, string>> = {
  ready: 'ready',
  approve: 'approve',
  cancel: 'cancel',
  order: 'order',
  subscription: 'subscription',
  inactive: 'manage/subscription/inactive',
  status: 'manage/subscription/status',
};

/** Path prefix per generation. */
export const KAKAOPAY_PATH_PREFIX: Readonly<Record<KakaoPayApi, string>> = {
  current: '/online/v1/payment/',
  legacy: '/v1/payment/',
};

// ---------------------------------------------------------------------------------------------
// Requests. `cid_secret` is added by the client when configured, so it is not listed here.

/** Ready (spec §4.1). */
export interface KakaoPayReadyRequest {
  cid: string;
  partner_order_id: string;
  partner_user_id: string;
  item_name: string;
  quantity: number;
  total_amount: number;
  tax_free_amount: number;
  vat_amount: number;
  approval_url: string;
  cancel_url: string;
  fail_url: string;
}

/** Approve (spec §4.2). */
export interface KakaoPayApproveRequest {
  cid: string;
  tid: string;
  partner_order_id: string;
  partner_user_id: string;
  pg_token: string;
  total_amount: number;
}

/** Cancel, full or partial (spec §4.4). */
export interface KakaoPayCancelRequest {
  cid: string;
  tid: string;
  cancel_amount: number;
  cancel_tax_free_amount: number;
  cancel_vat_amount: number;
  /** The remainder we believe is cancellable, including this request (optimistic guard). */
  cancel_available_amount: number;
}

/** Order lookup (spec §4.3). */
export interface KakaoPayOrderRequest {
  cid: string;
  tid: string;
}

/** Subscription charge with a SID (spec §4.5). */
export interface KakaoPaySubscriptionRequest {
  cid: string;
  sid: string;
  partner_order_id: string;
  partner_user_id: string;
  item_name: string;
  quantity: number;
  total_amount: number;
  tax_free_amount: number;
  vat_amount: number;
}

/** SID inactivate / status (spec §4.6, §4.7). */
export interface KakaoPaySidRequest {
  cid: string;
  sid: string;
}

// ---------------------------------------------------------------------------------------------
// Responses. Lenient where the spec is only [C3]/[I]: unknown fields are kept in `raw` by the
// client, optional fields stay optional, and integers may arrive as numeric strings.

const wireInt = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^\s*-?\d+\s*$/)
    .transform((s) => Number(s)),
]);

/** KST local time `YYYY-MM-DDTHH:mm:ss`, no offset (spec §2). */
const kstDateTime = z.string();

/** `amount`, `canceled_amount`, `cancel_available_amount`, `approved_cancel_amount` (spec §5.1). */
export const kakaoPayAmountSchema = z.object({
  total: wireInt,
  tax_free: wireInt.optional(),
  vat: wireInt.optional(),
  point: wireInt.optional(),
  discount: wireInt.optional(),
  green_deposit: wireInt.optional(),
});
export type KakaoPayAmount = z.infer<typeof kakaoPayAmountSchema>;

/** `card_info` of approve/subscription (spec §5.2); legacy adds the un-prefixed corp fields. */
export const kakaoPayCardInfoSchema = z.object({
  kakaopay_purchase_corp: z.string().optional(),
  kakaopay_purchase_corp_code: z.string().optional(),
  kakaopay_issuer_corp: z.string().optional(),
  kakaopay_issuer_corp_code: z.string().optional(),
  purchase_corp: z.string().optional(),
  purchase_corp_code: z.string().optional(),
  issuer_corp: z.string().optional(),
  issuer_corp_code: z.string().optional(),
  bin: z.string().optional(),
  card_type: z.string().optional(),
  install_month: z.union([z.string(), z.number()]).optional(),
  approved_id: z.string().optional(),
  card_mid: z.string().optional(),
  interest_free_install: z.string().optional(),
  installment_type: z.string().optional(),
  card_item_code: z.string().optional(),
});
export type KakaoPayCardInfo = z.infer<typeof kakaoPayCardInfoSchema>;

/** `selected_card_info` of order lookup (spec §4.3). */
export const kakaoPaySelectedCardInfoSchema = z.object({
  card_bin: z.string().optional(),
  install_month: z.union([z.string(), z.number()]).optional(),
  installment_type: z.string().optional(),
  card_corp_name: z.string().optional(),
  interest_free_install: z.string().optional(),
});
export type KakaoPaySelectedCardInfo = z.infer<typeof kakaoPaySelectedCardInfoSchema>;

/** `CARD` | `MONEY`; kept as a string so a new method type does not break parsing. */
const paymentMethodType = z.string();

export const kakaoPayReadyResponseSchema = z.object({
  tid: z.string().min(1),
  next_redirect_app_url: z.string().optional(),
  next_redirect_mobile_url: z.string().optional(),
  next_redirect_pc_url: z.string().optional(),
  android_app_scheme: z.string().optional(),
  ios_app_scheme: z.string().optional(),
  tms_result: z.boolean().optional(),
  created_at: kstDateTime,
});
export type KakaoPayReadyResponse = z.infer<typeof kakaoPayReadyResponseSchema>;

/** Approve and subscription-charge response (spec §4.2, §4.5): same shape. */
export const kakaoPayApproveResponseSchema = z.object({
  aid: z.string().optional(),
  tid: z.string().min(1),
  cid: z.string().optional(),
  sid: z.string().nullish(),
  partner_order_id: z.string().optional(),
  partner_user_id: z.string().optional(),
  payment_method_type: paymentMethodType.nullish(),
  amount: kakaoPayAmountSchema,
  card_info: kakaoPayCardInfoSchema.nullish(),
  item_name: z.string().optional(),
  item_code: z.string().nullish(),
  quantity: wireInt.optional(),
  created_at: kstDateTime.nullish(),
  approved_at: kstDateTime.nullish(),
  payload: z.string().nullish(),
});
export type KakaoPayApproveResponse = z.infer<typeof kakaoPayApproveResponseSchema>;

export const kakaoPayCancelResponseSchema = z.object({
  aid: z.string().optional(),
  tid: z.string().min(1),
  cid: z.string().optional(),
  status: z.string(),
  partner_order_id: z.string().optional(),
  partner_user_id: z.string().optional(),
  payment_method_type: paymentMethodType.nullish(),
  amount: kakaoPayAmountSchema.optional(),
  approved_cancel_amount: kakaoPayAmountSchema.optional(),
  canceled_amount: kakaoPayAmountSchema.optional(),
  cancel_available_amount: kakaoPayAmountSchema,
  item_name: z.string().optional(),
  quantity: wireInt.optional(),
  created_at: kstDateTime.nullish(),
  approved_at: kstDateTime.nullish(),
  canceled_at: kstDateTime.nullish(),
  payload: z.string().nullish(),
});
export type KakaoPayCancelResponse = z.infer<typeof kakaoPayCancelResponseSchema>;

export const kakaoPayPaymentActionSchema = z.object({
  aid: z.string().optional(),
  approved_at: kstDateTime.nullish(),
  amount: wireInt.optional(),
  point_amount: wireInt.optional(),
  discount_amount: wireInt.optional(),
  green_deposit: wireInt.optional(),
  payment_action_type: z.string().optional(),
  payment_method_type: paymentMethodType.nullish(),
  payload: z.string().nullish(),
});

export const kakaoPayOrderResponseSchema = z.object({
  tid: z.string().min(1),
  cid: z.string().optional(),
  status: z.string(),
  partner_order_id: z.string().optional(),
  partner_user_id: z.string().optional(),
  payment_method_type: paymentMethodType.nullish(),
  amount: kakaoPayAmountSchema,
  canceled_amount: kakaoPayAmountSchema.nullish(),
  cancel_available_amount: kakaoPayAmountSchema.nullish(),
  item_name: z.string().optional(),
  item_code: z.string().nullish(),
  quantity: wireInt.optional(),
  created_at: kstDateTime.nullish(),
  approved_at: kstDateTime.nullish(),
  canceled_at: kstDateTime.nullish(),
  selected_card_info: kakaoPaySelectedCardInfoSchema.nullish(),
  payment_action_details: z.array(kakaoPayPaymentActionSchema).nullish(),
});
export type KakaoPayOrderResponse = z.infer<typeof kakaoPayOrderResponseSchema>;

/** SID inactivate response (spec §4.6). */
export const kakaoPayInactiveResponseSchema = z.object({
  cid: z.string().optional(),
  sid: z.string().min(1),
  status: z.string(),
  created_at: kstDateTime.nullish(),
  last_approved_at: kstDateTime.nullish(),
  inactivated_at: kstDateTime.nullish(),
});
export type KakaoPayInactiveResponse = z.infer<typeof kakaoPayInactiveResponseSchema>;

/** SID status response (spec §4.7). */
export const kakaoPaySidStatusResponseSchema = z.object({
  available: z.boolean(),
  cid: z.string().optional(),
  sid: z.string().min(1),
  status: z.string(),
  payment_method_type: paymentMethodType.nullish(),
  item_name: z.string().nullish(),
  created_at: kstDateTime.nullish(),
  last_approved_at: kstDateTime.nullish(),
  inactivated_at: kstDateTime.nullish(),
});
export type KakaoPaySidStatusResponse = z.infer<typeof kakaoPaySidStatusResponseSchema>;

/** Request type per operation. */
export interface KakaoPayRequests {
  ready: KakaoPayReadyRequest;
  approve: KakaoPayApproveRequest;
  cancel: KakaoPayCancelRequest;
  order: KakaoPayOrderRequest;
  subscription: KakaoPaySubscriptionRequest;
  inactive: KakaoPaySidRequest;
  status: KakaoPaySidRequest;
}

/** Parsed success body per operation. */
export interface KakaoPayResponses {
  ready: KakaoPayReadyResponse;
  approve: KakaoPayApproveResponse;
  cancel: KakaoPayCancelResponse;
  order: KakaoPayOrderResponse;
  subscription: KakaoPayApproveResponse;
  inactive: KakaoPayInactiveResponse;
  status: KakaoPaySidStatusResponse;
}

/** Success-body schema per operation. */
export const KAKAOPAY_RESPONSE_SCHEMAS: { readonly [K in KakaoPayOperation]: z.ZodType<KakaoPayResponses[K]> } = {
  ready: kakaoPayReadyResponseSchema,
  approve: kakaoPayApproveResponseSchema,
  cancel: kakaoPayCancelResponseSchema,
  order: kakaoPayOrderResponseSchema,
  subscription: kakaoPayApproveResponseSchema,
  inactive: kakaoPayInactiveResponseSchema,
  status: kakaoPaySidStatusResponseSchema,
};

// ---------------------------------------------------------------------------------------------
// Errors (spec §6.1).

/** `extras` of an error envelope: the payment method's own result. */
export const kakaoPayErrorExtrasSchema = z
  .object({
    method_result_code: z.string().optional(),
    method_result_message: z.string().optional(),
  })
  .catchall(z.unknown());
export type KakaoPayErrorExtras = z.infer<typeof kakaoPayErrorExtrasSchema>;

/** Current API: `{error_code, error_message, extras?}`. */
export const kakaoPayCurrentErrorSchema = z.object({
  error_code: wireInt,
  error_message: z.string().nullish(),
  extras: kakaoPayErrorExtrasSchema.nullish(),
});

/** Legacy API: `{code, msg, extras?}`. */
export const kakaoPayLegacyErrorSchema = z.object({
  code: wireInt,
  msg: z.string().nullish(),
  extras: kakaoPayErrorExtrasSchema.nullish(),
});

/** Either envelope, normalized. */
export interface KakaoPayErrorEnvelope {
  code: number;
  message: string;
  extras: KakaoPayErrorExtras | null;
}

/**
 * Reads an error body in either envelope (a proxy in front of either host may answer in the
 * other one). Returns null when the body is neither.
 */
export function parseKakaoPayErrorEnvelope(body: unknown): KakaoPayErrorEnvelope | null {
  const current = kakaoPayCurrentErrorSchema.safeParse(body);
  if (current.success) {
    return {
      code: current.data.error_code,
      message: current.data.error_message ?? '',
      extras: current.data.extras ?? null,
    };
  }
  const legacy = kakaoPayLegacyErrorSchema.safeParse(body);
  if (legacy.success) {
    return { code: legacy.data.code, message: legacy.data.msg ?? '', extras: legacy.data.extras ?? null };
  }
  return null;
}

/** Payment statuses of order lookup and cancel (spec §3.3). */
export const KAKAOPAY_PAYMENT_STATUSES = [
  'READY',
  'SEND_TMS',
  'OPEN_PAYMENT',
  'SELECT_METHOD',
  'ARS_WAITING',
  'AUTH_PASSWORD',
  'ISSUED_SID',
  'SUCCESS_PAYMENT',
  'PART_CANCEL_PAYMENT',
  'CANCEL_PAYMENT',
  'FAIL_AUTH_PASSWORD',
  'QUIT_PAYMENT',
  'FAIL_PAYMENT',
] as const;
export type KakaoPayPaymentStatus = (typeof KAKAOPAY_PAYMENT_STATUSES)[number];
