/** The frame of every admin page: the page heading and the admin tabs. */
import type { ReactNode } from 'react';
import { Link, useLocation } from '../../router.tsx';

const TABS = [
  { path: '/admin', label: '대시보드', match: (p: string) => p === '/admin' },
  { path: '/admin/users', label: '사용자 · 환불', match: (p: string) => p.startsWith('/admin/user') },
  { path: '/admin/export', label: 'CSV 다운로드', match: (p: string) => p === '/admin/export' },
  { path: '/admin/engine', label: '엔진 연동', match: (p: string) => p === '/admin/engine' },
  { path: '/admin/prices', label: '플랜 가격', match: (p: string) => p === '/admin/prices' },
];

export function AdminShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <>
      <h1 className="page-title">관리자</h1>
      <nav className="admin-tabs" aria-label="관리자 메뉴">
        <ul>
          {TABS.map((t) => (
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
