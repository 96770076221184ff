/**
 * Messages of the trading engine's API (/api/v1, API keys), of API-key admin and of the usage
 * views for the pages: one zod schema each; the web app imports the inferred types.
 * Amounts in integer KRW; times ISO 8601; `null` limits mean unlimited. See docs/trading-engine.md.
 */
import { z } from 'zod';

export const EngineUserId = z.string().min(1).max(64);
const Amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const EngineUserParams = z.object({ user_id: EngineUserId });
export const EngineIdParams = z.object({ id: z.string() });
/** `/api/admin/users/:id/usage`: the id is a user id. */
export const EngineUsageUserParams = z.object({ id: EngineUserId });

export const ReserveBody = z.object({ user_id: EngineUserId, trade_id: z.string().min(1).max(128), amount_krw: Amount });
export const CommitBody = z.object({ amount_krw: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });
export const BulkEntitlementsBody = z.object({ user_ids: z.array(EngineUserId).max(500) });
export const EntitlementChangesQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
export const CreateApiKeyBody = z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.string()).min(1).max(10) });
export const RotateApiKeyBody = z.object({ overlap_seconds: z.number().int().min(0).max(30 * 86_400).optional() });

/**
 * `GET /api/v1/entitlements/:user_id` (and the bulk, change-feed, `/api/subscription/usage` and
 * admin usage answers): what the trading engine may do this month.
 */
export const EngineEntitlementsView = z.object({
  user_id: z.string(),
  plan: z.string(),
  status: z.string(),
  auto_trading_enabled: z.boolean(),
  monthly_limit_krw: z.int().nullable(),
  used_krw: z.int(),
  reserved_krw: z.int(),
  remaining_krw: z.int().nullable(),
  cap_period_start: z.string(),
  cap_period_end: z.string(),
  features: z.array(z.string()),
  in_grace: z.boolean(),
  grace_until: z.string().nullable(),
  paid_through: z.string().nullable(),
  version: z.number(),
});
export type EngineEntitlementsView = z.infer<typeof EngineEntitlementsView>;

export const EntitlementChangesResponse = z.object({ entitlements: z.array(EngineEntitlementsView), next_cursor: z.string().nullable() });
export const BulkEntitlementsResponse = z.object({ entitlements: z.array(EngineEntitlementsView) });

export const ReserveResponse = z.object({
  reservation_id: z.string(),
  trade_id: z.string(),
  status: z.string(),
  amount_krw: z.int(),
  remaining_krw: z.int().nullable(),
  expires_at: z.string(),
});
export const CommitResponse = z.object({ reservation_id: z.string(), status: z.literal('committed'), amount_krw: z.int().nullable(), remaining_krw: z.int().nullable() });
export const ReleaseResponse = z.object({ reservation_id: z.string(), status: z.string(), remaining_krw: z.int().nullable() });

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  expires_at: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

/** Answer of create and rotate: the key itself, shown this once. */
export const NewApiKeyResponse = z.object({ id: z.string(), name: z.string(), scopes: z.array(z.string()), key: z.string(), created_at: z.string() });
export const ApiKeysResponse = z.object({ api_keys: z.array(ApiKeyView) });

export const ReservationView = z.object({
  reservation_id: z.string(),
  trade_id: z.string(),
  status: z.string(),
  amount_krw: z.int().nullable(),
  created_at: z.string(),
  expires_at: z.string(),
});
export type ReservationView = z.infer<typeof ReservationView>;

export const AdminUsageResponse = z.object({ entitlements: EngineEntitlementsView, reservations: z.array(ReservationView) });
