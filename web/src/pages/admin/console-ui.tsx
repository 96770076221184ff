/** Pieces shared by the operator console's pages: filter fields, tables, counts, paging, Korean labels. */
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

/** 이전 and 다음 buttons; `children` (a page count) stands between them. */
export function PrevNext({
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  children,
}: {
  hasPrev: boolean;
  hasNext: boolean;
  onPrev(): void;
  onNext(): void;
  children?: ReactNode;
}) {
  return (
    <>
      <button type="button" className="btn btn-secondary btn-sm" disabled={!hasPrev} onClick={onPrev}>
        이전
      </button>
      {children}
      <button type="button" className="btn btn-secondary btn-sm" disabled={!hasNext} onClick={onNext}>
        다음
      </button>
    </>
  );
}

/** 이전 / 다음 for an offset-paged list. */
export function OffsetPager({ total, offset, limit, onPage }: { total: number; offset: number; limit: number; onPage(offset: number): void }) {
  if (total <= limit) return null;
  return (
    <nav className="pager" aria-label="페이지">
      <PrevNext hasPrev={offset !== 0} hasNext={offset + limit < total} onPrev={() => onPage(Math.max(0, offset - limit))} onNext={() => onPage(offset + limit)}>
        <span className="muted small">
          {number(Math.floor(offset / limit) + 1)} / {number(Math.ceil(total / limit))} 페이지
        </span>
      </PrevNext>
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

/** The one row of a table with nothing to list. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="muted">
        {children}
      </td>
    </tr>
  );
}

/** Header of a column of buttons, named for screen readers only. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">작업</span>
    </th>
  );
}

/** A labelled field of a console form; `children` is the control (with its `id`) and any hint. */
export function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

/** The options of a filter select, [value, label] each; `all` puts 전체 (no filter) first. */
export function Choices({ choices, all = false }: { choices: Iterable<readonly [string, string]>; all?: boolean }) {
  return (
    <>
      {all && <option value="">전체</option>}
      {[...choices].map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </>
  );
}

/** 시작 월 and 끝 월 ("YYYY-MM") of a monthly report or export. */
export function MonthRangeFields({ id, from, to, onFrom, onTo }: { id: string; from: string; to: string; onFrom(v: string): void; onTo(v: string): void }) {
  return (
    <>
      <Field id={`${id}-from`} label="시작 월">
        <input id={`${id}-from`} type="month" value={from} max={to} onChange={(e) => onFrom(e.target.value)} />
      </Field>
      <Field id={`${id}-to`} label="끝 월">
        <input id={`${id}-to`} type="month" value={to} min={from} onChange={(e) => onTo(e.target.value)} />
      </Field>
    </>
  );
}

/** The message of a failed form or dialog submit, announced at once. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="dialog-error" role="alert">
      {error}
    </p>
  );
}

/** Payment status filters of the payments list and the CSV export (the list adds its own). */
export const PAYMENT_STATUS_CHOICES: [string, string][] = [
  ['approved', '결제 완료'],
  ['partially_refunded', '부분 환불'],
  ['refunded', '환불 완료'],
  ['declined', '실패'],
  ['abandoned', '취소됨'],
];

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
