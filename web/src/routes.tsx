/**
 * The one routes table. To add a page: import it and add a row. `auth` pages send
 * anonymous visitors to /login?next=…, `admin` pages need role admin, `permission` pages a staff
 * role carrying that permission (others see 권한 없음), `nav` puts
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
import { AdminUsersPage } from './pages/admin/AdminUsersPage.tsx';
import { AdminUserPage } from './pages/admin/AdminUserPage.tsx';
import { AdminExportPage } from './pages/admin/AdminExportPage.tsx';
import { AdminEngineConsolePage } from './pages/admin/AdminEngineConsolePage.tsx';
import { AdminHome } from './pages/admin/AdminHome.tsx';
import { AdminPaymentsPage } from './pages/admin/AdminPaymentsPage.tsx';
import { AdminQueuesPage } from './pages/admin/AdminQueuesPage.tsx';
import { AdminTimelinePage } from './pages/admin/AdminTimelinePage.tsx';
import { AdminAuditPage } from './pages/admin/AdminAuditPage.tsx';
import { AdminReportsPage } from './pages/admin/AdminReportsPage.tsx';
import { AdminSettlementsPage } from './pages/admin/AdminSettlementsPage.tsx';
import { LegalPage } from './pages/LegalPage.tsx';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordResetPages.tsx';
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
  // Staff pages: each names the permission it needs (the server checks the same on every API call).
  { path: '/admin', title: '관리자 · 대시보드', render: () => <AdminHome />, auth: true, permission: 'console.read', nav: { label: '관리자', order: 90 } },
  { path: '/admin/users', title: '관리자 · 사용자 검색', render: () => <AdminUsersPage />, auth: true, permission: 'console.read' },
  { path: '/admin/user', title: '관리자 · 사용자 결제', render: () => <AdminUserPage />, auth: true, permission: 'console.read' },
  { path: '/admin/engine', title: '관리자 · 트레이딩 엔진 연동', render: () => <AdminEngineConsolePage />, auth: true, permission: 'engine.manage' },
  { path: '/admin/export', title: '관리자 · CSV 다운로드', render: () => <AdminExportPage />, auth: true, permission: 'exports.download' },
  { path: '/admin/payments', title: '관리자 · 결제 목록', render: () => <AdminPaymentsPage />, auth: true, permission: 'console.read' },
  { path: '/admin/queues', title: '관리자 · 운영 대기열', render: () => <AdminQueuesPage />, auth: true, permission: 'console.read' },
  { path: '/admin/timeline', title: '관리자 · 사용자 타임라인', render: () => <AdminTimelinePage />, auth: true, permission: 'console.read' },
  { path: '/admin/reports', title: '관리자 · 회계 리포트', render: () => <AdminReportsPage />, auth: true, permission: 'reports.read' },
  { path: '/admin/settlements', title: '관리자 · 정산 대사', render: () => <AdminSettlementsPage />, auth: true, permission: 'settlements.reconcile' },
  { path: '/admin/audit', title: '관리자 · 관리 작업 기록', render: () => <AdminAuditPage />, auth: true, permission: 'audit.read' },
  { path: '/terms', title: '이용약관', render: () => <LegalPage id="terms" /> },
  { path: '/privacy', title: '개인정보 수집 · 이용', render: () => <LegalPage id="privacy" /> },
  { path: '/password/forgot', title: '비밀번호 재설정', render: () => <ForgotPasswordPage /> },
  { path: '/password/reset', title: '새 비밀번호 설정', render: () => <ResetPasswordPage /> },
  { path: '/admin/prices', title: '관리자 · 플랜 가격', render: () => <AdminPricesPage />, auth: true, permission: 'prices.manage' },
];

export const notFoundRoute: RouteDef = { path: '*', title: '페이지를 찾을 수 없음', render: () => <NotFoundPage /> };
