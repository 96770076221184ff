import type { ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router.tsx';
import { useAuth } from '../auth.tsx';
import { KakaoPayMark, NaverPayMark } from './PayMarks.tsx';
import { LockIcon, Skeleton } from './ui.tsx';
import { useLegal } from '../legal.ts';

export interface NavItem {
  path: string;
  label: string;
}

function Brand() {
  return (
    <Link to="/" className="brand" aria-label="ShowMeTheStock 요금제 홈">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="8" fill="#2563eb" />
        <path d="M7 22l6-7 5 4 7-9" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span className="brand-name">
        ShowMe<span className="brand-accent">TheStock</span>
      </span>
    </Link>
  );
}

export function Layout({ nav, children }: { nav: NavItem[]; children: ReactNode }) {
  const { pathname, href } = useLocation();
  const { session, logout } = useAuth();
  const legal = useLegal();

  async function onLogout() {
    await logout();
    navigate('/');
  }

  const onAuthPage = pathname === '/login' || pathname === '/signup';
  const next = onAuthPage ? new URLSearchParams(window.location.search).get('next') ?? '/' : href;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        본문 바로가기
      </a>
      <header className="site-header">
        <div className="container header-inner">
          <Brand />
          <div className="account">
            {session.state === 'loading' && <Skeleton width="7.5rem" height="2.25rem" />}
            {session.state === 'user' && (
              <>
                <span className="account-email" title={session.user.email ?? undefined}>
                  {session.user.email ?? '회원'}
                </span>
                <button type="button" className="btn btn-ghost btn-sm" onClick={onLogout}>
                  로그아웃
                </button>
              </>
            )}
            {(session.state === 'anonymous' || session.state === 'error') && (
              <>
                <Link to={`/login?next=${encodeURIComponent(next)}`} className="btn btn-ghost btn-sm">
                  로그인
                </Link>
                <Link to={`/signup?next=${encodeURIComponent(next)}`} className="btn btn-primary btn-sm">
                  회원가입
                </Link>
              </>
            )}
          </div>
          <nav className="main-nav" aria-label="주 메뉴">
            <ul>
              {nav.map((item) => (
                <li key={item.path}>
                  <Link
                    to={item.path}
                    aria-current={pathname === item.path || (item.path !== '/' && pathname.startsWith(`${item.path}/`)) ? 'page' : undefined}
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="container main">
        {children}
      </main>
      <footer className="site-footer">
        <div className="container footer-inner">
          <p className="footer-secure">
            <LockIcon />
            결제는 카카오페이 · 네이버페이가 직접 처리하며, 카드 번호는 ShowMeTheStock에 저장되지 않습니다.
          </p>
          <p className="footer-marks" aria-label="지원 결제 수단: 카카오페이, 네이버페이">
            <KakaoPayMark size={20} />
            <NaverPayMark size={20} />
          </p>
          <p className="footer-links">
            <Link to="/terms">이용약관</Link>
            <Link to="/privacy">
              <strong>개인정보 수집 · 이용</strong>
            </Link>
          </p>
          {legal && (
            <address className="footer-business" aria-label="사업자 정보">
              <span>상호 {legal.business.name}</span>
              <span>대표자 {legal.business.representative}</span>
              <span>사업자등록번호 {legal.business.registration_number}</span>
              <span>통신판매업 신고번호 {legal.business.mail_order_report_number}</span>
              <span>주소 {legal.business.address}</span>
              <span>
                전화 <a href={`tel:${legal.business.phone.replace(/[^0-9+]/g, '')}`}>{legal.business.phone}</a>
              </span>
              <span>
                이메일 <a href={`mailto:${legal.business.email}`}>{legal.business.email}</a>
              </span>
              {legal.business.hosting_provider && <span>호스팅서비스 제공자 {legal.business.hosting_provider}</span>}
            </address>
          )}
          <p className="footer-copy">© ShowMeTheStock · 모든 금액은 부가세(VAT) 포함입니다.</p>
        </div>
      </footer>
    </div>
  );
}
