import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../../storage/repositories/webhook-repository.ts';
import {
  createWebhookEndpoint,
  replayEngineEvent,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
  type WebhookAdminDeps,
} from '../../../use-cases/manage-webhook-endpoints.ts';
import { principalOf, requirePermission } from '../../plugins/auth.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import type { AdminAction } from '../../../domain/admin-audit.ts';
import { auditEntry } from '../../../use-cases/admin-actions.ts';
import {
  CreateWebhookEndpointBody,
  WebhookDeliveriesResponse,
  WebhookDeliveryQuery,
  WebhookDeliveryResponse,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookEndpointsResponse,
  WebhookIdParams,
  type WebhookDeliveryView,
} from '../../schemas/webhook-schemas.ts';

export interface WebhookRoutesOptions {
  deps: WebhookAdminDeps;
  /** For the audit log (admin_audit_log); without it (storage-only tests) nothing is recorded. */
  ctx?: UseCaseContext;
}

/** The endpoint as listed: the secret is shown only when created or rotated. */
export function endpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    enabled: e.disabledAt === null,
    disabled_at: e.disabledAt?.toISOString() ?? null,
    secret_hint: `whsec_…${e.secret.slice(-4)}`,
    previous_secret_expires_at: e.previousSecretExpiresAt?.toISOString() ?? null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function deliveryView(d: WebhookDelivery, attempts: WebhookAttempt[]): WebhookDeliveryView {
  return {
    id: d.id,
    endpoint_id: d.endpointId,
    event_id: d.eventId,
    event_type: d.eventType,
    user_id: d.userId,
    seq: d.seq,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' && d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    succeeded_at: d.succeededAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
    log: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({ attempt: a.attempt, at: a.attemptedAt.toISOString(), status_code: a.statusCode, duration_ms: a.durationMs, error: a.error })),
  };
}

/** Admin API for webhook endpoints and the delivery log (docs/trading-engine.md "Webhooks (delivery)"). */
export const webhookRoutes: FastifyPluginAsyncZod<WebhookRoutesOptions> = async (app, { deps, ctx }) => {
  // Endpoint changes go to the audit log after the store committed them (the webhook store has its own transactions).
  const audited = async (req: FastifyRequest, action: AdminAction, before: WebhookEndpoint | null, after: WebhookEndpoint) => {
    if (!ctx) return;
    const strip = (e: WebhookEndpoint | null) => (e ? { url: e.url, description: e.description, enabled: e.disabledAt === null, secret_hint: `…${e.secret.slice(-4)}` } : null);
    await ctx.repo.recordAdminAction(auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, action, { type: 'webhook_endpoint', id: after.id }, strip(before), strip(after)));
  };
  const tags = ['admin'];
  const manage = requirePermission('engine.manage');
  const deliveriesView = async (rows: WebhookDelivery[]) => {
    const attempts = await deps.webhooks.attemptsOf(rows.map((r) => r.id));
    return rows.map((r) => deliveryView(r, attempts));
  };

  app.post('/api/admin/webhook-endpoints', { onRequest: manage, schema: { tags, summary: '웹훅 엔드포인트 등록 (서명 비밀키는 이 응답에서 한 번만 표시)', body: CreateWebhookEndpointBody, response: { 201: WebhookEndpointWithSecret } } }, async (req, reply) => {
    const e = await createWebhookEndpoint(deps, req.body);
    await audited(req, 'webhook_endpoint.create', null, e);
    reply.status(201);
    return { ...endpointView(e), secret: e.secret };
  });

  app.get('/api/admin/webhook-endpoints', { onRequest: manage, schema: { tags, summary: '웹훅 엔드포인트 목록', response: { 200: WebhookEndpointsResponse } } }, async () => ({
    endpoints: (await deps.webhooks.listEndpoints()).map(endpointView),
  }));

  app.post('/api/admin/webhook-endpoints/:id/disable', { onRequest: manage, schema: { tags, summary: '웹훅 엔드포인트 중지 (이벤트는 쌓였다가 재개 시 순서대로 전송)', params: WebhookIdParams, response: { 200: WebhookEndpointView } } }, async (req) => {
    const e = await setWebhookEndpointEnabled(deps, req.params.id, false);
    await audited(req, 'webhook_endpoint.disable', null, e);
    return endpointView(e);
  });

  app.post('/api/admin/webhook-endpoints/:id/enable', { onRequest: manage, schema: { tags, summary: '웹훅 엔드포인트 재개', params: WebhookIdParams, response: { 200: WebhookEndpointView } } }, async (req) => {
    const e = await setWebhookEndpointEnabled(deps, req.params.id, true);
    await audited(req, 'webhook_endpoint.enable', null, e);
    return endpointView(e);
  });

  app.post('/api/admin/webhook-endpoints/:id/rotate-secret', { onRequest: manage, schema: { tags, summary: '서명 비밀키 교체 (이전 키도 24시간 함께 서명)', params: WebhookIdParams, response: { 200: WebhookEndpointWithSecret } } }, async (req) => {
    const e = await rotateWebhookSecret(deps, req.params.id);
    await audited(req, 'webhook_endpoint.rotate_secret', null, e);
    return { ...endpointView(e), secret: e.secret };
  });

  app.get('/api/admin/webhook-deliveries', { onRequest: requirePermission('console.read'), schema: { tags, summary: '웹훅 전송 기록 (user_id, endpoint_id, event_id, status)', querystring: WebhookDeliveryQuery, response: { 200: WebhookDeliveriesResponse } } }, async (req) => {
    const q = req.query;
    const rows = await deps.webhooks.listDeliveries({ userId: q.user_id, endpointId: q.endpoint_id, eventId: q.event_id, status: q.status, limit: q.limit });
    return { deliveries: await deliveriesView(rows) };
  });

  app.post('/api/admin/webhook-deliveries/:id/replay', { onRequest: manage, schema: { tags, summary: '웹훅 재전송 (같은 webhook-id)', params: WebhookIdParams, response: { 200: WebhookDeliveryResponse } } }, async (req) => {
    const d = await replayWebhookDelivery(deps, req.params.id);
    if (ctx) {
      await ctx.repo.recordAdminAction(
        auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, 'webhook_delivery.replay', { type: 'webhook_delivery', id: d.id }, null, { endpoint_id: d.endpointId, event_id: d.eventId, user_id: d.userId }),
      );
    }
    return { delivery: (await deliveriesView([d]))[0] };
  });

  app.post('/api/admin/engine-events/:id/replay', { onRequest: manage, schema: { tags, summary: '이벤트를 모든 엔드포인트에 재전송', params: WebhookIdParams, response: { 200: WebhookDeliveriesResponse } } }, async (req) => {
    const eventId = req.params.id;
    const rows = await replayEngineEvent(deps, eventId);
    if (ctx) {
      await ctx.repo.recordAdminAction(
        auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, 'engine_event.replay', { type: 'engine_event', id: eventId }, null, { deliveries: rows.map((r) => r.id), user_id: rows[0]?.userId ?? null }),
      );
    }
    return { deliveries: await deliveriesView(rows) };
  });
};
