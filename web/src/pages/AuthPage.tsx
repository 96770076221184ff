import { useEffect, useId, useState, type FormEvent } from 'react';
import { useAuth } from '../auth.tsx';
import { Link, navigate, safeNext, useQuery } from '../router.tsx';
import { Notice, Spinner } from '../components/ui.tsx';
import { loadLegal } from '../legal.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface FieldErrors {
  email?: string;
  password?: string;
  terms?: string;
  privacy?: string;
}

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { session, login, signup } = useAuth();
  const query = useQuery();
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [agreeTerms, setAgreeTerms] = useState(false);
  const [agreePrivacy, setAgreePrivacy] = useState(false);
  const id = useId();

  // Already logged in (or just did): go where the user was heading.
  useEffect(() => {
    if (session.state === 'user') navigate(next, { replace: true });
  }, [session.state, next]);

  const isSignup = mode === 'signup';

  function validate(): FieldErrors {
    const e: FieldErrors = {};
    if (!email.trim()) e.email = '이메일을 입력해 주세요.';
    else if (!EMAIL.test(email.trim())) e.email = '이메일 형식을 확인해 주세요. 예: name@example.com';
    if (!password) e.password = '비밀번호를 입력해 주세요.';
    else if (isSignup && password.length < 8) e.password = '비밀번호는 8자 이상이어야 합니다.';
    if (isSignup && !agreeTerms) e.terms = '이용약관에 동의해 주세요.';
    if (isSignup && !agreePrivacy) e.privacy = '개인정보 수집 · 이용에 동의해 주세요.';
    return e;
  }

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    const e = validate();
    setErrors(e);
    setServerError(null);
    const first = (['email', 'password', 'terms', 'privacy'] as const).find((k) => e[k]);
    if (first) {
      document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      if (isSignup) {
        // The versions of the texts the boxes refer to (the same ones /terms and /privacy show).
        const versions = Object.fromEntries((await loadLegal()).documents.map((d) => [d.id, d.version]));
        await signup(email.trim(), password, { terms: versions.terms, privacy: versions.privacy });
      } else await login(email.trim(), password);
      // The effect above navigates once the session is set.
    } catch (err) {
      setServerError((err as Error).message);
      setBusy(false);
    }
  }

  const otherQuery = next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
  const comingFromCheckout = next.startsWith('/checkout') || next.startsWith('/payment/');

  return (
    <div className="auth-wrap">
      <div className="card auth-card">
        <h1 className="page-title">{isSignup ? '회원가입' : '로그인'}</h1>
        <p className="muted">
          {comingFromCheckout
            ? '결제를 계속하려면 로그인해 주세요.'
            : isSignup
              ? '이메일로 간편하게 가입하고 플랜을 시작하세요.'
              : 'ShowMeTheStock 계정으로 로그인하세요.'}
        </p>
        <form onSubmit={onSubmit} noValidate className="form">
          <div className="field">
            <label htmlFor={`${id}-email`}>이메일</label>
            <input
              id={`${id}-email`}
              name="email"
              type="email"
              inputMode="email"
              autoComplete={isSignup ? 'email' : 'username'}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={errors.email ? `${id}-email-error` : undefined}
              placeholder="name@example.com"
              required
            />
            {errors.email && (
              <p className="field-error" id={`${id}-email-error`}>
                {errors.email}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>비밀번호</label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete={isSignup ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={[isSignup ? `${id}-password-hint` : '', errors.password ? `${id}-password-error` : ''].join(' ').trim() || undefined}
              minLength={isSignup ? 8 : undefined}
              required
            />
            {isSignup && (
              <p className="field-hint" id={`${id}-password-hint`}>
                8자 이상 입력해 주세요.
              </p>
            )}
            {errors.password && (
              <p className="field-error" id={`${id}-password-error`}>
                {errors.password}
              </p>
            )}
          </div>
          {isSignup && (
            <fieldset className="consents">
              <legend className="visually-hidden">약관 동의</legend>
              <label className="consent-row consent-all">
                <input
                  type="checkbox"
                  checked={agreeTerms && agreePrivacy}
                  onChange={(e) => {
                    setAgreeTerms(e.target.checked);
                    setAgreePrivacy(e.target.checked);
                  }}
                />
                <span>전체 동의</span>
              </label>
              <div className="consent-row">
                <input
                  id={`${id}-terms`}
                  type="checkbox"
                  checked={agreeTerms}
                  onChange={(e) => setAgreeTerms(e.target.checked)}
                  aria-invalid={errors.terms ? true : undefined}
                  aria-describedby={errors.terms ? `${id}-terms-error` : undefined}
                  required
                />
                <label htmlFor={`${id}-terms`}>이용약관에 동의합니다 (필수)</label>
                <a href="/terms" target="_blank" rel="noopener" className="text-link consent-view">
                  보기
                </a>
              </div>
              {errors.terms && (
                <p className="field-error" id={`${id}-terms-error`}>
                  {errors.terms}
                </p>
              )}
              <div className="consent-row">
                <input
                  id={`${id}-privacy`}
                  type="checkbox"
                  checked={agreePrivacy}
                  onChange={(e) => setAgreePrivacy(e.target.checked)}
                  aria-invalid={errors.privacy ? true : undefined}
                  aria-describedby={errors.privacy ? `${id}-privacy-error` : undefined}
                  required
                />
                <label htmlFor={`${id}-privacy`}>개인정보 수집 · 이용에 동의합니다 (필수)</label>
                <a href="/privacy" target="_blank" rel="noopener" className="text-link consent-view">
                  보기
                </a>
              </div>
              {errors.privacy && (
                <p className="field-error" id={`${id}-privacy-error`}>
                  {errors.privacy}
                </p>
              )}
            </fieldset>
          )}
          <div aria-live="assertive">{serverError && <Notice tone="danger">{serverError}</Notice>}</div>
          <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy} aria-disabled={busy}>
            {busy ? <Spinner label={isSignup ? '가입하는 중…' : '로그인하는 중…'} /> : isSignup ? '가입하기' : '로그인'}
          </button>
        </form>
        {!isSignup && (
          <p className="auth-switch">
            <Link to="/password/forgot">비밀번호를 잊으셨나요?</Link>
          </p>
        )}
        <p className="auth-switch">
          {isSignup ? '이미 계정이 있나요?' : '아직 계정이 없나요?'}{' '}
          <Link to={`${isSignup ? '/login' : '/signup'}${otherQuery}`}>{isSignup ? '로그인' : '회원가입'}</Link>
        </p>
      </div>
    </div>
  );
}
