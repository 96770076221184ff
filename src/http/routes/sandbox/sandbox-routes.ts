import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AdjustableClock } from '../../../domain/test-clock.ts';
import type { UseCaseContext } from '../../../use-cases/context.ts';
import { advanceTestClock } from '../../../use-cases/advance-test-clock.ts';
import type { SandboxClockLink } from '../../../providers/sandbox-clocks.ts';
import type { RenewalWorker } from '../../../worker/renewal-worker.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { noticeView } from '../../schemas/renewal-views.ts';
import { ClockBody, ClockResponse, MailboxQuery, MailboxResponse, RenewalRunResponse, type NoticeView } from '../../schemas/sandbox-schemas.ts';

export interface SandboxRoutesOptions {
  ctx: UseCaseContext;
  clock: AdjustableClock;
  worker: RenewalWorker;
  providerClocks: SandboxClockLink;
  /** Shares the offset with worker processes (see advance-test-clock). */
  persistClock?: (offsetMs: number) => Promise<void>;
}

/**
 * Sandbox-mode tools (registered only when SANDBOX_MODE is on, which APP_ENV=production refuses),
 * for admins only: the clock moves everyone's renewals and the mailbox shows every subscriber's
 * e-mail. `npm run clock` uses the local sandbox admin's token (see src/cli/sandbox-admin-token.ts).
 * - `GET /api/sandbox/clock`: the test clock's time and offset (open: no one's data).
 * - `POST /api/sandbox/clock {advance_ms | advance_days}`: moves this service's clock, both
 *   sandboxes' clocks, then runs a worker tick.
 * - `POST /api/sandbox/renewals/run`: one worker tick now.
 * - `GET /api/sandbox/mailbox` (JSON) and `GET /sandbox/mailbox` (HTML, with the session
 *   cookie of a signed-in admin): the notice outbox, newest first, optionally for one
 *   `email` or `user_id`.
 */
export const sandboxRoutes: FastifyPluginAsyncZod<SandboxRoutesOptions> = async (app, { ctx, clock, worker, providerClocks, persistClock }) => {
  const clockView = (): ClockResponse => ({ now: clock.now().toISOString(), offset_ms: clock.offset });

  app.get('/api/sandbox/clock', { schema: { tags: ['sandbox'], summary: '테스트 시계 (샌드박스 모드 전용)', response: { 200: ClockResponse } } }, async () => clockView());

  app.post(
    '/api/sandbox/clock',
    {
      preValidation: requirePermission('sandbox.tools'),
      schema: {
        tags: ['sandbox'],
        summary: '테스트 시계를 앞으로 이동 (서비스·두 샌드박스), 이어서 갱신 작업 1회 실행 (관리자 전용)',
        body: ClockBody,
        response: { 200: ClockResponse },
      },
    },
    async (req): Promise<ClockResponse> => {
      const body = req.body;
      const ms = body.advance_ms ?? Math.round(body.advance_days! * 86_400_000);
      const r = await advanceTestClock({ clock, providerClocks, runTick: (now) => worker.runOnce(now), persist: persistClock }, ms);
      return { now: r.now.toISOString(), offset_ms: r.offsetMs, providers: r.providers, tick: r.tick, steps: r.steps };
    },
  );

  app.post(
    '/api/sandbox/renewals/run',
    { preHandler: requirePermission('sandbox.tools'), schema: { tags: ['sandbox'], summary: '갱신 작업 1회 실행 (샌드박스 모드, 관리자 전용)', response: { 200: RenewalRunResponse } } },
    async () => ({ tick: await worker.runOnce(clock.now()) }),
  );

  async function notices(q: MailboxQuery): Promise<NoticeView[]> {
    const rows = await ctx.repo.renewals().listNotices({ email: q.email, userId: q.user_id, limit: q.limit });
    return rows.map(noticeView);
  }

  app.get(
    '/api/sandbox/mailbox',
    {
      preValidation: requirePermission('sandbox.tools'),
      schema: { tags: ['sandbox'], summary: '샌드박스 우편함: 발송된 안내 메일 (JSON, 관리자 전용)', querystring: MailboxQuery, response: { 200: MailboxResponse } },
    },
    async (req): Promise<MailboxResponse> => ({ notices: await notices(req.query) }),
  );

  app.get('/sandbox/mailbox', { preValidation: requirePermission('sandbox.tools'), schema: { hide: true, querystring: MailboxQuery } }, async (req, reply) => {
    const q = req.query;
    reply.type('text/html; charset=utf-8');
    return mailboxPage(await notices(q), clock.now(), q.email ?? q.user_id ?? null);
  });
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The notice's links (absolute URLs of the web app) clickable in the sandbox mailbox. */
const linkify = (escaped: string) => escaped.replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`);

const KST = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', dateStyle: 'medium', timeStyle: 'short' });

function mailboxPage(list: NoticeView[], now: Date, filter: string | null): string {
  const items = list
    .map(
      (n) => `<article>
  <header><strong>${escapeHtml(n.subject)}</strong><span>${escapeHtml(KST.format(new Date(n.created_at)))}</span></header>
  <p class="meta">받는 사람: ${escapeHtml(n.to ?? '(이메일 없음)')} · 종류: ${escapeHtml(n.kind)} · 상태: ${escapeHtml(n.status)}</p>
  <pre>${linkify(escapeHtml(n.body))}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>샌드박스 우편함</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;color:#222}
article{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
header{display:flex;justify-content:space-between;gap:1rem}
.meta{color:#666;font-size:.9rem}
pre{white-space:pre-wrap;font-family:inherit;margin:0}
</style></head>
<body>
<h1>샌드박스 우편함</h1>
<p>테스트 시계 기준 현재 시각: ${escapeHtml(KST.format(now))}${filter ? ` · 필터: ${escapeHtml(filter)}` : ''} · ${list.length}통</p>
<form method="get"><input name="email" placeholder="이메일로 찾기" value="${escapeHtml(filter ?? '')}"> <button>찾기</button></form>
${items || '<p>아직 받은 안내 메일이 없습니다.</p>'}
</body></html>`;
}
