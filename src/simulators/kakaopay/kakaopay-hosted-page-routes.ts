import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatKst, type SandboxClock } from './kakaopay-clock.ts';
import { SandboxFlowError } from './kakaopay-flow-error.ts';
import {
  PAGE_ACTIONS,
  renderMessagePage,
  renderPaymentPage,
  type PageAction,
  type PageView,
} from './kakaopay-hosted-page.ts';
import type { ResolvedSandboxOptions } from './kakaopay-options.ts';
import type { KakaoPayPaymentService, UserAction } from './kakaopay-payment-service.ts';
import type { PaymentMethodType } from './kakaopay-states.ts';
import type { KakaoPayStore, PaymentRecord } from './kakaopay-store.ts';

export interface HostedPageRoutesOptions {
  options: ResolvedSandboxOptions;
  store: KakaoPayStore;
  service: KakaoPayPaymentService;
  clock: SandboxClock;
}

const VIEWS: Record<string, PageView> = { info: 'pc', mInfo: 'mobile', aInfo: 'app' };

const ACTIONS: Record<PageAction, { action: UserAction; method?: PaymentMethodType }> = {
  'approve-card': { action: 'approve', method: 'CARD' },
  'approve-money': { action: 'approve', method: 'MONEY' },
  cancel: { action: 'cancel' },
  fail: { action: 'fail' },
};

const FLOW_TITLES: Record<SandboxFlowError['httpStatus'], string> = {
  400: '요청을 처리할 수 없습니다',
  404: '결제 정보를 찾을 수 없습니다',
  409: '이미 처리된 결제입니다',
  410: '결제 시간이 만료되었습니다',
};

/**
 * The hosted page the ready URLs point at (spec §8.5–8.6). GET shows it (READY → OPEN_PAYMENT);
 * POST with `action` applies the user's choice and redirects to approval/cancel/fail URL.
 * A trailing query such as `?kpayTid=...` is ignored.
 */
export function registerHostedPageRoutes(app: FastifyInstance, deps: HostedPageRoutesOptions): void {
  const { options, store, service, clock } = deps;

  function findRecord(request: FastifyRequest): { record: PaymentRecord; view: PageView } {
    const params = request.params as { token: string; view?: string };
    const view = params.view === undefined ? 'app' : VIEWS[params.view];
    const record = view ? store.paymentByPageToken(params.token) : undefined;
    if (!record || !view) throw new SandboxFlowError(404, '결제 정보를 찾을 수 없습니다. 결제를 처음부터 다시 시작해 주세요.');
    return { record, view };
  }

  function sendFlowError(reply: FastifyReply, error: unknown): FastifyReply {
    if (!(error instanceof SandboxFlowError)) throw error;
    return sendHtml(reply, error.httpStatus, renderMessagePage(FLOW_TITLES[error.httpStatus], error.message));
  }

  const show = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const { record, view } = findRecord(request);
      service.openPage(record);
      return sendHtml(reply, 200, renderPaymentPage(record, view, formatKst(record.createdAtMs + options.tidTtlMs)));
    } catch (error) {
      return sendFlowError(reply, error);
    }
  };

  const act = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const { record } = findRecord(request);
      const raw = (request.body as Record<string, unknown> | undefined)?.action;
      const choice = typeof raw === 'string' && (PAGE_ACTIONS as readonly string[]).includes(raw)
        ? ACTIONS[raw as PageAction]
        : undefined;
      if (!choice) throw new SandboxFlowError(400, '알 수 없는 요청입니다. 버튼을 눌러 결제를 진행해 주세요.');
      const result = service.authorize(record, choice.action, choice.method);
      return reply.code(302).header('location', result.redirectUrl).header('cache-control', 'no-store').send();
    } catch (error) {
      return sendFlowError(reply, error);
    }
  };

  app.get('/mockup/v1/:token/:view', show);
  app.post('/mockup/v1/:token/:view', act);
  app.get('/pay/mockup/:token', show);
  app.post('/pay/mockup/:token', act);
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(html);
}
