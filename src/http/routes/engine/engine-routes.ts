import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
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
import { parseWith } from '../../schemas/validation.ts';
import type { EngineEntitlementsView } from '../../schemas/api-types.ts';

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

function apiKeyView(k: ApiKeyRecord) {
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

function reservationView(r: ReservationRecord) {
  return {
    reservation_id: r.id,
    trade_id: r.tradeId,
    status: r.status,
    amount_krw: r.committedKrw ?? r.amountKrw,
    created_at: r.createdAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
  };
}

const UserId = z.string().min(1).max(64);
const Amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ReserveBody = z.object({ user_id: UserId, trade_id: z.string().min(1).max(128), amount_krw: Amount });
const CommitBody = z.object({ amount_krw: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });
const BulkBody = z.object({ user_ids: z.array(UserId).max(500) });
const ChangesQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const CreateKeyBody = z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.string()).min(1).max(10) });
const RotateBody = z.object({ overlap_seconds: z.number().int().min(0).max(30 * 86_400).optional() }).optional();

export interface EngineRouteOptions {
  ctx: UseCaseContext;
  deps: EngineDeps;
}

/** The trading engine's API (/api/v1, API keys), API-key admin, and the usage views for the pages. */
export const engineRoutes: FastifyPluginAsync<EngineRouteOptions> = async (app, { ctx, deps }) => {
  const needs = (scope: ApiKeyScope) => async (req: FastifyRequest) => {
    await authenticateApiKey(deps, req.headers.authorization, scope);
  };
  const tags = ['trading-engine'];

  app.get('/api/v1/entitlements/changes', { preHandler: needs('entitlements:read'), schema: { tags } }, async (req) => {
    const q = parseWith(ChangesQuery, req.query);
    const r = await entitlementChanges(ctx, deps, q.cursor, q.limit);
    return { entitlements: r.entitlements.map(entitlementView), next_cursor: r.nextCursor };
  });

  app.get('/api/v1/entitlements/:user_id', { preHandler: needs('entitlements:read'), schema: { tags } }, async (req) => {
    const userId = parseWith(UserId, (req.params as { user_id: string }).user_id);
    return entitlementView(await getEntitlement(ctx, deps, userId));
  });

  app.post('/api/v1/entitlements/bulk', { preHandler: needs('entitlements:read'), schema: { tags } }, async (req) => {
    const { user_ids } = parseWith(BulkBody, req.body);
    return { entitlements: (await getEntitlements(ctx, deps, user_ids)).map(entitlementView) };
  });

  app.post('/api/v1/usage/reservations', { preHandler: needs('usage:write'), schema: { tags } }, async (req, reply) => {
    const b = parseWith(ReserveBody, req.body);
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

  app.post('/api/v1/usage/reservations/:id/commit', { preHandler: needs('usage:write'), schema: { tags } }, async (req) => {
    const { amount_krw } = parseWith(CommitBody, req.body);
    const r = await commitReservation(ctx, deps, (req.params as { id: string }).id, amount_krw);
    return { reservation_id: r.reservation.id, status: 'committed', amount_krw: r.reservation.committedKrw, remaining_krw: r.remainingKrw };
  });

  app.post('/api/v1/usage/reservations/:id/release', { preHandler: needs('usage:write'), schema: { tags } }, async (req) => {
    const r = await releaseReservation(ctx, deps, (req.params as { id: string }).id);
    return { reservation_id: r.reservation.id, status: r.reservation.status, remaining_krw: r.remainingKrw };
  });

  // API keys (admin console and CLI). Changes go to the audit log after the engine store committed them.
  const audited = (req: FastifyRequest, action: AdminAction, id: string, before: unknown, after: unknown) =>
    ctx.repo.recordAdminAction(auditEntry(ctx, { actorUserId: principalOf(req).userId, reason: '' }, action, { type: 'api_key', id }, before, after));
  app.post('/api/admin/api-keys', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'] } }, async (req, reply) => {
    const b = parseWith(CreateKeyBody, req.body);
    const { record, key } = await createApiKey(ctx, deps, b);
    await audited(req, 'api_key.create', record.id, null, { name: record.name, scopes: record.scopes });
    reply.status(201);
    return { id: record.id, name: record.name, scopes: record.scopes, key, created_at: record.createdAt.toISOString() };
  });

  app.get('/api/admin/api-keys', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'] } }, async () => ({
    api_keys: (await deps.engine.listApiKeys()).map(apiKeyView),
  }));

  app.post('/api/admin/api-keys/:id/revoke', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'] } }, async (req) => {
    const k = await deps.engine.revokeApiKey((req.params as { id: string }).id, deps.wallClock.now());
    clearApiKeyCache(deps);
    if (!k) throw new AppError('NOT_FOUND', 'API 키를 찾을 수 없습니다.');
    await audited(req, 'api_key.revoke', k.id, null, { name: k.name, revoked: true });
    return apiKeyView(k);
  });

  app.post('/api/admin/api-keys/:id/rotate', { onRequest: requirePermission('engine.manage'), schema: { tags: ['admin'] } }, async (req, reply) => {
    const b = parseWith(RotateBody, req.body ?? undefined);
    const { record, key } = await rotateApiKey(ctx, deps, (req.params as { id: string }).id, b?.overlap_seconds ?? 24 * 3600);
    await audited(req, 'api_key.rotate', (req.params as { id: string }).id, null, { new_key_id: record.id, overlap_seconds: b?.overlap_seconds ?? 24 * 3600 });
    reply.status(201);
    return { id: record.id, name: record.name, scopes: record.scopes, key, created_at: record.createdAt.toISOString() };
  });

  // Views for the pages.
  app.get('/api/subscription/usage', { preHandler: requireUser, schema: { tags: ['subscription'] } }, async (req) =>
    entitlementView(await getEntitlement(ctx, deps, principalOf(req).userId)),
  );

  app.get('/api/admin/users/:id/usage', { onRequest: requirePermission('console.read'), schema: { tags: ['admin'] } }, async (req) => {
    const id = parseWith(UserId, (req.params as { id: string }).id);
    const entitlements = entitlementView(await getEntitlement(ctx, deps, id));
    return { entitlements, reservations: (await deps.engine.listReservations(id, 100)).map(reservationView) };
  });
};
