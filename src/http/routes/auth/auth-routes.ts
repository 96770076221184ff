import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { signUp, type SignUpResult } from '../../../use-cases/sign-up.ts';
import { logIn, type LoginThrottle } from '../../../use-cases/log-in.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { SESSION_COOKIE, principalOf, requireUser } from '../../plugins/auth.ts';
import { clientAddressOf } from '../../plugins/rate-limits.ts';
import { userView } from '../../schemas/views.ts';
import {
  AuthResponse,
  LoginBody,
  MeResponse,
  OkResponse,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  PasswordResetResponse,
  SignUpBody,
} from '../../schemas/auth-schemas.ts';
import { AppError } from '../../../domain/errors.ts';
import type { SessionGuard } from '../../../security/session-guard.ts';
import type { Clock } from '../../../domain/ports.ts';
import { requestPasswordReset, type PasswordResetDeps } from '../../../use-cases/request-password-reset.ts';
import { resetPassword } from '../../../use-cases/reset-password.ts';

export interface AuthRoutesOptions {
  ctx: UseCaseContext;
  throttle: LoginThrottle;
  sessions: SessionGuard;
  secureCookies: boolean;
  passwordReset: PasswordResetDeps;
  /** Real time: sessions and their cookies never follow the sandbox's test clock (issue 11 item 7). */
  wallClock: Clock;
}

/** The one answer to every reset request, whether or not the e-mail has an account. */
const RESET_REQUESTED = {
  ok: true,
  message: '입력하신 이메일로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. 메일함을 확인해 주세요.',
} as const;

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { ctx, throttle, sessions, secureCookies, passwordReset, wallClock }) => {
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

  app.post(
    '/api/auth/signup',
    { schema: { tags: ['auth'], summary: '회원가입 (이용약관 · 개인정보 동의 필수, 비밀번호 규칙, rate-limited)', body: SignUpBody, response: { 201: AuthResponse } } },
    async (req, reply) => {
      const { terms_version, privacy_version, ...credentials } = req.body;
      return respond(reply, await signUp(ctx, { ...credentials, termsVersion: terms_version, privacyVersion: privacy_version }), 201);
    },
  );

  app.post('/api/auth/login', { schema: { tags: ['auth'], summary: '로그인 (rate-limited)', body: LoginBody, response: { 200: AuthResponse } } }, async (req, reply) => {
    return respond(reply, await logIn(ctx, throttle, { ...req.body, clientAddress: clientAddressOf(req) }), 200);
  });

  // Revokes the session of the token sent (bearer or cookie): that token stops working at once.
  app.post('/api/auth/logout', { schema: { tags: ['auth'], summary: '로그아웃 (토큰 폐기)', response: { 200: OkResponse } } }, async (req, reply) => {
    const sessionId = req.principal?.sessionId;
    if (sessionId) await sessions.revoke(sessionId, wallClock.now());
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return { ok: true as const };
  });

  // Same answer (202) for every e-mail, known or not: the response says nothing about accounts.
  app.post(
    '/api/auth/password-reset/request',
    {
      schema: {
        tags: ['auth'],
        summary: '비밀번호 재설정 메일 요청 (항상 같은 응답, rate-limited)',
        body: PasswordResetRequestBody,
        response: { 202: PasswordResetResponse },
      },
    },
    async (req, reply) => {
      await requestPasswordReset(ctx, passwordReset, { email: req.body.email });
      reply.status(202);
      return RESET_REQUESTED;
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: '비밀번호 재설정: 메일의 토큰(1회용, 만료 시간 있음)으로 새 비밀번호 설정, 모든 세션 로그아웃',
        body: PasswordResetConfirmBody,
        response: { 200: PasswordResetResponse },
      },
    },
    async (req, reply) => {
      const r = await resetPassword(ctx, passwordReset, req.body);
      sessions.forgetUser(r.userId);
      // This browser's cookie (if any) belonged to a session that is now revoked.
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
      return { ok: true as const, message: '비밀번호를 변경했습니다. 새 비밀번호로 로그인해 주세요.' };
    },
  );

  app.get('/api/me', { preValidation: requireUser, schema: { tags: ['auth'], summary: '내 정보', response: { 200: MeResponse } } }, async (req) => {
    const user = await ctx.repo.findUserById(principalOf(req).userId);
    if (!user) throw new AppError('UNAUTHENTICATED', '로그인이 필요합니다.');
    return { user: userView(user) };
  });
};
