import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import {
  authenticateApiKey,
  clearApiKeyCache,
  commitReservation,
  createApiKey,
  entitlementChanges,
  getEntitlement,
  getEntitlements,
  releaseReservation,
  reserveUsage,
  rotateApiKey,
  type ApiKeyScope,
  type EngineDeps,
  type EntitlementAnswer,
} from '../../../use-cases/engine-access.ts';
import type { ApiKeyRecord, ReservationRecord } from '../../../domain/engine/engine-store.ts';
import { AppError } from '../../../domain/errors.ts';
import type { AdminAction } from '../../../domain/admin-audit.ts';
import { auditEntry } from '../../../use-cases/admin-actions.ts';
import { principalOf, requirePermission, requireUser } from '../../plugins/auth.ts';
import { plainJsonSerializer } from '../../plugins/zod-schemas.ts';
import {
  AdminUsageResponse,
  ApiKeysResponse,
  ApiKeyView,
  BulkEntitlementsBody,
  BulkEntitlementsResponse,
  CommitBody,
  CommitResponse,
  CreateApiKeyBody,
  EngineEntitlementsView,
  EngineIdParams,
  EngineUsageUserParams,
  EngineUserParams,
  EntitlementChangesQuery,
  EntitlementChangesResponse,
  NewApiKeyResponse,
  ReleaseResponse,
  ReserveBody,
  ReserveResponse,
  RotateApiKeyBody,
  type ReservationView,
} from '../../schemas/engine-schemas.ts';

export function entitlementView(a: EntitlementAnswer): EngineEntitlementsView {
  return {
    user_id: a.userId,
    plan: a.plan,
    status: a.status,
    auto_trading_enabled: a.autoTradingEnabled,
    monthly_limit_krw: a.monthlyLimitKrw,
    used_krw: a.usedKrw,
    reserved_krw: a.reservedKrw,
    remaining_krw: a.remainingKrw,
    cap_period_start: a.capPeriodStart.toISOString(),
    cap_period_end: a.capPeriodEnd.toISOString(),
    features: a.features,
    in_grace: a.inGrace,
    grace_until: a.graceUntil?.toISOString() ?? null,
    paid_through: a.paidThrough?.toISOString() ?? null,
    version: a.version,
  };
}

function apiKeyView(k: ApiKeyRecord): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    prefix: k.prefix,
    created_at: k.createdAt.toISOString(),
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    expires_at: k.expiresAt?.toISOString() ?? null,
  };
}

function reservationView(r: ReservationRecord): ReservationView {
  return {
    reservation_id: r.id,
    trade_id: r.tradeId,
    status: r.status,
    amount_krw: r.committedKrw ?? r.amountKrw,
    created_at: r.createdAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
  };
}

export interface EngineRouteOptions {
  ctx: UseCaseContext;
  deps: EngineDeps;
}

