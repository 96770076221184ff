import { subtractAmounts, zeroAmount, type Amount } from './kakaopay-amounts.ts';
import { cardInfo, selectedCardInfo } from './kakaopay-cards.ts';
import { formatKst } from './kakaopay-clock.ts';
import type { ApiGeneration } from './kakaopay-envelope.ts';
import { APPROVED_STATUSES } from './kakaopay-states.ts';
import type { PaymentRecord, SidRecord } from './kakaopay-store.ts';

// Builders of the wire response bodies. Field order follows the spec's samples.

/** Sets `key` to the KST time of an event, or leaves it out when the event has not happened. */
function putTime(body: Record<string, unknown>, key: string, ms: number | undefined): void {
  if (ms !== undefined) body[key] = formatKst(ms);
}

/** Ready response (spec §4.1). */
export function readyResponse(record: PaymentRecord, baseUrl: string): Record<string, unknown> {
  const pageBase = `${baseUrl}/mockup/v1/${record.pageToken}`;
  const scheme = `kakaotalk://kakaopay/pg?url=${baseUrl}/pay/mockup/${record.pageToken}`;
  return {
    tid: record.tid,
    tms_result: false,
    next_redirect_app_url: `${pageBase}/aInfo`,
    next_redirect_mobile_url: `${pageBase}/mInfo`,
    next_redirect_pc_url: `${pageBase}/info`,
    android_app_scheme: scheme,
    ios_app_scheme: scheme,
    created_at: formatKst(record.createdAtMs),
  };
}

/** Approve and subscription-charge response (spec §4.2, §4.5). */
export function approveResponse(record: PaymentRecord, generation: ApiGeneration): Record<string, unknown> {
  const body: Record<string, unknown> = {
    aid: record.aid,
    tid: record.tid,
    cid: record.cid,
  };
  if (record.sid) body.sid = record.sid;
  body.partner_order_id = record.partnerOrderId;
  body.partner_user_id = record.partnerUserId;
  body.payment_method_type = record.selectedMethod;
  body.item_name = record.itemName;
  if (record.itemCode !== undefined) body.item_code = record.itemCode;
  body.quantity = record.quantity;
  body.amount = record.amount;
  if (record.selectedMethod === 'CARD' && record.card) body.card_info = cardInfo(record.card, generation);
  body.created_at = formatKst(record.createdAtMs);
  putTime(body, 'approved_at', record.approvedAtMs);
  if (record.approvePayload !== undefined) body.payload = record.approvePayload;
  return body;
}

/** Cancellable remainder; zero for a tid that was never approved. */
export function cancelAvailable(record: PaymentRecord): Amount {
  if (!APPROVED_STATUSES.has(record.status) || record.status === 'ISSUED_SID') return zeroAmount();
  return subtractAmounts(record.amount, record.canceledAmount);
}

/** Cancel response (spec §4.4). */
export function cancelResponse(
  record: PaymentRecord,
  cancelAid: string,
  approvedCancelAmount: Amount,
  payload: string | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    aid: cancelAid,
    tid: record.tid,
    cid: record.cid,
    status: record.status,
    partner_order_id: record.partnerOrderId,
    partner_user_id: record.partnerUserId,
    payment_method_type: record.selectedMethod,
    item_name: record.itemName,
  };
  if (record.itemCode !== undefined) body.item_code = record.itemCode;
  body.quantity = record.quantity;
  body.amount = record.amount;
  body.approved_cancel_amount = approvedCancelAmount;
  body.canceled_amount = record.canceledAmount;
  body.cancel_available_amount = cancelAvailable(record);
  body.created_at = formatKst(record.createdAtMs);
  putTime(body, 'approved_at', record.approvedAtMs);
  putTime(body, 'canceled_at', record.canceledAtMs);
  if (payload !== undefined) body.payload = payload;
  return body;
}

/** Order lookup response (spec §4.3). Keys of events that have not happened are left out. */
export function orderResponse(record: PaymentRecord): Record<string, unknown> {
  const body: Record<string, unknown> = {
    tid: record.tid,
    cid: record.cid,
    status: record.status,
    partner_order_id: record.partnerOrderId,
    partner_user_id: record.partnerUserId,
  };
  if (record.selectedMethod !== undefined) body.payment_method_type = record.selectedMethod;
  body.item_name = record.itemName;
  if (record.itemCode !== undefined) body.item_code = record.itemCode;
  body.quantity = record.quantity;
  body.amount = record.amount;
  body.canceled_amount = record.canceledAmount;
  body.cancel_available_amount = cancelAvailable(record);
  body.created_at = formatKst(record.createdAtMs);
  putTime(body, 'approved_at', record.approvedAtMs);
  putTime(body, 'canceled_at', record.canceledAtMs);
  if (record.selectedMethod === 'CARD' && record.card && record.approvedAtMs !== undefined) {
    body.selected_card_info = selectedCardInfo(record.card);
  }
  body.payment_action_details = record.actions.map((a) => ({
    aid: a.aid,
    approved_at: formatKst(a.approvedAtMs),
    amount: a.amount,
    point_amount: a.pointAmount,
    discount_amount: a.discountAmount,
    green_deposit: a.greenDeposit,
    payment_action_type: a.type,
    payment_method_type: a.paymentMethodType,
    ...(a.payload !== undefined ? { payload: a.payload } : {}),
  }));
  return body;
}

/** SID inactivate response (spec §4.6). */
export function inactiveResponse(sid: SidRecord): Record<string, unknown> {
  return {
    cid: sid.cid,
    sid: sid.sid,
    status: sid.status,
    created_at: formatKst(sid.createdAtMs),
    ...times(sid),
  };
}

/** SID status response (spec §4.7). */
export function sidStatusResponse(sid: SidRecord): Record<string, unknown> {
  return {
    available: sid.status === 'ACTIVE',
    cid: sid.cid,
    sid: sid.sid,
    status: sid.status,
    payment_method_type: sid.paymentMethodType,
    item_name: sid.itemName,
    created_at: formatKst(sid.createdAtMs),
    ...times(sid),
  };
}

function times(sid: SidRecord): Record<string, string> {
  const out: Record<string, string> = {};
  putTime(out, 'last_approved_at', sid.lastApprovedAtMs);
  putTime(out, 'inactivated_at', sid.inactivatedAtMs);
  return out;
}
