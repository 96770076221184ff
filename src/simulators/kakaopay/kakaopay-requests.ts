import { ParamReader } from './kakaopay-params.ts';
import { PAYMENT_METHOD_TYPES, type PaymentMethodType } from './kakaopay-states.ts';

/** Ready request (spec §4.1). */
export interface ReadyInput {
  cid: string;
  partner_order_id: string;
  partner_user_id: string;
  item_name: string;
  item_code: string | undefined;
  quantity: number;
  total_amount: number;
  tax_free_amount: number;
  vat_amount: number | undefined;
  green_deposit: number | undefined;
  approval_url: string;
  cancel_url: string;
  fail_url: string;
  available_cards: string[] | undefined;
  payment_method_type: PaymentMethodType | undefined;
  install_month: number | undefined;
  custom_json: Record<string, string> | undefined;
}

/** Approve request (spec §4.2). */
export interface ApproveInput {
  cid: string;
  tid: string;
  partner_order_id: string;
  partner_user_id: string;
  pg_token: string;
  payload: string | undefined;
  total_amount: number | undefined;
}

/** Cancel request (spec §4.4). */
export interface CancelInput {
  cid: string;
  tid: string;
  cancel_amount: number;
  cancel_tax_free_amount: number;
  cancel_vat_amount: number | undefined;
  cancel_available_amount: number | undefined;
  payload: string | undefined;
}

/** Order lookup request (spec §4.3). */
export interface OrderInput {
  cid: string;
  tid: string;
}

/** Subscription charge request (spec §4.5). */
export interface SubscriptionInput {
  cid: string;
  sid: string;
  partner_order_id: string;
  partner_user_id: string;
  item_name: string | undefined;
  item_code: string | undefined;
  quantity: number;
  total_amount: number;
  tax_free_amount: number;
  vat_amount: number | undefined;
  green_deposit: number | undefined;
  payload: string | undefined;
}

/** SID inactivate / status request (spec §4.6, §4.7). */
export interface SidInput {
  cid: string;
  sid: string;
}

// cid_secret is accepted and ignored: the test CIDs have none. cid/tid/sid lengths are not
// checked so that a wrong value gets the business code (-731/-721/-750), not -2.

export function parseReady(params: Record<string, unknown>): ReadyInput {
  const r = new ParamReader(params);
  return {
    cid: r.string('cid'),
    partner_order_id: r.string('partner_order_id'),
    partner_user_id: r.string('partner_user_id'),
    item_name: r.string('item_name'),
    item_code: r.optionalString('item_code'),
    quantity: r.integer('quantity', 1),
    total_amount: r.integer('total_amount'),
    tax_free_amount: r.integer('tax_free_amount'),
    vat_amount: r.optionalInteger('vat_amount'),
    green_deposit: r.optionalInteger('green_deposit', 0),
    approval_url: r.string('approval_url', 255),
    cancel_url: r.string('cancel_url', 255),
    fail_url: r.string('fail_url', 255),
    available_cards: r.optionalStringArray('available_cards'),
    payment_method_type: r.optionalEnum('payment_method_type', PAYMENT_METHOD_TYPES),
    install_month: r.optionalInteger('install_month', 0, 12),
    custom_json: r.optionalStringMap('custom_json'),
  };
}

export function parseApprove(params: Record<string, unknown>): ApproveInput {
  const r = new ParamReader(params);
  return {
    cid: r.string('cid'),
    tid: r.string('tid'),
    partner_order_id: r.string('partner_order_id'),
    partner_user_id: r.string('partner_user_id'),
    pg_token: r.string('pg_token', 255),
    payload: r.optionalString('payload', 200),
    total_amount: r.optionalInteger('total_amount'),
  };
}

export function parseCancel(params: Record<string, unknown>): CancelInput {
  const r = new ParamReader(params);
  return {
    cid: r.string('cid'),
    tid: r.string('tid'),
    cancel_amount: r.integer('cancel_amount', 1),
    cancel_tax_free_amount: r.integer('cancel_tax_free_amount', 0),
    cancel_vat_amount: r.optionalInteger('cancel_vat_amount', 0),
    cancel_available_amount: r.optionalInteger('cancel_available_amount', 0),
    payload: r.optionalString('payload', 200),
  };
}

export function parseOrder(params: Record<string, unknown>): OrderInput {
  const r = new ParamReader(params);
  return { cid: r.string('cid'), tid: r.string('tid') };
}

export function parseSubscription(params: Record<string, unknown>): SubscriptionInput {
  const r = new ParamReader(params);
  return {
    cid: r.string('cid'),
    sid: r.string('sid'),
    partner_order_id: r.string('partner_order_id'),
    partner_user_id: r.string('partner_user_id'),
    item_name: r.optionalString('item_name'),
    item_code: r.optionalString('item_code'),
    quantity: r.integer('quantity', 1),
    total_amount: r.integer('total_amount'),
    tax_free_amount: r.integer('tax_free_amount'),
    vat_amount: r.optionalInteger('vat_amount'),
    green_deposit: r.optionalInteger('green_deposit', 0),
    payload: r.optionalString('payload', 200),
  };
}

export function parseSid(params: Record<string, unknown>): SidInput {
  const r = new ParamReader(params);
  return { cid: r.string('cid'), sid: r.string('sid') };
}
