import { formatWon } from './kakaopay-amounts.ts';
import type { PaymentRecord } from './kakaopay-store.ts';

/** Which redirect URL the page was opened from. */
export type PageView = 'pc' | 'mobile' | 'app';

/** Form values of the page's buttons (`name="action"`). */
export const PAGE_ACTIONS = ['approve-card', 'approve-money', 'cancel', 'fail'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

const VIEW_LABELS: Record<PageView, string> = { pc: 'PC 결제', mobile: '모바일 결제', app: '앱 결제' };

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;background:#f5f5f5;color:#191919}
.wrap{max-width:420px;margin:0 auto;padding:24px 16px}
.brand{background:#fee500;border-radius:16px 16px 0 0;padding:16px 20px;font-weight:700;font-size:18px;display:flex;justify-content:space-between;align-items:center}
.badge{font-size:12px;font-weight:600;background:#191919;color:#fee500;border-radius:999px;padding:3px 10px}
.card{background:#fff;border-radius:0 0 16px 16px;padding:20px;box-shadow:0 2px 8px rgba(0,0,0,.06)}
.item{font-size:16px;color:#555;margin:0 0 6px}
.total{font-size:30px;font-weight:800;margin:0 0 16px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;font-size:13px;color:#666;margin:0 0 20px}
dd{margin:0;text-align:right;word-break:break-all}
form{display:flex;flex-direction:column;gap:10px}
button{font:inherit;font-size:16px;font-weight:700;border:0;border-radius:12px;padding:15px;cursor:pointer}
.primary{background:#fee500;color:#191919}
.secondary{background:#f0f0f0;color:#333}
.danger{background:#fff;color:#d93025;border:1px solid #f1c3bf}
.note{font-size:12px;color:#888;text-align:center;margin-top:16px;line-height:1.5}
.message{font-size:16px;line-height:1.6;margin:8px 0 0}
`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="wrap">
${body}
<p class="note">테스트용 카카오페이 샌드박스 화면입니다. 실제 결제는 이루어지지 않습니다.</p>
</main>
</body>
</html>`;
}

/** The payment page: item, total and the user's choices as real `<button>`s in a POST form. */
export function renderPaymentPage(record: PaymentRecord, view: PageView, expiresAtKst: string): string {
  const allowCard = record.allowedMethod !== 'MONEY';
  const allowMoney = record.allowedMethod !== 'CARD';
  const buttons = [
    allowCard ? '<button type="submit" class="primary" id="approve-card" name="action" value="approve-card">카드로 결제</button>' : '',
    allowMoney ? '<button type="submit" class="primary" id="approve-money" name="action" value="approve-money">카카오페이머니로 결제</button>' : '',
    '<button type="submit" class="secondary" id="cancel" name="action" value="cancel">결제 취소</button>',
    '<button type="submit" class="danger" id="fail" name="action" value="fail">인증 실패</button>',
  ]
    .filter(Boolean)
    .join('\n');
  const cards = record.availableCards?.length
    ? `<dt>사용 가능 카드</dt><dd>${escapeHtml(record.availableCards.join(', '))}</dd>`
    : '';
  const body = `<div class="brand"><span>kakao<b>pay</b></span><span class="badge">${VIEW_LABELS[view]}</span></div>
<section class="card">
<p class="item" id="item-name">${escapeHtml(record.itemName)}</p>
<p class="total" id="total-amount">${formatWon(record.amount.total)}</p>
<dl>
<dt>주문번호</dt><dd>${escapeHtml(record.partnerOrderId)}</dd>
<dt>수량</dt><dd>${record.quantity}</dd>
${cards}
<dt>결제 유효시간</dt><dd>${escapeHtml(expiresAtKst.replace('T', ' '))}까지</dd>
</dl>
<form method="post">
${buttons}
</form>
</section>`;
  return layout(`카카오페이 결제 - ${record.itemName}`, body);
}

/** A page with only a message: expired, finished or unknown payment. */
export function renderMessagePage(title: string, message: string): string {
  const body = `<div class="brand"><span>kakao<b>pay</b></span></div>
<section class="card">
<h1 class="total" style="font-size:22px">${escapeHtml(title)}</h1>
<p class="message" id="message">${escapeHtml(message)}</p>
</section>`;
  return layout(title, body);
}
