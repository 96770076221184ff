/**
 * Hosted pages (spec §3.4, §6.5): the payment page `/payments/{reserveId}` (mobile variant
 * `/m/payments/{reserveId}`) and the recurrent registration page `/payments/recurrent/{reserveId}`.
 * Buttons post back to the same URL; the result goes to `returnUrl` (page mode) or to the opener's
 * `onAuthorize` through `postMessage` (popup mode).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizeReserve, isSessionExpired, outcomeOf, popupData, type AuthorizeOutcome } from './naverpay-authorization.ts';
import type { SandboxState } from './naverpay-sandbox-state.ts';
import { AUTHORIZE_ACTIONS, type AuthorizeAction, type Reserve } from './naverpay-store.ts';

const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `29000` → `29,000원`. */
export function formatWon(amount: number): string {
  return `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}원`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Apple SD Gothic Neo","Malgun Gothic",sans-serif;background:#f4f6f8;color:#1e1e23}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:16px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
.brand{display:flex;align-items:center;gap:8px;margin-bottom:20px}
.logo{background:#03c75a;color:#fff;font-weight:800;border-radius:6px;padding:4px 8px}
.badge{font-size:12px;color:#03c75a;border:1px solid #03c75a;border-radius:10px;padding:2px 8px}
h1{font-size:20px;margin:0 0 16px}
dl{margin:0 0 20px;display:grid;grid-template-columns:auto 1fr;gap:10px 16px}
dt{color:#767676}dd{margin:0;text-align:right;word-break:break-all}
.amount{font-size:22px;font-weight:700;color:#03c75a}
button,.button{display:block;width:100%;font-size:16px;padding:14px;border-radius:10px;border:1px solid #d5d5d5;background:#fff;cursor:pointer;margin-top:8px;text-align:center;color:inherit;text-decoration:none}
button.primary,.button.primary{background:#03c75a;border-color:#03c75a;color:#fff;font-weight:700}
.row{display:flex;gap:8px}.row button{flex:1}
.note{font-size:13px;color:#767676;margin:16px 0 0;line-height:1.5}
.error{color:#e02020}
`;

export function renderLayout(title: string, content: string): string {
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="card">
<div class="brand"><span class="logo">N Pay</span><span class="badge">샌드박스</span></div>
${content}
</div>
</main>
</body>
</html>`;
}

export function renderMessagePage(title: string, message: string, link?: { href: string; label: string }): string {
  const linkHtml = link ? `<a class="button primary" id="continue" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>` : '';
  return renderLayout(title, `<h1>${escapeHtml(title)}</h1><p class="note">${escapeHtml(message)}</p>${linkHtml}`);
}

function renderPaymentPage(state: SandboxState, reserve: Reserve): string {
  const recurrent = reserve.kind === 'recurrent';
  const p = reserve.params;
  const rows = [
    ['가맹점', state.options.merchantName],
    ['상품명', p.productName],
    [recurrent ? '정기결제 금액' : '결제 금액', formatWon(p.totalPayAmount)],
  ];
  const dl = rows
    .map(([label, value], i) =>
      `<dt>${escapeHtml(label!)}</dt><dd${i === 2 ? ' class="amount" id="amount"' : i === 1 ? ' id="product-name"' : ''}>${escapeHtml(value!)}</dd>`,
    )
    .join('');
  const title = recurrent ? '정기결제 등록' : '결제하기';
  return renderLayout(
    `네이버페이 ${title} (샌드박스)`,
    `<h1>${recurrent ? '정기결제 수단 등록' : '결제 정보 확인'}</h1>
<dl>${dl}</dl>
<p class="note">결제수단: 신한카드 465887******** (테스트 카드)</p>
<form method="post">
<button type="submit" id="approve" class="primary" name="action" value="approve">${recurrent ? '등록하기' : '결제하기'}</button>
<div class="row">
<button type="submit" id="cancel" name="action" value="cancel">취소</button>
<button type="submit" id="fail" name="action" value="fail">결제 실패</button>
</div>
<button type="submit" id="expire" name="action" value="expire">세션 만료</button>
</form>
<p class="note">실제 결제가 이루어지지 않는 테스트 환경입니다. '결제 실패'는 본인 명의 인증 실패(OwnerAuthFail)를 재현합니다.</p>`,
  );
}

/** Popup mode: hand the result to the opener (`onAuthorize`), else fall back to `returnUrl`. */
function renderPopupResult(outcome: AuthorizeOutcome): string {
  const payload = JSON.stringify({ type: 'naverpay-sandbox:authorize', data: popupData(outcome) }).replace(/</g, '\\u003c');
  const redirect = JSON.stringify(outcome.redirectUrl).replace(/</g, '\\u003c');
  return renderLayout(
    '네이버페이 (샌드박스)',
    `<h1>처리되었습니다</h1><p class="note">이 창은 자동으로 닫힙니다.</p>
<script>
(function () {
  var message = ${payload};
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, '*');
    window.close();
    return;
  }
  window.location.replace(${redirect});
})();
</script>`,
  );
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-type', HTML_CONTENT_TYPE).header('cache-control', 'no-store').send(html);
}

export function sendOutcome(reply: FastifyReply, reserve: Reserve, outcome: AuthorizeOutcome): FastifyReply {
  if (reserve.openType === 'popup') return sendHtml(reply, 200, renderPopupResult(outcome));
  return reply.code(302).header('location', outcome.redirectUrl).header('cache-control', 'no-store').send();
}

export function registerHostedPages(app: FastifyInstance, state: SandboxState): void {
  function findReserve(request: FastifyRequest, kind: Reserve['kind']): Reserve | undefined {
    const { reserveId } = request.params as { reserveId: string };
    const reserve = state.store.reserves.get(reserveId);
    return reserve && reserve.kind === kind ? reserve : undefined;
  }

  function notFound(reply: FastifyReply): FastifyReply {
    return sendHtml(reply, 404, renderMessagePage('결제 정보를 찾을 수 없습니다', '유효하지 않거나 만료된 결제 요청입니다.'));
  }

  function alreadyDone(reply: FastifyReply, status: number, outcome: AuthorizeOutcome): FastifyReply {
    return sendHtml(
      reply,
      status,
      renderMessagePage('이미 처리된 요청입니다', '이 결제 요청은 이미 완료되었거나 취소되었습니다.', {
        href: outcome.redirectUrl,
        label: '가맹점으로 돌아가기',
      }),
    );
  }

  const show = (kind: Reserve['kind']) => async (request: FastifyRequest, reply: FastifyReply) => {
    const reserve = findReserve(request, kind);
    if (!reserve) return notFound(reply);
    if (isSessionExpired(state, reserve)) {
      const result = authorizeReserve(state, reserve, 'expire');
      return sendOutcome(reply, reserve, result.outcome);
    }
    if (reserve.decision) return alreadyDone(reply, 200, outcomeOf(reserve));
    return sendHtml(reply, 200, renderPaymentPage(state, reserve));
  };

  const decide = (kind: Reserve['kind']) => async (request: FastifyRequest, reply: FastifyReply) => {
    const reserve = findReserve(request, kind);
    if (!reserve) return notFound(reply);
    const body = request.body;
    const action = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).action : undefined;
    if (typeof action !== 'string' || !(AUTHORIZE_ACTIONS as readonly string[]).includes(action)) {
      return sendHtml(reply, 400, renderMessagePage('잘못된 요청입니다', '알 수 없는 동작입니다.'));
    }
    const result = authorizeReserve(state, reserve, action as AuthorizeAction);
    if (!result.ok) return alreadyDone(reply, 409, result.outcome);
    return sendOutcome(reply, reserve, result.outcome);
  };

  for (const prefix of ['', '/m']) {
    app.get(`${prefix}/payments/:reserveId`, show('onetime'));
    app.post(`${prefix}/payments/:reserveId`, decide('onetime'));
    app.get(`${prefix}/payments/recurrent/:reserveId`, show('recurrent'));
    app.post(`${prefix}/payments/recurrent/:reserveId`, decide('recurrent'));
  }
}
