/**
 * /admin/users?q=…&offset=…: find users by part of the e-mail or any id (user, payment, KakaoPay
 * tid / SID, NaverPay paymentId / recurrentId, subscription, refund), with the true total and pages.
 */
import { useEffect, useId, useState } from 'react';
import { api, type AdminUsersResponse } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { Link, navigate, useQuery } from '../../router.tsx';
import { CountLine, MATCH_LABEL, OffsetPager, withQuery } from './console-ui.tsx';
import { roleName } from './AdminShell.tsx';
import { shortDate, subscriptionStatus } from '../../format.ts';
import { Badge, Notice, Skeleton } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';

export function AdminUsersPage() {
  const id = useId();
  const query = useQuery();
  const q = (query.get('q') ?? '').trim();
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const data = useLoad<AdminUsersResponse | null>((signal) => (q ? api.admin.users(q, offset, signal) : Promise.resolve(null)), [q, offset]);

  return (
    <AdminShell>
      <h2 className="section-title">사용자 검색</h2>
      <form
        className="search-form card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const v = text.trim();
          navigate(v ? `/admin/users?q=${encodeURIComponent(v)}` : '/admin/users');
        }}
      >
        <label htmlFor={`${id}-q`} className="search-label">
          이메일 또는 사용자 ID · 결제 ID · 결제사 거래번호 · 정기결제 키
        </label>
        <div className="search-row">
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="예: kim@, usr_…, pay_…, T… (tid), S… (SID)"
            autoComplete="off"
            enterKeyHint="search"
            maxLength={254}
          />
          <button type="submit" className="btn btn-primary">
            검색
          </button>
        </div>
        <p className="field-hint">이메일은 일부로, ID와 거래번호는 전체를 입력해 주세요. 카카오페이 tid · SID, 네이버페이 paymentId · recurrentId로도 찾습니다.</p>
      </form>

      <div aria-live="polite" aria-busy={data.state === 'loading'}>
        {data.state === 'loading' && q && (
          <div className="card" aria-hidden="true">
            <Skeleton width="100%" height="1.4rem" />
            <Skeleton width="100%" height="1.4rem" />
          </div>
        )}
        {data.state === 'error' && (
          <Notice tone="danger" title="검색하지 못했습니다">
            {data.error.message}
          </Notice>
        )}
        {data.state === 'ready' && data.data && data.data.users.length === 0 && (
          <Notice tone="neutral" title="검색 결과가 없습니다">
            ‘{q}’와 일치하는 사용자가 없습니다.
          </Notice>
        )}
        {data.state === 'ready' && data.data && data.data.users.length > 0 && (
          <>
          <CountLine total={data.data.total} offset={data.data.offset} shown={data.data.users.length} unit="명" />
          <div className="card table-card">
            <table className="payments-table admin-table">
              <caption className="visually-hidden">‘{q}’ 검색 결과 총 {data.data.total}명</caption>
              <thead>
                <tr>
                  <th scope="col">이메일</th>
                  <th scope="col">가입일</th>
                  <th scope="col">구독</th>
                  <th scope="col">결제 · 환불</th>
                </tr>
              </thead>
              <tbody>
                {data.data.users.map((u) => {
                  const s = u.subscription;
                  const st = s ? subscriptionStatus(s.status, true) : null;
                  return (
                    <tr key={u.id}>
                      <td data-label="이메일">
                        <span className="cell-plan">{u.email ?? '(이메일 없음)'}</span>
                        {u.role !== 'user' && (
                          <>
                            {' '}
                            <Badge tone="info">{roleName(u.role)}</Badge>
                          </>
                        )}
                        <span className="muted small block mono">{u.id}</span>
                        {u.matched_by !== 'email' && (
                          <span className="muted small block" data-matched-by={u.matched_by}>
                            {MATCH_LABEL[u.matched_by]} 일치{u.matched_ref && u.matched_ref !== u.id ? ` · ${u.matched_ref}` : ''}
                          </span>
                        )}
                      </td>
                      <td data-label="가입일">{shortDate(u.created_at)}</td>
                      <td data-label="구독">
                        {s ? (
                          <>
                            {s.plan_name} <Badge tone={st!.tone}>{st!.label}</Badge>
                          </>
                        ) : (
                          <span className="muted">없음</span>
                        )}
                      </td>
                      <td data-label="결제 · 환불">
                        <Link to={`/admin/user?id=${encodeURIComponent(u.id)}`} className="btn btn-secondary btn-sm" aria-label={`${u.email ?? u.id} 결제 내역 보기`}>
                          결제 내역
                        </Link>{' '}
                        <Link to={`/admin/timeline?id=${encodeURIComponent(u.id)}`} className="btn btn-secondary btn-sm" aria-label={`${u.email ?? u.id} 타임라인 보기`}>
                          타임라인
                        </Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <OffsetPager
            total={data.data.total}
            offset={data.data.offset}
            limit={data.data.limit}
            onPage={(o) => navigate(withQuery('/admin/users', query, { offset: o ? String(o) : undefined }))}
          />
          </>
        )}
      </div>
    </AdminShell>
  );
}