/** The trading engine's API (/api/v1, API keys), API-key admin, and the usage views for the pages. */
export const engineRoutes: FastifyPluginAsyncZod<EngineRouteOptions> = async (app, { ctx, deps }) => {
  const needs = (scope: ApiKeyScope) => async (req: FastifyRequest) => {
    await authenticateApiKey(deps, req.headers.authorization, scope);
  };
  const tags = ['trading-engine'];
  // The engine's hot path: answers are written without encoding them through zod (see plainJsonSerializer).
  const v1 = (scope: ApiKeyScope) => ({ preValidation: needs(scope), serializerCompiler: plainJsonSerializer });

  app.get('/api/v1/entitlements/changes', { ...v1('entitlements:read'), schema: { tags, querystring: EntitlementChangesQuery, response: { 200: EntitlementChangesResponse } } }, async (req) => {
    const q = req.query;
    const r = await entitlementChanges(ctx, deps, q.cursor, q.limit);
    return { entitlements: r.entitlements.map(entitlementView), next_cursor: r.nextCursor };
  });

  app.get('/api/v1/entitlements/:user_id', { ...v1('entitlements:read'), schema: { tags, params: EngineUserParams, response: { 200: EngineEntitlementsView } } }, async (req) => {
    return entitlementView(await getEntitlement(ctx, deps, req.params.user_id));
  });

  app.post('/api/v1/entitlements/bulk', { ...v1('entitlements:read'), schema: { tags, body: BulkEntitlementsBody, response: { 200: BulkEntitlementsResponse } } }, async (req) => {
    const { user_ids } = req.body;
    return { entitlements: (await getEntitlements(ctx, deps, user_ids)).map(entitlementView) };
  });

  app.post('/api/v1/usage/reservations', { ...v1('usage:write'), schema: { tags, body: ReserveBody, response: { 200: ReserveResponse, 201: ReserveResponse } } }, async (req, reply) => {
    const b = req.body;
    const r = await reserveUsage(ctx, deps, { userId: b.user_id, tradeId: b.trade_id, amountKrw: b.amount_krw });
    reply.status(r.replayed ? 200 : 201);
    return {
      reservation_id: r.reservation.id,
      trade_id: r.reservation.tradeId,
      status: r.reservation.status,
      amount_krw: r.reservation.amountKrw,
      remaining_krw: r.remainingKrw,
      expires_at: r.reservation.expiresAt.toISOString(),
    };
  });

  app.post('/api/v1/usage/reservations/:id/commit', { ...v1('usage:write'), schema: { tags, params: EngineIdParams, body: CommitBody, response: { 200: CommitResponse } } }, async (req) => {
    const { amount_krw } = req.body;
    const r = await commitReservation(ctx, deps, req.params.id, amount_krw);
    return { reservation_id: r.reservation.id, status: 'committed' as const, amount_krw: r.reservation.committedKrw, remaining_krw: r.remainingKrw };
  });

  app.post('/api/v1/usage/reservations/:id/release', { ...v1('usage:write'), schema: { tags, params: EngineIdParams, response: { 200: ReleaseResponse } } }, async (req) => {
    const r = await releaseReservation(ctx, deps, req.params.id);
    return { reservation_id: r.reservation.id, status: r.reservation.status, remaining_krw: r.remainingKrw };
  });

  // API keys (admin console and CLI). Changes go to the audit log after the engine store committed them.
  const audited = (req: FastifyRequest, action: AdminAction, id: string, before: unknown, after: unknown) =>
    ctx.repo.recordAdminAction(auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, action, { type: 'api_key', id }, before, after));
  app.post('/api/admin/api-keys', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'], body: CreateApiKeyBody, response: { 201: NewApiKeyResponse } } }, async (req, reply) => {
    const b = req.body;
    const { record, key } = await createApiKey(ctx, deps, b);
    await audited(req, 'api_key.create', record.id, null, { name: record.name, scopes: record.scopes });
    reply.status(201);
    return { id: record.id, name: record.name, scopes: record.scopes, key, created_at: record.createdAt.toISOString() };
  });

  app.get('/api/admin/api-keys', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'], response: { 200: ApiKeysResponse } } }, async () => ({
    api_keys: (await deps.engine.listApiKeys()).map(apiKeyView),
  }));

  app.post('/api/admin/api-keys/:id/revoke', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'], params: EngineIdParams, response: { 200: ApiKeyView } } }, async (req) => {
    const k = await deps.engine.revokeApiKey(req.params.id, deps.wallClock.now());
    clearApiKeyCache(deps);
    if (!k) throw new AppError('NOT_FOUND', 'API 키를 찾을 수 없습니다.');
    await audited(req, 'api_key.revoke', k.id, null, { name: k.name, revoked: true });
    return apiKeyView(k);
  });

  app.post(
    '/api/admin/api-keys/:id/rotate',
    { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'], params: EngineIdParams, body: RotateApiKeyBody, response: { 201: NewApiKeyResponse } } },
    async (req, reply) => {
      const b = req.body;
      const { record, key } = await rotateApiKey(ctx, deps, req.params.id, b.overlap_seconds ?? 24 * 3600);
      await audited(req, 'api_key.rotate', req.params.id, null, { new_key_id: record.id, overlap_seconds: b.overlap_seconds ?? 24 * 3600 });
      reply.status(201);
      return { id: record.id, name: record.name, scopes: record.scopes, key, created_at: record.createdAt.toISOString() };
    },
  );

  // Views for the pages.
  app.get('/api/subscription/usage', { preHandler: requireUser, schema: { tags: ['subscription'], response: { 200: EngineEntitlementsView } } }, async (req) =>
    entitlementView(await getEntitlement(ctx, deps, principalOf(req).userId)),
  );

  app.get('/api/admin/users/:id/usage', { onRequest: requirePermission('console.read'), schema: { tags: ['admin'], params: EngineUsageUserParams, response: { 200: AdminUsageResponse } } }, async (req) => {
    const { id } = req.params;
    const entitlements = entitlementView(await getEntitlement(ctx, deps, id));
    return { entitlements, reservations: (await deps.engine.listReservations(id, 100)).map(reservationView) };
  });
};
