/**
 * /admin/payments: every payment, newest first, filtered by status, provider, plan, date range
 * (Korea-time days) and amount range. The filters live in the URL; pages follow the server's
 * cursor, and the count is the server's total for the filters.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { api } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { Link, navigate, useQuery } from '../../router.tsx';
import { dateTime, KIND_LABEL, paymentStatus, PROVIDER_NAMES, won } from '../../format.ts';
import { Badge, Notice, Skeleton } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { Choices, CountLine, Field, PAYMENT_STATUS_CHOICES, PrevNext, TableCard } from './console-ui.tsx';

const STATUSES: [string, string][] = [...PAYMENT_STATUS_CHOICES, ['unknown,approving', '결과 확인 중'], ['ready', '대기']];
const PLANS: [string, string][] = [
  ['standard', '스탠다드'],
  ['premium', '프리미엄'],
  ['pro', '프로'],
];
const FIELDS = ['status', 'provider', 'plan', 'from', 'to', 'min_krw', 'max_krw'] as const;
type FilterField = (typeof FIELDS)[number];

/** A Korea-time calendar day as the instant it starts ("2026-03-01" → "2026-03-01T00:00:00+09:00"). */
const dayStart = (d: string) => `${d}T00:00:00+09:00`;
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00+09:00`) + 86_400_000).toISOString();

export function AdminPaymentsPage() {
  const id = useId();
  const query = useQuery();
  const applied = Object.fromEntries(FIELDS.map((f) => [f, query.get(f) ?? ''])) as Record<FilterField, string>;
  const key = FIELDS.map((f) => applied[f]).join('|');
  const [form, setForm] = useState(applied);
  useEffect(() => setForm(applied), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  // Cursors of the pages shown so far (the first page has none).
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [key]);
  const cursor = cursors[cursors.length - 1];

  const data = useLoad(
    (signal) =>
      api.admin.payments(
        {
          status: applied.status || undefined,
          provider: applied.provider || undefined,
          plan: applied.plan || undefined,
          from: applied.from ? dayStart(applied.from) : undefined,
          to: applied.to ? nextDay(applied.to) : undefined,
          min_krw: applied.min_krw || undefined,
          max_krw: applied.max_krw || undefined,
          cursor,
        },
        signal,
      ),
    [key, cursor],
  );

  function submit() {
    const q = new URLSearchParams();
    for (const f of FIELDS) if (form[f].trim()) q.set(f, form[f].trim());
    const s = q.toString();
    navigate(s ? `/admin/payments?${s}` : '/admin/payments');
  }
  const field = (f: FilterField, label: string, input: ReactNode) => (
    <Field id={`${id}-${f}`} label={label}>
      {input}
    </Field>
  );
  const set = (f: FilterField) => (e: { target: { value: string } }) => setForm((v) => ({ ...v, [f]: e.target.value }));
  const offset = cursors.length * 50;

  return (
    <AdminShell>
      <h2 className="section-title">결제 목록</h2>
      <form
        className="card filter-form"
        aria-label="결제 필터"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="filter-grid">
          {field('status', '상태', (
            <select id={`${id}-status`} value={form.status} onChange={set('status')}>
              <Choices all choices={STATUSES} />
            </select>
          ))}
          {field('provider', '결제사', (
            <select id={`${id}-provider`} value={form.provider} onChange={set('provider')}>
              <Choices all choices={Object.entries(PROVIDER_NAMES)} />
            </select>
          ))}
          {field('plan', '플랜', (
            <select id={`${id}-plan`} value={form.plan} onChange={set('plan')}>
              <Choices all choices={PLANS} />
            </select>
          ))}
          {field('from', '시작일', <input id={`${id}-from`} type="date" value={form.from} onChange={set('from')} />)}
          {field('to', '종료일', <input id={`${id}-to`} type="date" value={form.to} min={form.from || undefined} onChange={set('to')} />)}
          {field('min_krw', '최소 금액 (원)', <input id={`${id}-min_krw`} inputMode="numeric" pattern="[0-9]*" value={form.min_krw} onChange={set('min_krw')} />)}
          {field('max_krw', '최대 금액 (원)', <input id={`${id}-max_krw`} inputMode="numeric" pattern="[0-9]*" value={form.max_krw} onChange={set('max_krw')} />)}
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">적용</button>
          <button type="button" className="btn btn-secondary" onClick={() => navigate('/admin/payments')}>초기화</button>
        </div>
      </form>

      <div aria-live="polite" aria-busy={data.state === 'loading'}>
        {data.state === 'loading' && <Skeleton width="100%" height="6rem" />}
        {data.state === 'error' && <Notice tone="danger" title="결제 목록을 불러오지 못했습니다">{data.error.message}</Notice>}
        {data.state === 'ready' && (
          <>
            <CountLine total={data.data.total} offset={offset} shown={data.data.payments.length} />
            {data.data.payments.length === 0 ? (
              <Notice tone="neutral" title="조건에 맞는 결제가 없습니다" />
            ) : (
              <TableCard caption={`결제 목록 총 ${data.data.total}건`}>
                <thead>
                  <tr>
                    <th scope="col">결제 시각</th>
                    <th scope="col">사용자</th>
                    <th scope="col">플랜 · 종류</th>
                    <th scope="col">금액</th>
                    <th scope="col">결제사 · 거래번호</th>
                    <th scope="col">상태</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.payments.map((p) => {
                    const st = paymentStatus(p.status);
                    return (
                      <tr key={p.id} data-id={p.id}>
                        <td data-label="결제 시각">{dateTime(p.created_at)}<span className="muted small block mono">{p.id}</span></td>
                        <td data-label="사용자"><Link to={`/admin/timeline?id=${encodeURIComponent(p.user_id)}`} className="mono small">{p.user_id}</Link></td>
                        <td data-label="플랜 · 종류">{p.plan_name} <span className="muted small block">{KIND_LABEL[p.kind] ?? p.kind}</span></td>
                        <td data-label="금액">{won(p.amount_krw)}{p.refunded_krw > 0 && <span className="refund-note">환불 {won(p.refunded_krw)}</span>}</td>
                        <td data-label="결제사 · 거래번호">{p.provider_name}<span className="muted small block mono">{p.provider_ref ?? '-'}</span></td>
                        <td data-label="상태"><Badge tone={st.tone}>{st.label}</Badge></td>
                      </tr>
                    );
                  })}
                </tbody>
              </TableCard>
            )}
            <nav className="pager" aria-label="페이지">
              <PrevNext
                hasPrev={cursors.length > 0}
                hasNext={!!data.data.next_cursor}
                onPrev={() => setCursors((c) => c.slice(0, -1))}
                onNext={() => setCursors((c) => [...c, data.data.next_cursor!])}
              />
            </nav>
          </>
        )}
      </div>
    </AdminShell>
  );
}
