import { Link } from '../router.tsx';
import { Notice } from '../components/ui.tsx';

/** Placeholder: the admin pages are built separately and plug into routes.tsx. */
export function AdminPage() {
  return (
    <>
      <h1 className="page-title">관리자</h1>
      <Notice tone="info" title="관리자 화면을 준비하고 있습니다">
        결제 · 환불 관리 기능이 곧 이곳에 추가됩니다.
      </Notice>
    </>
  );
}

export function NotFoundPage() {
  return (
    <div className="result card">
      <h1 className="result-title">페이지를 찾을 수 없습니다</h1>
      <p className="result-lead">주소가 바뀌었거나 없는 페이지입니다.</p>
      <div className="result-actions">
        <Link to="/" className="btn btn-primary btn-lg btn-block">
          요금제 보기
        </Link>
      </div>
    </div>
  );
}
