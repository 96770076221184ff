import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CredentialsSchema, SignUpSchema, signUp, type SignUpResult } from '../../../use-cases/sign-up.ts';
import { logIn, type LoginThrottle } from '../../../use-cases/log-in.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { SESSION_COOKIE, principalOf, requireUser } from '../../plugins/auth.ts';
import { clientAddressOf } from '../../plugins/rate-limits.ts';
import { docSchema, parseWith } from '../../schemas/validation.ts';
import { userView } from '../../schemas/views.ts';
import type { AuthResponse } from '../../schemas/api-types.ts';
import { AppError } from '../../../domain/errors.ts';
import type { SessionGuard } from '../../../security/session-guard.ts';
import type { Clock } from '../../../domain/ports.ts';

export interface AuthRoutesOptions {
  ctx: UseCaseContext;
  throttle: LoginThrottle;
  sessions: SessionGuard;
  secureCookies: boolean;
  /** Real time: sessions and their cookies never follow the sandbox's test clock (issue 11 item 7). */
  wallClock: Clock;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { ctx, throttle, sessions, secureCookies, wallClock }) => {
  function respond(reply: FastifyReply, r: SignUpResult, status: number): AuthResponse {
    const maxAge = Math.max(0, Math.floor((r.expiresAt.getTime() - wallClock.now().getTime()) / 1000));
    // HttpOnly + SameSite=Lax, not Strict: the provider's redirect back to our return URL is a
    // top-level GET from another site and must carry the session to approve the payment. Lax
    // does not stop same-site POSTs (another port of this host): the CSRF check does
    // (plugins/csrf.ts, docs/web-security.md).
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${encodeURIComponent(r.token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secureCookies ? '; Secure' : ''}`,
    );
    reply.status(status);
    return { token: r.token, expires_at: r.expiresAt.toISOString(), user: userView(r.user) };
  }

  const body = docSchema(CredentialsSchema);
  app.post('/api/auth/signup', { schema: { tags: ['auth'], summary: '회원가입 (비밀번호 규칙, rate-limited)', body: docSchema(SignUpSchema) } }, async (req, reply) => {
    return respond(reply, await signUp(ctx, parseWith(SignUpSchema, req.body)), 201);
  });

  app.post('/api/auth/login', { schema: { tags: ['auth'], summary: '로그인 (rate-limited)', body } }, async (req, reply) => {
    const input = parseWith(CredentialsSchema, req.body);
    return respond(reply, await logIn(ctx, throttle, { ...input, clientAddress: clientAddressOf(req) }), 200);
  });

  // Revokes the session of the token sent (bearer or cookie): that token stops working at once.
  app.post('/api/auth/logout', { schema: { tags: ['auth'], summary: '로그아웃 (토큰 폐기)' } }, async (req, reply) => {
    const sessionId = req.principal?.sessionId;
    if (sessionId) await sessions.revoke(sessionId, wallClock.now());
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/me', { preHandler: requireUser, schema: { tags: ['auth'], summary: '내 정보' } }, async (req) => {
    const user = await ctx.repo.findUserById(principalOf(req).userId);
    if (!user) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
    return { user: userView(user) };
  });
};
