/**
 * Response shapes of the admin price endpoints (docs/pricing.md). Pure types: the web app may
 * import this file. Money in whole won, times ISO-8601.
 */

export interface PriceVersionView {
  id: string;
  price_krw: number;
  effective_at: string;
  created_at: string;
  created_by: string | null;
  /** past: replaced by a later version; current: in force now; scheduled: takes effect later. */
  state: 'past' | 'current' | 'scheduled';
  /** An increase still being announced to subscribers (null when none was needed or it is done). */
  announcing: boolean;
}

export interface AdminPlanPricesView {
  id: string;
  name: string;
  current_krw: number;
  /** The next version taking effect, if one is scheduled. */
  scheduled: PriceVersionView | null;
  versions: PriceVersionView[];
}

export interface AdminPricesResponse {
  now: string;
  /** An increase must take effect at least this many days after it is set (전자상거래법 제13조). */
  notice_days: number;
  /** The earliest effective date an increase set now may have. */
  earliest_increase_at: string;
  plans: AdminPlanPricesView[];
}

export interface SetPriceResponse {
  version: PriceVersionView;
  previous_krw: number;
  increase: boolean;
  /** Subscribers told of the increase at once (the worker tells the rest). */
  notified: number;
  plan: AdminPlanPricesView;
}

/** `POST /api/admin/prices/:id/withdraw`: the withdrawn (scheduled) version and the plan's prices after. */
export interface WithdrawPriceResponse {
  withdrawn: PriceVersionView;
  plan: AdminPlanPricesView;
}
