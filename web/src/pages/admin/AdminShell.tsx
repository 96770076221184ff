/** The frame of every admin page: the page heading and the admin tabs. */
import type { ReactNode } from 'react';
import { Link, useLocation } from '../../router.tsx';
import { useAuth, useCan } from '../../auth.tsx';
import type { StaffPermissionValue } from '../../api.ts';

const TABS: { path: string; label: string; permission: StaffPermissionValue; match(p: string): boolean }[] = [
  { path: '/admin', label: '대시보드', permission: 'console.read', match: (p: string) => p === '/admin' },
  { path: '/admin/queues', label: '운영 대기열', permission: 'console.read', match: (p: string) => p === '/admin/queues' },
  { path: '/admin/payments', label: '결제 목록', permission: 'console.read', match: (p: string) => p === '/admin/payments' },
  { path: '/admin/users', label: '사용자 · 환불', permission: 'console.read', match: (p: string) => p.startsWith('/admin/user') || p === '/admin/timeline' },
  { path: '/admin/export', label: 'CSV 다운로드', permission: 'exports.download', match: (p: string) => p === '/admin/export' },
  { path: '/admin/engine', label: '엔진 연동', permission: 'engine.manage', match: (p: string) => p === '/admin/engine' },
  { path: '/admin/reports', label: '회계 리포트', permission: 'reports.read', match: (p: string) => p === '/admin/reports' },
  { path: '/admin/settlements', label: '정산 대사', permission: 'settlements.reconcile', match: (p: string) => p === '/admin/settlements' },
  { path: '/admin/audit', label: '작업 기록', permission: 'audit.read', match: (p: string) => p === '/admin/audit' },
  { path: '/admin/prices', label: '플랜 가격', permission: 'prices.manage', match: (p: string) => p === '/admin/prices' },
];

const ROLE_NAMES: Record<string, string> = { admin: '관리자', support: '고객지원', finance: '재무', user: '일반 사용자' };

/** Korean name of a role. */
export function roleName(role: string): string {
  return ROLE_NAMES[role] ?? role;
}

export function AdminShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const can = useCan();
  const { session } = useAuth();
  return (
    <>
      <h1 className="page-title">
        관리자 {session.state === 'user' && session.user.role !== 'admin' && <span className="muted small">({roleName(session.user.role)})</span>}
      </h1>
      <nav className="admin-tabs" aria-label="관리자 메뉴">
        <ul>
          {TABS.filter((t) => can(t.permission)).map((t) => (
            <li key={t.path}>
              <Link to={t.path} aria-current={t.match(pathname) ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </>
  );
}

/** "2025-07" + n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const idx = y * 12 + (m - 1) + n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}

/** Start of a Korea-time month as an ISO instant with offset ("2025-07-01T00:00:00+09:00"). */
export function monthStartKst(month: string): string {
  return `${month}-01T00:00:00+09:00`;
}

/** This month in Korea time ("2025-07"). */
export function currentMonthKst(): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  const y = parts.find((p) => p.type === 'year')!.value;
  const m = parts.find((p) => p.type === 'month')!.value;
  return `${y}-${m}`;
}
