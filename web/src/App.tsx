import { useEffect, useRef } from 'react';
import { useAuth } from './auth.tsx';
import { useTitle } from './hooks.ts';
import { matchRoute, navigate, useLocation } from './router.tsx';
import { notFoundRoute, routes } from './routes.tsx';
import { Layout, type NavItem } from './components/Layout.tsx';
import { Notice, Spinner } from './components/ui.tsx';

export function App() {
  const { pathname, href } = useLocation();
  const { session, refresh } = useAuth();
  const route = matchRoute(routes, pathname) ?? notFoundRoute;
  useTitle(route.title);

  const guarded = route.auth || route.admin || route.permission;
  const needsLogin = guarded && session.state === 'anonymous';
  useEffect(() => {
    if (needsLogin) navigate(`/login?next=${encodeURIComponent(href)}`, { replace: true });
  }, [needsLogin, href]);

  // After in-app navigation, move focus to the new page (screen readers) and scroll to the top.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);

  const role = session.state === 'user' ? session.user.role : null;
  const perms = session.state === 'user' ? session.user.permissions : [];
  const nav: NavItem[] = routes
    .filter((r) => r.nav && (!r.auth || role) && (!r.admin || role === 'admin') && (!r.permission || perms.includes(r.permission)))
    .sort((a, b) => a.nav!.order - b.nav!.order)
    .map((r) => ({ path: r.path, label: r.nav!.label }));

  let content;
  if (!guarded) content = route.render();
  else if (session.state === 'loading' || session.state === 'anonymous') {
    content = (
      <div className="page-loading" role="status">
        <Spinner label="불러오는 중…" />
      </div>
    );
  } else if (session.state === 'error') {
    content = (
      <Notice
        tone="danger"
        title="로그인 상태를 확인하지 못했습니다"
        action={
          <button type="button" className="btn btn-secondary btn-sm" onClick={refresh}>
            다시 시도
          </button>
        }
      >
        {session.message}
      </Notice>
    );
  } else if (route.admin && session.user.role !== 'admin') {
    content = <Notice tone="warning" title="접근 권한이 없습니다">관리자만 볼 수 있는 화면입니다.</Notice>;
  } else if (route.permission && session.user.permissions.length === 0) {
    content = <Notice tone="warning" title="접근 권한이 없습니다">관리자만 볼 수 있는 화면입니다.</Notice>;
  } else if (route.permission && !session.user.permissions.includes(route.permission)) {
    content = (
      <Notice tone="warning" title="권한 없음">
        이 화면을 볼 권한이 없습니다. 필요하면 관리자에게 역할 변경을 요청해 주세요.
      </Notice>
    );
  } else content = route.render();

  return (
    <Layout nav={nav}>
      <div key={pathname}>{content}</div>
    </Layout>
  );
}
