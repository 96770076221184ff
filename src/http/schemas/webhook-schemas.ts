/**
 * Messages of the webhook admin API (/api/admin/webhook-endpoints, /api/admin/webhook-deliveries,
 * /api/admin/engine-events/:id/replay): one zod schema each. Times are ISO-8601 strings.
 */
import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES } from '../../domain/engine/webhook-delivery.ts';

export const WebhookIdParams = z.object({ id: z.string().min(1).max(64) });

export const CreateWebhookEndpointBody = z.object({ url: z.string().min(1).max(2000), description: z.string().trim().max(200).optional() });

export const WebhookDeliveryQuery = z.object({
  user_id: z.string().min(1).max(64).optional(),
  endpoint_id: z.string().min(1).max(64).optional(),
  event_id: z.string().min(1).max(64).optional(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The endpoint as listed: the secret is shown only when created or rotated. */
export const WebhookEndpointView = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabled_at: z.string().nullable(),
  secret_hint: z.string(),
  previous_secret_expires_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WebhookEndpointView = z.infer<typeof WebhookEndpointView>;

/** Answer of create and rotate-secret: the signing secret, shown this once. */
export const WebhookEndpointWithSecret = WebhookEndpointView.extend({ secret: z.string() });

export const WebhookEndpointsResponse = z.object({ endpoints: z.array(WebhookEndpointView) });

export const WebhookDeliveryView = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  user_id: z.string(),
  seq: z.number(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.int(),
  /** Only while pending; null while pending too when its endpoint is disabled (parked: sent once it is enabled). */
  next_attempt_at: z.string().nullable(),
  last_status_code: z.int().nullable(),
  last_error: z.string().nullable(),
  succeeded_at: z.string().nullable(),
  created_at: z.string(),
  log: z.array(
    z.object({ attempt: z.int(), at: z.string(), status_code: z.int().nullable(), duration_ms: z.number(), error: z.string().nullable() }),
  ),
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>;

export const WebhookDeliveriesResponse = z.object({ deliveries: z.array(WebhookDeliveryView) });
export const WebhookDeliveryResponse = z.object({ delivery: WebhookDeliveryView });
