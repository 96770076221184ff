import { useId, useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../api.ts';
import { Link, useQuery } from '../router.tsx';
import { Notice, Spinner } from '../components/ui.tsx';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `/password/forgot`: asks for a reset mail. The answer is the same for every e-mail. */
export function ForgotPasswordPage() {
  const id = useId();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    if (!EMAIL.test(email.trim())) {
      setError('이메일 형식을 확인해 주세요. 예: name@example.com');
      document.getElementById(`${id}-email`)?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      setDone((await api.requestPasswordReset(email.trim())).message);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="auth-wrap">
      <div className="card auth-card">
        <h1 className="page-title">비밀번호 재설정</h1>
        {done ? (
          <>
            <Notice tone="success" title="메일을 확인해 주세요">
              {done}
            </Notice>
            <p className="muted small">메일이 오지 않으면 스팸함을 확인하거나 잠시 후 다시 요청해 주세요. 링크는 30분 동안 한 번만 쓸 수 있습니다.</p>
          </>
        ) : (
          <>
            <p className="muted">가입한 이메일을 입력하시면 비밀번호를 다시 정할 수 있는 링크를 보내 드립니다.</p>
            <form onSubmit={onSubmit} noValidate className="form">
              <div className="field">
                <label htmlFor={`${id}-email`}>이메일</label>
                <input
                  id={`${id}-email`}
                  type="email"
                  inputMode="email"
                  autoComplete="email"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                  placeholder="name@example.com"
                  required
                />
                {error && (
                  <p className="field-error" id={`${id}-error`}>
                    {error}
                  </p>
                )}
              </div>
              <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
                {busy ? <Spinner label="보내는 중…" /> : '재설정 링크 받기'}
              </button>
            </form>
          </>
        )}
        <p className="auth-switch">
          <Link to="/login">로그인으로 돌아가기</Link>
        </p>
      </div>
    </div>
  );
}

/** `/password/reset?token=…`: the link from the mail; sets a new password and signs out everywhere. */
export function ResetPasswordPage() {
  const id = useId();
  const token = useQuery().get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<{ message: string; linkDead: boolean } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    if (password.length < 8) return setError({ message: '비밀번호는 8자 이상이어야 합니다.', linkDead: false });
    if (password !== confirm) return setError({ message: '두 비밀번호가 같지 않습니다.', linkDead: false });
    setError(null);
    setBusy(true);
    try {
      setDone((await api.resetPassword(token, password)).message);
    } catch (err) {
      setError({ message: (err as Error).message, linkDead: err instanceof ApiFailure && err.code === 'RESET_TOKEN_INVALID' });
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <div className="auth-wrap">
        <div className="card auth-card">
          <h1 className="page-title">새 비밀번호 설정</h1>
          <Notice tone="warning" title="링크가 올바르지 않습니다">
            메일로 받은 링크를 그대로 열어 주세요.
          </Notice>
          <p className="auth-switch">
            <Link to="/password/forgot">재설정 메일 다시 받기</Link>
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="auth-wrap">
      <div className="card auth-card">
        <h1 className="page-title">새 비밀번호 설정</h1>
        {done ? (
          <>
            <Notice tone="success" title="비밀번호를 변경했습니다">
              {done} 다른 기기에서도 모두 로그아웃되었습니다.
            </Notice>
            <Link to="/login" className="btn btn-primary btn-block btn-lg">
              로그인하기
            </Link>
          </>
        ) : (
          <form onSubmit={onSubmit} noValidate className="form">
            <div className="field">
              <label htmlFor={`${id}-password`}>새 비밀번호</label>
              <input
                id={`${id}-password`}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby={`${id}-hint`}
                required
              />
              <p className="field-hint" id={`${id}-hint`}>
                8자 이상, 흔한 비밀번호와 이메일이 들어간 비밀번호는 쓸 수 없습니다.
              </p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-confirm`}>새 비밀번호 확인</label>
              <input
                id={`${id}-confirm`}
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                required
              />
            </div>
            <div aria-live="assertive">
              {error && (
                <Notice
                  tone="danger"
                  action={
                    error.linkDead ? (
                      <Link to="/password/forgot" className="btn btn-secondary btn-sm">
                        재설정 메일 다시 받기
                      </Link>
                    ) : undefined
                  }
                >
                  {error.message}
                </Notice>
              )}
            </div>
            <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
              {busy ? <Spinner label="변경하는 중…" /> : '비밀번호 변경'}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
