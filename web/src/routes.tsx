/**
 * The one routes table. To add a page: import it and add a row. `auth` pages send
 * anonymous visitors to /login?next=…, `admin` pages need role admin, `nav` puts
 * the page in the header menu.
 */
import type { RouteDef } from './router.tsx';
import { PlansPage } from './pages/PlansPage.tsx';
import { AuthPage } from './pages/AuthPage.tsx';
import { CheckoutPage } from './pages/CheckoutPage.tsx';
import { PaymentCancelPage, PaymentFailPage, PaymentReturnPage, PaymentSuccessPage } from './pages/PaymentPages.tsx';
import { SubscriptionPage } from './pages/SubscriptionPage.tsx';
import { PaymentsPage } from './pages/PaymentsPage.tsx';
import { ReceiptPage } from './pages/ReceiptPage.tsx';
import { NotFoundPage } from './pages/MiscPages.tsx';
import { AdminDashboard } from './pages/admin/AdminDashboard.tsx';
import { AdminUsersPage } from './pages/admin/AdminUsersPage.tsx';
import { AdminUserPage } from './pages/admin/AdminUserPage.tsx';
import { AdminExportPage } from './pages/admin/AdminExportPage.tsx';
import { AdminEngineConsolePage } from './pages/admin/AdminEngineConsolePage.tsx';
import { AdminPricesPage } from './pages/admin/AdminPricesSection.tsx';

export const routes: RouteDef[] = [
  { path: '/', title: '요금제', render: () => <PlansPage />, nav: { label: '요금제', order: 10 } },
  { path: '/login', title: '로그인', render: () => <AuthPage mode="login" /> },
  { path: '/signup', title: '회원가입', render: () => <AuthPage mode="signup" /> },
  { path: '/checkout', title: '결제하기', render: () => <CheckoutPage />, auth: true },
  // No `auth`: without a session this page itself asks to log in, keeping the provider's parameters.
  { path: '/payment/return', title: '결제 확인', render: () => <PaymentReturnPage /> },
  { path: '/payment/success', title: '결제 완료', render: () => <PaymentSuccessPage />, auth: true },
  { path: '/payment/cancel', title: '결제 취소', render: () => <PaymentCancelPage /> },
  { path: '/payment/fail', title: '결제 실패', render: () => <PaymentFailPage /> },
  { path: '/subscription', title: '내 구독', render: () => <SubscriptionPage />, auth: true, nav: { label: '내 구독', order: 20 } },
  { path: '/payments', title: '결제 내역', render: () => <PaymentsPage />, auth: true, nav: { label: '결제 내역', order: 30 } },
  { path: '/payments/receipt', title: '영수증', render: () => <ReceiptPage />, auth: true },
  { path: '/admin', title: '관리자 · 대시보드', render: () => <AdminDashboard />, auth: true, admin: true, nav: { label: '관리자', order: 90 } },
  { path: '/admin/users', title: '관리자 · 사용자 검색', render: () => <AdminUsersPage />, auth: true, admin: true },
  { path: '/admin/user', title: '관리자 · 사용자 결제', render: () => <AdminUserPage />, auth: true, admin: true },
  { path: '/admin/engine', title: '관리자 · 트레이딩 엔진 연동', render: () => <AdminEngineConsolePage />, auth: true, admin: true },
  { path: '/admin/export', title: '관리자 · CSV 다운로드', render: () => <AdminExportPage />, auth: true, admin: true },
  { path: '/admin/prices', title: '관리자 · 플랜 가격', render: () => <AdminPricesPage />, auth: true, admin: true },
];

export const notFoundRoute: RouteDef = { path: '*', title: '페이지를 찾을 수 없음', render: () => <NotFoundPage /> };
