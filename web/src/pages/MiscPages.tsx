import { Link } from '../router.tsx';

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
