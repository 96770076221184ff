/**
 * /admin/timeline?id=…: one user's history from every source (payments, refunds, subscription and
 * plan changes, notices, webhook deliveries, usage), newest first, with the total and "더 보기".
 * Admins also set the user's staff role here.
 */
import { useEffect, useId, useState } from 'react';
import { api, ApiFailure, type RoleValue, type TimelineEntryView, type TimelineResponse } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { useLoad } from '../../hooks.ts';
import { Link, navigate, useQuery } from '../../router.tsx';
import { dateTime, KIND_LABEL, paymentStatus, PROVIDER_NAMES, refundKind, refundStatus, subscriptionStatus, won } from '../../format.ts';
import { Badge, Notice, Skeleton, Spinner } from '../../components/ui.tsx';
import { AdminShell, roleName } from './AdminShell.tsx';
import { CountLine, SOURCE_LABEL, withQuery } from './console-ui.tsx';

const SOURCES = Object.keys(SOURCE_LABEL);

const EVENT_LABEL: Record<string, string> = {
  created: '구독 시작',
  renewed: '자동 갱신',
  plan_upgraded: '플랜 업그레이드',
  downgrade_scheduled: '다운그레이드 예약',
  downgrade_canceled: '다운그레이드 취소',
  auto_renew_off: '자동 갱신 해지',
  auto_renew_on: '자동 갱신 재개',
  renewal_failed: '갱신 결제 실패',
  expired: '만료',
  ended: '종료',
  ended_by_refund: '환불로 종료',
  canceled_by_user: '사용자 해지',
  canceled_now: '즉시 해지',
  price_consented: '가격 변경 동의',
  period_paid: '기간 결제',
  period_moved: '기간 조정',
};
const NOTICE_LABEL: Record<string, string> = {
  renewal_upcoming: '갱신 예정 안내',
  price_change_consent: '가격 변경 동의 요청',
  renewal_failed: '결제 실패 안내',
  subscription_expired: '만료 안내',
  subscription_ended: '종료 안내',
};

function describe(e: TimelineEntryView): { title: string; sub: string | null; badge: { label: string; tone: Parameters<typeof Badge>[0]['tone'] } | null } {
  const d = e.detail as Record<string, any>;
  switch (e.source) {
    case 'payment':
      return { title: `${KIND_LABEL[e.type] ?? e.type} ${won(e.amount_krw ?? 0)}`, sub: `${PROVIDER_NAMES[d.provider] ?? d.provider} · ${d.plan_id}${d.provider_ref ? ` · ${d.provider_ref}` : ''}`, badge: paymentStatus(e.status ?? '') };
    case 'refund':
      return { title: `${refundKind(e.type)} ${won(e.amount_krw ?? 0)}`, sub: `${d.reason ?? ''} · 결제 ${d.payment_id}`, badge: refundStatus(e.status ?? '') };
    case 'subscription_event': {
      const data = (d.data ?? {}) as Record<string, unknown>;
      const plans = data.from && data.to ? ` (${data.from} → ${data.to})` : '';
      return { title: `${EVENT_LABEL[e.type] ?? e.type}${plans}`, sub: d.from_status ? `${d.from_status} → ${d.to_status}` : d.to_status, badge: null };
    }
    case 'notice':
      return { title: NOTICE_LABEL[e.type] ?? e.type, sub: `${d.subject}${d.recipient ? ` · ${d.recipient}` : ''}`, badge: { label: e.status === 'sent' ? '발송됨' : e.status === 'failed' ? '발송 실패' : e.status === 'skipped' ? '건너뜀' : '발송 대기', tone: e.status === 'sent' ? 'success' : e.status === 'failed' ? 'danger' : 'neutral' } };
    case 'webhook_delivery':
      return { title: `웹훅 ${e.type}`, sub: `시도 ${d.attempts}회${d.last_status_code ? ` · HTTP ${d.last_status_code}` : ''}`, badge: { label: e.status === 'succeeded' ? '전송됨' : e.status === 'failed' ? '전송 실패' : '대기', tone: e.status === 'succeeded' ? 'success' : e.status === 'failed' ? 'danger' : 'warning' } };
    case 'usage':
      return { title: `기능 사용: ${e.type}`, sub: null, badge: null };
    case 'consent':
      return { title: `${CONSENT_LABEL[e.type] ?? e.type} 동의`, sub: `버전 ${d.version}${d.payment_id ? ` · 결제 ${d.payment_id}` : ''}`, badge: null };
    case 'admin_action':
      return { title: `운영자 작업: ${e.type}`, sub: `${d.reason ? `사유: ${d.reason} · ` : ''}작업자 ${d.actor_user_id}`, badge: null };
    default:
      return { title: e.type, sub: null, badge: null };
  }
}

const CONSENT_LABEL: Record<string, string> = { terms: '이용약관', privacy: '개인정보 수집 · 이용', order: '주문 내용 확인 및 결제' };

