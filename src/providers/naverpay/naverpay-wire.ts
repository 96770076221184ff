/**
 * NaverPay 결제형 wire shapes (shared/specs/naverpay.md §2–§4). Provider vocabulary
 * (paymentId, merchantPayKey, reserveId, recurrentId, payHistId, …) stops in this folder.
 *
 * Response schemas are loose: they check the fields the adapter reads and keep every other
 * field, because NaverPay adds fields over time and the raw payload goes to the audit log.
 */
import { z } from 'zod';

/** Path of each endpoint we call, relative to `{baseUrl}/{partnerId}/naverpay/payments/`. */
export const NAVERPAY_PATHS = {
  reserve: 'v2/reserve',
  apply: 'v2.2/apply/payment',
  cancel: 'v1/cancel',
  history: 'v2.2/list/history',
  recurrentRegistReserve: 'recurrent/regist/v1/reserve',
  recurrentRegistApproval: 'recurrent/regist/v1/approval',
  recurrentPayReserve: 'recurrent/pay/v3/reserve',
  recurrentPayApproval: 'recurrent/pay/v3/approval',
  recurrentExpire: 'recurrent/expire/v1/request',
  recurrentList: 'recurrent/v1/list',
} as const;

export type NaverPayPath = (typeof NAVERPAY_PATHS)[keyof typeof NAVERPAY_PATHS];

/** Request body encoding per endpoint (§2.3). */
export const NAVERPAY_ENCODINGS: Readonly<Record<NaverPayPath, 'json' | 'form'>> = {
  'v2/reserve': 'json',
  'v2.2/apply/payment': 'form',
  'v1/cancel': 'form',
  'v2.2/list/history': 'json',
  'recurrent/regist/v1/reserve': 'form',
  'recurrent/regist/v1/approval': 'form',
  'recurrent/pay/v3/reserve': 'form',
  'recurrent/pay/v3/approval': 'form',
  'recurrent/expire/v1/request': 'form',
  'recurrent/v1/list': 'json',
};

export const SUCCESS_CODE = 'Success';

/** Integer KRW; JSON numbers, but tolerate digit strings. */
const amount = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const optionalText = z.string().nullish();

/** `{code, message, body}` (§2.4). `body` is null on many failures. */
export const envelopeSchema = z.looseObject({
  code: z.string(),
  message: z.string().nullish(),
  body: z.unknown().optional(),
});
export type NaverPayEnvelope = z.infer<typeof envelopeSchema>;

/** `body.detail` of an approval (§3.5), also the rows of history (§3.7). */
export const paymentDetailSchema = z.looseObject({
  paymentId: z.string().min(1),
  payHistId: optionalText,
  merchantPayKey: optionalText,
  merchantUserKey: optionalText,
  productName: optionalText,
  admissionTypeCode: optionalText,
  admissionYmdt: optionalText,
  tradeConfirmYmdt: optionalText,
  admissionState: optionalText,
  totalPayAmount: amount,
  primaryPayAmount: amount.nullish(),
  npointPayAmount: amount.nullish(),
  taxScopeAmount: amount.nullish(),
  taxExScopeAmount: amount.nullish(),
  environmentDepositAmount: amount.nullish(),
  primaryPayMeans: optionalText,
  cardCorpCode: optionalText,
  cardNo: optionalText,
  /** Card approval number (승인번호), spec §3.5. */
  cardAuthNo: optionalText,
  bankCorpCode: optionalText,
  bankAccountNo: optionalText,
});
export type NaverPayPaymentDetail = z.infer<typeof paymentDetailSchema>;

export const historyRowSchema = paymentDetailSchema;
export type NaverPayHistoryRow = NaverPayPaymentDetail;

/** `v2/reserve` and `recurrent/regist/v1/reserve`. */
export const reserveBodySchema = z.looseObject({ reserveId: z.string().min(1) });

/** `v2.2/apply/payment`. */
export const applyBodySchema = z.looseObject({ paymentId: z.string().min(1), detail: paymentDetailSchema });

/** `v1/cancel` (§3.6). `payHistId` is empty when the code is `CancelNotComplete`. */
export const cancelBodySchema = z.looseObject({
  paymentId: optionalText,
  payHistId: optionalText,
  cancelYmdt: optionalText,
  totalRestAmount: amount.nullish(),
  primaryPayCancelAmount: amount.nullish(),
  npointCancelAmount: amount.nullish(),
});
export type NaverPayCancelBody = z.infer<typeof cancelBodySchema>;

/** `v2.2/list/history` (§3.7). */
export const historyBodySchema = z.looseObject({
  totalCount: amount.nullish(),
  responseCount: amount.nullish(),
  totalPageCount: amount.nullish(),
  currentPageNumber: amount.nullish(),
  list: z.array(historyRowSchema).nullish(),
});

/** `recurrent/regist/v1/approval`. */
export const registApprovalBodySchema = z.looseObject({
  reserveId: optionalText,
  tempReceiptId: optionalText,
  recurrentId: z.string().min(1),
  actionType: optionalText,
  preRecurrentId: optionalText,
});

/** `recurrent/pay/v3/reserve`. */
export const payReserveBodySchema = z.looseObject({ recurrentId: optionalText, paymentId: z.string().min(1) });

/** `recurrent/pay/v3/approval`. */
export const payApprovalBodySchema = z.looseObject({
  recurrentId: optionalText,
  paymentId: z.string().min(1),
  detail: paymentDetailSchema,
});

/** `recurrent/expire/v1/request`. */
export const expireBodySchema = z.looseObject({ recurrentId: optionalText });

/** `recurrent/v1/list` (§3.8). */
export const recurrentListBodySchema = z.looseObject({
  list: z
    .array(z.looseObject({ recurrentId: z.string(), recurrentState: optionalText, expireYmdt: optionalText }))
    .nullish(),
});

/** `admissionTypeCode` values (§4.7). */
export const ADMISSION_TYPE = { approval: '01', fullCancel: '03', partialCancel: '04' } as const;
export const ADMISSION_STATE = { success: 'SUCCESS', fail: 'FAIL' } as const;
/** `cancelRequester` / `expireRequester`: 2 = merchant admin. */
export const REQUESTER_MERCHANT = '2';

/** Fields of SDK `Naver.Pay.create(options)` (§3.1). */
export interface SdkCreateOptions {
  mode: 'development' | 'production';
  clientId: string;
  chainId: string;
  payType: 'normal' | 'recurrent';
  openType: 'page' | 'popup';
}

export interface ProductItem {
  categoryType: string;
  categoryId: string;
  uid: string;
  name: string;
  count: number;
}

/** Fields of SDK `oPay.open(params)` for one-time payments, and of `v2/reserve` (§3.1, §3.3). */
export interface OnetimeCheckoutParams {
  merchantPayKey: string;
  merchantUserKey: string;
  productName: string;
  productCount: number;
  totalPayAmount: number;
  taxScopeAmount: number;
  taxExScopeAmount: number;
  returnUrl: string;
  productItems: ProductItem[];
}

/** Query parameters NaverPay appends to the return URL (§3.2, §3.8). */
export interface ReturnQuery {
  resultCode?: string;
  resultMessage?: string;
  paymentId?: string;
  reserveId?: string;
  tempReceiptId?: string;
}
