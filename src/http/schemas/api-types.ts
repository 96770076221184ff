/**
 * Response shapes of the public API. Pure types: the web app imports this file.
 * Money is integer KRW (`*_krw`), times are ISO-8601 strings (`*_at`, dates).
 */
import type { StaffPermissionValue } from './console-api-types.ts';

export interface ApiError {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * `GET /api/v1/entitlements/:user_id` (and the bulk, change-feed, `/api/subscription/usage` and
 * admin usage answers): what the trading engine may do this month. Amounts in integer KRW; times
 * ISO 8601; `null` limits mean unlimited. See docs/trading-engine.md.
 */
export interface EngineEntitlementsView {
  user_id: string;
  plan: string;
  status: string;
  auto_trading_enabled: boolean;
  monthly_limit_krw: number | null;
  used_krw: number;
  reserved_krw: number;
  remaining_krw: number | null;
  cap_period_start: string;
  cap_period_end: string;
  features: string[];
  in_grace: boolean;
  grace_until: string | null;
  paid_through: string | null;
  version: number;
}


// Refunds, receipts, usage and the admin API (/api/admin/*).
export type * from './refund-api-types.ts';

export type * from './console-api-types.ts';
export type * from './operator-action-api-types.ts';
