import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Role } from '../../domain/records.ts';
import { roleMay, type StaffPermission } from '../../domain/staff-permissions.ts';
import type { BillingRepository } from '../../domain/repositories.ts';
import type { Clock, IdGenerator } from '../../domain/ports.ts';
import type { TokenService } from '../../security/token-service.ts';
import type { SessionGuard } from '../../security/session-guard.ts';

export const SESSION_COOKIE = 'smts_session';

export interface Principal {
  userId: string;
  /** The role in the database now (host tokens: the host application's claim). */
  role: Role;
  /** Our own tokens' session (logout revokes it); null for host-application tokens. */
  sessionId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export interface AuthDeps {
  tokens: TokenService;
  sessions: SessionGuard;
  repo: BillingRepository;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * Resolves the caller from `Authorization: Bearer …` or the session cookie.
 * Our tokens count only while their session is live, with the user's current role
 * from the database. Host-application tokens map to a local user created on first sight.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  recordRoutePermissions(app);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization;
    const bearer = h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    const token = bearer ?? readCookie(req.headers.cookie, SESSION_COOKIE);
    // Trading-engine API keys are checked by their routes (use-cases/engine-access.ts), not here.
    if (!token || token.startsWith('smts_sk_')) return;
    const verified = await deps.tokens.verify(token);
    if (!verified) return;
    if (verified.source === 'local') {
      const role = await deps.sessions.roleOf(verified.sessionId, verified.subject);
      if (role) req.principal = { userId: verified.subject, role, sessionId: verified.sessionId };
      return;
    }
    const user = await deps.repo.upsertExternalUser({
      id: deps.ids.next('usr'),
      email: null,
      passwordHash: null,
      role: verified.role,
      externalSubject: verified.subject,
      createdAt: deps.clock.now(),
    });
    req.principal = { userId: user.id, role: user.role, sessionId: null };
  });
}

export async function requireUser(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
}

export async function requireAdmin(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
  if (req.principal.role !== 'admin') throw new AppError('FORBIDDEN', '관리자만 이용할 수 있습니다.');
}

/**
 * A guard that lets through staff whose role carries `permission` (admin carries all). Routes
 * with a request schema run their guards as `preValidation`, so 401/403 come before a 400.
 */
export function requirePermission(permission: StaffPermission) {
  const check = async function checkPermission(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!req.principal) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
    if (!roleMay(req.principal.role, permission)) throw new AppError('FORBIDDEN', '이 작업을 할 권한이 없습니다.');
  };
  // Read back by the route table below (and the roles test) to know which permission a route needs.
  return Object.assign(check, { permission });
}

/** A registered route and the permission its guard hook checks (null: none). */
export interface RoutePermission {
  method: string;
  url: string;
  permission: StaffPermission | null;
}

const ROUTE_TABLES = new WeakMap<FastifyInstance, RoutePermission[]>();

function permissionOfHooks(...hooks: unknown[]): StaffPermission | null {
  for (const h of hooks.flat()) {
    const p = (h as { permission?: StaffPermission } | undefined)?.permission;
    if (p) return p;
  }
  return null;
}

/**
 * Records every route registered on `app` from now on with the permission it checks
 * (`routePermissions(app)`): the roles test derives its route list from this table, so a staff
 * route added without `requirePermission` fails it.
 */
export function recordRoutePermissions(app: FastifyInstance): void {
  const table: RoutePermission[] = [];
  ROUTE_TABLES.set(app, table);
  app.addHook('onRoute', (route) => {
    const permission = permissionOfHooks(route.preValidation, route.preHandler, route.onRequest);
    for (const method of [route.method].flat()) table.push({ method, url: route.url, permission });
  });
}

export function routePermissions(app: FastifyInstance): readonly RoutePermission[] {
  return ROUTE_TABLES.get(app) ?? [];
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
  return req.principal;
}
