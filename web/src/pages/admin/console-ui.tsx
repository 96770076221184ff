/** Pieces shared by the operator console's lists: counts, offset paging, Korean labels. */
import type { ReactNode } from 'react';
import { number } from '../../format.ts';

/** "총 1,000건 중 1–50" (the server's true total, not the page size). */
export function CountLine({ total, offset, shown, unit = '건' }: { total: number; offset: number; shown: number; unit?: string }) {
  return (
    <p className="list-count" data-total={total}>
      총 <strong>{number(total)}</strong>
      {unit}
      {total > 0 && shown > 0 && (
        <span className="muted">
          {' '}
          중 {number(offset + 1)}–{number(offset + shown)}
        </span>
      )}
    </p>
  );
}

/** 이전 / 다음 for an offset-paged list. */
export function OffsetPager({ total, offset, limit, onPage }: { total: number; offset: number; limit: number; onPage(offset: number): void }) {
  if (total <= limit) return null;
  return (
    <nav className="pager" aria-label="페이지">
      <button type="button" className="btn btn-secondary btn-sm" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        이전
      </button>
      <span className="muted small">
        {number(Math.floor(offset / limit) + 1)} / {number(Math.ceil(total / limit))} 페이지
      </span>
      <button type="button" className="btn btn-secondary btn-sm" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)}>
        다음
      </button>
    </nav>
  );
}

export function TableCard({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="card table-card">
      <table className="payments-table admin-table">
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export const MATCH_LABEL: Record<string, string> = {
  user_id: '사용자 ID',
  email: '이메일',
  payment_id: '결제 ID',
  provider_ref: '결제사 거래번호 (tid · paymentId)',
  billing_key: '정기결제 키 (SID · recurrentId)',
  subscription_id: '구독 ID',
  refund_id: '환불 ID',
};

export const SOURCE_LABEL: Record<string, string> = {
  payment: '결제',
  refund: '환불',
  subscription_event: '구독 변경',
  notice: '안내 메일',
  webhook_delivery: '웹훅 전송',
  usage: '기능 사용',
  consent: '약관 동의',
  admin_action: '운영자 작업',
};

/** The query string with `patch` applied (empty values removed), for filter links. */
export function withQuery(path: string, current: URLSearchParams, patch: Record<string, string | undefined>): string {
  const q = new URLSearchParams(current);
  for (const [k, v] of Object.entries(patch)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
