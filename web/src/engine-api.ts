/**
 * Calls and wire types of the trading-engine area (issue 10) the pages use: this month's
 * auto-trading use, and the admin's usage, reservations and webhook deliveries.
 */
import type { EngineEntitlementsView } from '../../src/http/schemas/engine-schemas.ts';
import { request } from './api.ts';

/** The signed-in user's (or, for admins, any user's) entitlements and this month's auto-trading use. */
export type UsageView = EngineEntitlementsView;

export interface ReservationView {
  reservation_id?: string;
  id?: string;
  trade_id: string;
  status: string;
  amount_krw: number;
  committed_krw?: number | null;
  created_at?: string;
  expires_at?: string;
}

export interface WebhookAttemptView {
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  user_id: string;
  seq: number;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: string | null;
  created_at: string;
  log: WebhookAttemptView[];
}

const get = async <T>(path: string, signal?: AbortSignal) => (await request<T>('GET', path, { signal })).body;

export const engineApi = {
  myUsage: (signal?: AbortSignal) => get<UsageView>('/api/subscription/usage', signal),
  userUsage: (id: string, signal?: AbortSignal) =>
    get<{ entitlements: UsageView; reservations: ReservationView[] }>(`/api/admin/users/${encodeURIComponent(id)}/usage`, signal),
  deliveries: (userId: string, signal?: AbortSignal) =>
    get<{ deliveries: WebhookDeliveryView[] }>(`/api/admin/webhook-deliveries?user_id=${encodeURIComponent(userId)}&limit=50`, signal),
  replay: async (deliveryId: string) =>
    (await request<{ delivery: WebhookDeliveryView }>('POST', `/api/admin/webhook-deliveries/${encodeURIComponent(deliveryId)}/replay`, { body: {} })).body,
};