export function AdminTimelinePage() {
  const query = useQuery();
  const userId = query.get('id') ?? '';
  const sources = query.get('sources') ?? '';
  const [pages, setPages] = useState<TimelineResponse[]>([]);
  const [more, setMore] = useState<'idle' | 'loading' | Error>('idle');
  const first = useLoad((signal) => (userId ? api.admin.timeline(userId, { sources: sources || undefined }, signal) : Promise.resolve(null)), [userId, sources]);
  useEffect(() => setPages([]), [userId, sources]);
  const can = useCan();

  if (!userId) return <AdminShell><Notice tone="neutral" title="사용자를 먼저 검색해 주세요"><Link to="/admin/users">사용자 검색</Link></Notice></AdminShell>;
  const all = first.state === 'ready' && first.data ? [first.data, ...pages] : [];
  const entries = all.flatMap((p) => p.entries);
  const last = all[all.length - 1];
  const head = all[0];
  const selected = sources ? sources.split(',') : SOURCES;

  async function loadMore() {
    if (!last?.next_cursor) return;
    setMore('loading');
    try {
      const next = await api.admin.timeline(userId, { sources: sources || undefined, cursor: last.next_cursor });
      setPages((p) => [...p, next]);
      setMore('idle');
    } catch (err) {
      setMore(err as Error);
    }
  }

  return (
    <AdminShell>
      <p className="back-link">
        <Link to="/admin/users">← 사용자 검색</Link>
      </p>
      {first.state === 'loading' && <Skeleton width="100%" height="6rem" />}
      {first.state === 'error' && <Notice tone="danger" title="타임라인을 불러오지 못했습니다">{first.error.message}</Notice>}
      {head && (
        <>
          <section className="card" aria-labelledby="timeline-user">
            <h2 id="timeline-user" className="user-email">{head.user.email ?? head.user.id}</h2>
            <p className="muted small mono">{head.user.id}</p>
            <p>
              역할: <strong data-role={head.user.role}>{roleName(head.user.role)}</strong>
              {head.user.subscription && <> · 구독: {head.user.subscription.plan_name} ({subscriptionStatus(head.user.subscription.status, true).label})</>}
              {' · '}
              <Link to={`/admin/user?id=${encodeURIComponent(userId)}`}>결제 · 환불</Link>
            </p>
            {can('staff.manage') && <RoleForm userId={userId} role={head.user.role} />}
          </section>

          <fieldset className="card source-filter">
            <legend>보여줄 기록</legend>
            {SOURCES.map((src) => (
              <label key={src} className="checkbox">
                <input
                  type="checkbox"
                  checked={selected.includes(src)}
                  onChange={(e) => {
                    const next = e.target.checked ? [...selected, src] : selected.filter((x) => x !== src);
                    if (next.length === 0) return;
                    navigate(withQuery('/admin/timeline', query, { sources: next.length === SOURCES.length ? undefined : SOURCES.filter((x) => next.includes(x)).join(',') }));
                  }}
                />{' '}
                {SOURCE_LABEL[src]}
              </label>
            ))}
          </fieldset>

          <h3 className="subsection-title">타임라인</h3>
          <CountLine total={head.total} offset={0} shown={entries.length} />
          {entries.length === 0 ? (
            <Notice tone="neutral" title="기록이 없습니다" />
          ) : (
            <ol className="timeline" aria-label="사용자 타임라인">
              {entries.map((e) => {
                const x = describe(e);
                return (
                  <li key={`${e.source}:${e.id}`} className="timeline-item card" data-source={e.source} data-id={e.id}>
                    <time dateTime={e.at}>{dateTime(e.at)}</time>
                    <span className="timeline-source">{SOURCE_LABEL[e.source]}</span>
                    <span className="timeline-title">{x.title}</span>
                    {x.badge && <Badge tone={x.badge.tone}>{x.badge.label}</Badge>}
                    {x.sub && <span className="muted small block">{x.sub}</span>}
                  </li>
                );
              })}
            </ol>
          )}
          {more instanceof Error && <Notice tone="danger">{more.message}</Notice>}
          {last?.next_cursor && (
            <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={more === 'loading'}>
              {more === 'loading' ? <Spinner label="불러오는 중…" /> : '더 보기'}
            </button>
          )}
        </>
      )}
    </AdminShell>
  );
}

function RoleForm({ userId, role }: { userId: string; role: RoleValue }) {
  const id = useId();
  const [current, setCurrent] = useState<RoleValue>(role);
  const [value, setValue] = useState<RoleValue>(role);
  const [state, setState] = useState<'idle' | 'busy' | { tone: 'success' | 'danger'; text: string }>('idle');
  useEffect(() => {
    setCurrent(role);
    setValue(role);
  }, [role]);
  return (
    <form
      className="role-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setState('busy');
        try {
          const r = await api.admin.setRole(userId, value);
          setCurrent(r.user.role);
          setState({ tone: 'success', text: `역할을 ${roleName(r.previous_role)}에서 ${roleName(r.user.role)}(으)로 바꿨습니다.` });
        } catch (err) {
          setState({ tone: 'danger', text: err instanceof ApiFailure ? err.message : '역할을 바꾸지 못했습니다.' });
        }
      }}
    >
      <label htmlFor={`${id}-role`}>역할 변경</label>
      <select id={`${id}-role`} value={value} onChange={(e) => setValue(e.target.value as RoleValue)}>
        {(['user', 'support', 'finance', 'admin'] as const).map((r) => (
          <option key={r} value={r}>{roleName(r)}</option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary btn-sm" disabled={state === 'busy' || value === current}>
        저장
      </button>
      <span aria-live="polite">{typeof state === 'object' && <Notice tone={state.tone}>{state.text}</Notice>}</span>
    </form>
  );
}
