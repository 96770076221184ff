/**
 * Quotes (issue 11 items 6 and 8): every amount the subscription page shows before the user
 * confirms comes from the API, computed with the operation's own rule and the server's clock
 * (the sandbox test clock included), never with this device's clock. The operation is sent the
 * quote it was confirmed with and charges or refunds exactly that amount, or refuses
 * (QUOTE_CHANGED / QUOTE_EXPIRED) without moving money.
 */
import { request } from './api.ts';
import type { CancelNowResponse, PlanChangeResponse } from './api.ts';
import type { CancelNowQuoteResponse, PlanChangeQuoteResponse } from '../../src/http/schemas/subscription-schemas.ts';

export type { CancelNowQuoteResponse, PlanChangeQuoteResponse, WithdrawalOfferView } from '../../src/http/schemas/subscription-schemas.ts';

/** Codes meaning "show the new amount and ask again". */
export const QUOTE_REFUSALS = ['QUOTE_CHANGED', 'QUOTE_EXPIRED'];

export const quotesApi = {
  planChange: async (plan: string, signal?: AbortSignal) =>
    (await request<PlanChangeQuoteResponse>('GET', `/api/subscription/change/quote?plan=${encodeURIComponent(plan)}`, { signal })).body,
  cancelNow: async (signal?: AbortSignal) => (await request<CancelNowQuoteResponse>('GET', '/api/subscription/cancel-now/quote', { signal })).body,
  /** The plan change, priced at the quote's instant (200, or 202 while the charge is confirmed). */
  changePlan: async (q: PlanChangeQuoteResponse, key: string) =>
    (
      await request<PlanChangeResponse>('POST', '/api/subscription/change', {
        body: { plan: q.plan, quote: { quoted_at: q.quoted_at, charge_krw: q.charge_krw } },
        headers: { 'idempotency-key': key },
      })
    ).body,
  confirmCancelNow: async (q: CancelNowQuoteResponse, key: string) =>
    (
      await request<CancelNowResponse>('POST', '/api/subscription/cancel-now', {
        body: { quote: { quoted_at: q.quoted_at, refund_krw: q.refund_krw } },
        headers: { 'idempotency-key': key },
      })
    ).body,
};
