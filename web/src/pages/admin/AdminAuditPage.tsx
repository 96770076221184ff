/** /admin/audit: every staff action (who, what, when, why, before/after), filtered, paged, as CSV. */
import { useId, useState } from 'react';
import { ACTION_LABELS, auditCsvUrl, consoleApi, type AuditFilter } from '../../console-api.ts';
import { useLoad } from '../../hooks.ts';
import { dateTime, number } from '../../format.ts';
import { Notice, Skeleton } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { Choices, EmptyRow, Field, PrevNext } from './console-ui.tsx';

function changes(before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys
    .slice(0, 6)
    .map((k) => `${k}: ${show(b[k])} → ${show(a[k])}`)
    .join('\n');
}

export function AdminAuditPage() {
  const id = useId();
  const [draft, setDraft] = useState<AuditFilter>({});
  const [filter, setFilter] = useState<AuditFilter>({});
  const [page, setPage] = useState(1);
  const data = useLoad((signal) => consoleApi.audit(filter, page, signal), [JSON.stringify(filter), page]);
  const pages = data.state === 'ready' ? Math.max(1, Math.ceil(data.data.total / data.data.page_size)) : 1;
  const set = (k: keyof AuditFilter) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));

  return (
    <AdminShell>
      <h2 className="section-title">관리 작업 기록</h2>
      <form
        className="card export-card"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilter(draft);
        }}
      >
        <div className="export-grid">
          <Field id={`${id}-actor`} label="작업자 (이메일 또는 ID)">
            <input id={`${id}-actor`} value={draft.actor ?? ''} onChange={set('actor')} />
          </Field>
          <Field id={`${id}-action`} label="작업">
            <select id={`${id}-action`} value={draft.action ?? ''} onChange={set('action')}>
              <Choices all choices={Object.entries(ACTION_LABELS)} />
            </select>
          </Field>
          <Field id={`${id}-from`} label="시작일">
            <input id={`${id}-from`} type="date" value={draft.from ?? ''} onChange={set('from')} />
          </Field>
          <Field id={`${id}-to`} label="종료일">
            <input id={`${id}-to`} type="date" value={draft.to ?? ''} onChange={set('to')} />
          </Field>
        </div>
        <div className="card-actions">
          <button type="submit" className="btn btn-primary">
            조회
          </button>
          <a className="btn btn-secondary" href={auditCsvUrl(filter)} download>
            CSV 다운로드
          </a>
        </div>
      </form>
      {data.state === 'loading' && <Skeleton height="8rem" />}
      {data.state === 'error' && <Notice tone="danger" title="기록을 불러오지 못했습니다">{data.error.message}</Notice>}
      {data.state === 'ready' && (
        <div className="card table-card" data-loaded="audit">
          <p className="muted small" data-testid="audit-total">
            {number(data.data.total)}건 · {page}/{pages} 페이지
          </p>
          <table className="payments-table admin-table">
            <caption className="visually-hidden">관리 작업 기록: 시각, 작업자, 작업, 대상, 사유, 변경 내용</caption>
            <thead>
              <tr>
                <th scope="col">시각</th>
                <th scope="col">작업자</th>
                <th scope="col">작업</th>
                <th scope="col">대상</th>
                <th scope="col">사유</th>
                <th scope="col">변경 내용</th>
              </tr>
            </thead>
            <tbody>
              {data.data.entries.map((e) => (
                <tr key={e.id} data-audit-id={e.id} data-action={e.action}>
                  <td data-label="시각">{dateTime(e.created_at)}</td>
                  <td data-label="작업자">{e.actor_email ?? e.actor_user_id}</td>
                  <td data-label="작업">{ACTION_LABELS[e.action] ?? e.action}</td>
                  <td data-label="대상" className="mono small">
                    {e.target_type} {e.target_id}
                  </td>
                  <td data-label="사유">{e.reason ?? '—'}</td>
                  <td data-label="변경 내용" className="small" style={{ whiteSpace: 'pre-line' }}>
                    {changes(e.before, e.after) || '—'}
                  </td>
                </tr>
              ))}
              {data.data.entries.length === 0 && <EmptyRow colSpan={6}>조건에 맞는 기록이 없습니다.</EmptyRow>}
            </tbody>
          </table>
          <div className="card-actions">
            <PrevNext hasPrev={page > 1} hasNext={page < pages} onPrev={() => setPage(page - 1)} onNext={() => setPage(page + 1)} />
          </div>
        </div>
      )}
    </AdminShell>
  );
}
