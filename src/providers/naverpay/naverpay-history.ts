/**
 * NaverPay payment-history search (`NAVERPAY_PATHS.history`), used by the gateway's `getPayment`
 * for reconciliation: the rows of one paymentId, and the paymentId of our order key when the
 * NaverPay paymentId was never learned.
 */
import type { NaverPayCall, NaverPayClient, NaverPayResponse } from './naverpay-client.ts';
import { expectSuccess, formatKstDateTime } from './naverpay-mapping.ts';
import { ADMISSION_STATE, historyBodySchema, NAVERPAY_PATHS, type NaverPayHistoryRow } from './naverpay-wire.ts';

const HISTORY_ROWS_PER_PAGE = 100;
const HISTORY_MAX_PAGES = 5;
const MAX_HISTORY_RANGE_MS = 31 * 24 * 60 * 60_000;
const HISTORY_CLOCK_SLACK_MS = 10 * 60_000;

/** A call made with the one-time chain id, then with the recurrent one if NaverPay says `InvalidMerchant`. */
export type PostOnEitherChain = (call: Omit<NaverPayCall, 'chain'>) => Promise<NaverPayResponse>;

export class NaverPayHistorySearch {
  readonly #client: NaverPayClient;
  readonly #postOnEitherChain: PostOnEitherChain;
  readonly #lookbackMs: number;

  /** `lookbackMs`: how far back `findByOrderKey` searches (capped by NaverPay's 31-day range). */
  constructor(client: NaverPayClient, postOnEitherChain: PostOnEitherChain, lookbackMs: number) {
    this.#client = client;
    this.#postOnEitherChain = postOnEitherChain;
    this.#lookbackMs = lookbackMs;
  }

  /** Every history row of `paymentId` (approval, cancels), with the raw pages for the audit log. */
  async rowsOf(paymentId: string): Promise<{ rows: NaverPayHistoryRow[]; raw: unknown[] }> {
    const rows: NaverPayHistoryRow[] = [];
    const raw: unknown[] = [];
    for (let page = 1; page <= HISTORY_MAX_PAGES; page++) {
      const response = await this.#postOnEitherChain({
        path: NAVERPAY_PATHS.history,
        fields: { paymentId, pageNumber: page, rowsPerPage: HISTORY_ROWS_PER_PAGE },
      });
      raw.push(response.raw);
      const body = expectSuccess(response.envelope, historyBodySchema, { operation: 'history', moneyCall: false });
      rows.push(...(body.list ?? []).filter((row) => row.paymentId === paymentId));
      if (!body.totalPageCount || page >= body.totalPageCount) break;
    }
    return { rows, raw };
  }

  /** NaverPay paymentId whose approval rows carry `merchantPayKey` = our payment id, if any. */
  async findByOrderKey(merchantPayKey: string, now: Date): Promise<string | null> {
    // The range has second precision and NaverPay's clock is not ours: end a little in the future.
    const end = now.getTime() + HISTORY_CLOCK_SLACK_MS;
    const lookback = Math.min(this.#lookbackMs, MAX_HISTORY_RANGE_MS - HISTORY_CLOCK_SLACK_MS);
    const range = { startTime: formatKstDateTime(new Date(end - HISTORY_CLOCK_SLACK_MS - lookback)), endTime: formatKstDateTime(new Date(end)) };
    const chains: Array<'onetime' | 'recurrent'> = this.#client.hasDistinctRecurrentChain ? ['onetime', 'recurrent'] : ['onetime'];
    let failed: NaverPayHistoryRow | null = null;
    for (const chain of chains) {
      for (let page = 1; page <= HISTORY_MAX_PAGES; page++) {
        const response = await this.#client.post({
          path: NAVERPAY_PATHS.history,
          fields: { ...range, approvalType: 'APPROVAL', pageNumber: page, rowsPerPage: HISTORY_ROWS_PER_PAGE },
          chain,
        });
        if (response.envelope.code === 'InvalidMerchant') break;
        const body = expectSuccess(response.envelope, historyBodySchema, { operation: 'history search', moneyCall: false });
        for (const row of body.list ?? []) {
          if (row.merchantPayKey !== merchantPayKey) continue;
          if ((row.admissionState ?? ADMISSION_STATE.success) === ADMISSION_STATE.success) return row.paymentId;
          failed ??= row;
        }
        if (!body.totalPageCount || page >= body.totalPageCount) break;
      }
    }
    return failed?.paymentId ?? null;
  }
}
