/**
 * 내 구독: what the page loads, all of it from the API. Every amount shown before a confirmation
 * (upgrade charge, cancel-now refund, 청약철회) is the server's quote, computed with the server's
 * rule and clock (issue 11 items 6 and 8, issue 16 point 4); the page never prices anything itself.
 */
import { api, type PaymentMethodView, type PaymentView, type PlanView, type ReceiptResponse, type RenewalView, type SubscriptionStatusView } from '../../api.ts';
import { quotesApi, type CancelNowQuoteResponse, type PlanChangeQuoteResponse } from '../../quotes-api.ts';

export interface Data {
  sub: SubscriptionStatusView;
  renewal: RenewalView;
  plans: PlanView[];
  methods: PaymentMethodView[];
  periodDays: number;
  payments: PaymentView[];
  /** Receipts of the payments the server says may be withdrawn now (청약철회). */
  receipts: ReceiptResponse[];
  /** The server's cancel-now quote (refund, 청약철회 offers). */
  cancelQuote: CancelNowQuoteResponse;
  /**
   * The server's plan-change quote per paid plan other than the current one: its `kind` says
   * whether switching is an upgrade or a downgrade, its amounts what it charges now and later.
   */
  planQuotes: Record<string, PlanChangeQuoteResponse>;
}

export type Flash = { tone: 'success' | 'info' | 'warning' | 'danger'; title: string; text?: string };

export async function loadData(signal?: AbortSignal): Promise<Data> {
  const [sub, renewal, plans, payments] = await Promise.all([
    api.subscription(signal),
    api.renewal(signal),
    api.plans(signal),
    api.payments(undefined, signal),
  ]);
  // Money and the 청약철회 window come from the server's clock, never this device's.
  const cancelQuote = await quotesApi.cancelNow(signal);
  // Plans can be changed only on an active subscription; the server says which way each change goes.
  const candidates = sub.status === 'active' && sub.is_active ? plans.plans.filter((p) => p.price_krw > 0 && p.id !== sub.plan) : [];
  const quoted = await Promise.all(candidates.map((p) => quotesApi.planChange(p.id, signal).catch(() => null)));
  const planQuotes = Object.fromEntries(quoted.filter((q): q is PlanChangeQuoteResponse => q !== null).map((q) => [q.plan, q]));
  const receipts = await Promise.all(cancelQuote.withdrawals.slice(0, 3).map((w) => api.receipt(w.payment_id, signal).catch(() => null)));
  return {
    sub,
    renewal,
    plans: plans.plans,
    methods: plans.methods,
    periodDays: plans.period_days,
    payments: payments.payments,
    receipts: receipts.filter((r): r is ReceiptResponse => r !== null),
    cancelQuote,
    planQuotes,
  };
}
