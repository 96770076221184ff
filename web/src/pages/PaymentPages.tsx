/** Where the browser lands after the provider's page: return, success, cancel, fail. */
import { useEffect, useRef, useState } from 'react';
import { api, ApiFailure, type PaymentView, type SubscriptionStatusView } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useLoad } from '../hooks.ts';
import { Link, navigate, useLocation, useQuery } from '../router.tsx';
import { date, failureMessage, methodText, PAID_STATUSES, won } from '../format.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { Badge, Notice, ResultIcon, Skeleton } from '../components/ui.tsx';

const PAID: readonly string[] = PAID_STATUSES;
const POLL_MS = 2000;
const POLL_MAX = 30;
const REDIRECT_SECONDS = 8;

function resultQuery(paymentId: string, method: string | null, extra: Record<string, string | null> = {}): string {
  const qs = new URLSearchParams({ payment_id: paymentId });
  if (method) qs.set('method', method);
  for (const [k, v] of Object.entries(extra)) if (v) qs.set(k, v);
  return qs.toString();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}

function ResultSkeleton() {
  return (
    <div className="result card" aria-hidden="true">
      <Skeleton width="4.5rem" height="4.5rem" className="skeleton-round" />
      <Skeleton width="60%" height="1.9rem" />
      <Skeleton width="80%" />
      <div className="receipt">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} width="100%" height="1.25rem" />
        ))}
      </div>
      <Skeleton width="100%" height="3.25rem" />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// /payment/return: the provider sent the browser back, but it had no session cookie.

export function PaymentReturnPage() {
  const { session } = useAuth();
  const { href, search } = useLocation();
  const query = useQuery();
  const paymentId = query.get('payment_id');
  const method = query.get('method');
  const outcome = query.get('outcome');
  const [error, setError] = useState<string | null>(null);
  const started = useRef<string | null>(null);

  useEffect(() => {
    if (session.state !== 'user' || !paymentId || !method || started.current === search) return;
    started.current = search;
    const params = new URLSearchParams(search);
    if (outcome === 'cancel' || outcome === 'fail') {
      // Our return URL records a cancel or failure and sends us to the matching page.
      params.delete('method');
      window.location.replace(`/api/payment/${encodeURIComponent(method)}/return?${params}`);
      return;
    }
    const providerParams: Record<string, string> = {};
    for (const [k, v] of params) if (k !== 'payment_id' && k !== 'method' && k !== 'outcome') providerParams[k] = v;
    api
      .approve(method, paymentId, providerParams)
      .then((r) => {
        const page = { approved: 'success', pending: 'success', canceled: 'cancel', failed: 'fail' }[r.outcome];
        const code = r.outcome === 'failed' ? r.payment.failure_code : null;
        navigate(`/payment/${page}?${resultQuery(paymentId, method, { code })}`, { replace: true });
      })
      .catch((err: unknown) => {
        if (err instanceof ApiFailure && err.status !== 0 && err.status !== 401) {
          navigate(`/payment/fail?${resultQuery(paymentId, method, { code: err.code })}`, { replace: true });
        } else {
          started.current = null;
          setError((err as Error).message);
        }
      });
  }, [session.state, paymentId, method, outcome, search]);

  if (!paymentId || !method) {
    return (
      <div className="result card">
        <ResultIcon kind="fail" />
        <h1 className="result-title">결제 정보를 찾을 수 없습니다</h1>
        <p className="result-lead">주소가 올바르지 않습니다. 요금제 화면에서 다시 결제해 주세요.</p>
        <div className="result-actions">
          <Link to="/" className="btn btn-primary btn-lg btn-block">
            요금제 보기
          </Link>
        </div>
      </div>
    );
  }

  // Cancelled or failed at the provider: nothing to approve. Without a session, just say so.
  const resultCode = query.get('resultCode');
  const gaveUp =
    outcome === 'cancel' || outcome === 'fail' || (resultCode !== null && resultCode.toLowerCase() !== 'success');
  useEffect(() => {
    if (session.state !== 'anonymous' || !gaveUp || !paymentId) return;
    const message = query.get('resultMessage');
    const canceled = outcome === 'cancel' || message?.toLowerCase() === 'usercancel';
    const page = canceled ? 'cancel' : 'fail';
    const code = canceled ? null : (message ?? (outcome === 'fail' ? 'provider_fail' : null));
    navigate(`/payment/${page}?${resultQuery(paymentId, method, { code })}`, { replace: true });
  }, [session.state, gaveUp, paymentId, method, outcome, search]); // eslint-disable-line react-hooks/exhaustive-deps

  if (session.state === 'anonymous' && !gaveUp) {
    return (
      <div className="result card">
        <ResultIcon kind="login" />
        <h1 className="result-title">로그인하면 결제를 마무리합니다</h1>
        <p className="result-lead">
          결제사 인증은 끝났어요. 이 브라우저에서는 로그인되어 있지 않아, 결제를 시작한 계정으로 로그인하면 결제를 완료합니다. 로그인 전에는
          요금이 청구되지 않습니다.
        </p>
        <div className="result-actions">
          <Link to={`/login?next=${encodeURIComponent(href)}`} className="btn btn-primary btn-lg btn-block">
            로그인하고 결제 완료하기
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="result card" aria-busy={!error}>
      <ResultIcon kind={error ? 'fail' : 'pending'} />
      <h1 className="result-title">{error ? '결제를 마무리하지 못했습니다' : '결제를 확인하고 있어요'}</h1>
      <p className="result-lead" role="status">
        {error ?? '잠시만 기다려 주세요. 이 화면을 닫지 마세요.'}
      </p>
      {error && (
        <div className="result-actions">
          <button type="button" className="btn btn-primary btn-lg btn-block" onClick={() => window.location.reload()}>
            다시 시도
          </button>
          <Link to="/payments" className="btn btn-secondary btn-block">
            결제 내역 보기
          </Link>
        </div>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// /payment/success

type SuccessView =
  | { kind: 'loading' }
  | { kind: 'paid'; payment: PaymentView; sub: SubscriptionStatusView | null }
  | { kind: 'pending'; payment: PaymentView; slow: boolean }
  | { kind: 'error'; message: string };

export function PaymentSuccessPage() {
  const query = useQuery();
  const paymentId = query.get('payment_id');
  const method = query.get('method');
  const [view, setView] = useState<SuccessView>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!paymentId) {
      setView({ kind: 'error', message: '결제 번호가 없습니다. 결제 내역에서 확인해 주세요.' });
      return;
    }
    const ac = new AbortController();
    const signal = ac.signal;
    (async () => {
      // Read-only: the approval already happened on our return URL. Refreshing this page
      // (or opening it twice) never pays twice.
      for (let i = 0; ; i++) {
        const payment = await api.payment(paymentId, signal);
        if (PAID.includes(payment.status)) {
          const sub = await api.subscription(signal).catch(() => null);
          setView({ kind: 'paid', payment, sub });
          return;
        }
        if (payment.status === 'declined') {
          navigate(`/payment/fail?${resultQuery(paymentId, method ?? payment.provider, { code: payment.failure_code })}`, { replace: true });
          return;
        }
        if (payment.status === 'abandoned') {
          navigate(`/payment/cancel?${resultQuery(paymentId, method ?? payment.provider)}`, { replace: true });
          return;
        }
        const slow = i >= POLL_MAX;
        setView({ kind: 'pending', payment, slow });
        if (slow) return;
        await sleep(POLL_MS, signal);
      }
    })().catch((err: unknown) => {
      if (signal.aborted) return;
      setView({ kind: 'error', message: (err as Error).message });
    });
    return () => ac.abort();
  }, [paymentId, method, attempt]);

  const announcement =
    view.kind === 'paid'
      ? view.payment.kind === 'registration'
        ? '자동 결제 수단을 등록했습니다.'
        : '결제가 완료되었습니다.'
      : view.kind === 'pending'
        ? view.slow
          ? '결제 확인이 늦어지고 있습니다.'
          : '결제 결과를 확인하고 있습니다.'
        : view.kind === 'error'
          ? view.message
          : '';

  return (
    <>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {view.kind === 'loading' && <ResultSkeleton />}
      {view.kind === 'paid' && <PaidView payment={view.payment} sub={view.sub} />}
      {view.kind === 'pending' && (
        <div className="result card">
          <ResultIcon kind="pending" />
          <h1 className="result-title">{view.slow ? '결제 확인이 늦어지고 있어요' : '결제 결과를 확인하고 있어요'}</h1>
          <p className="result-lead">
            {view.slow
              ? '결제사 응답을 기다리고 있습니다. 두 번 결제되지 않으니 다시 결제하지 마시고, 잠시 후 결제 내역에서 확인해 주세요.'
              : '결제사에서 결과를 받는 중입니다. 이 화면을 닫지 마세요.'}
          </p>
          <Receipt payment={view.payment} sub={null} />
          {view.slow && (
            <div className="result-actions">
              <button type="button" className="btn btn-primary btn-lg btn-block" onClick={() => setAttempt((a) => a + 1)}>
                다시 확인
              </button>
              <Link to="/payments" className="btn btn-secondary btn-block">
                결제 내역 보기
              </Link>
            </div>
          )}
        </div>
      )}
      {view.kind === 'error' && (
        <div className="result card">
          <ResultIcon kind="fail" />
          <h1 className="result-title">결제 정보를 불러오지 못했습니다</h1>
          <p className="result-lead">{view.message}</p>
          <div className="result-actions">
            <button type="button" className="btn btn-primary btn-lg btn-block" onClick={() => setAttempt((a) => a + 1)}>
              다시 불러오기
            </button>
            <Link to="/payments" className="btn btn-secondary btn-block">
              결제 내역 보기
            </Link>
          </div>
        </div>
      )}
    </>
  );
}

function Receipt({ payment, sub }: { payment: PaymentView; sub: SubscriptionStatusView | null }) {
  const renews = sub?.is_active && sub.plan === payment.plan && sub.auto_renew;
  return (
    <dl className="receipt">
      <div>
        <dt>플랜</dt>
        <dd className="receipt-plan">{payment.plan_name}</dd>
      </div>
      <div>
        <dt>결제 금액</dt>
        <dd>
          <strong>{won(payment.amount_krw)}</strong>
          <span className="receipt-sub">부가세 {won(payment.vat_krw)} 포함</span>
        </dd>
      </div>
      <div>
        <dt>결제 수단</dt>
        <dd className="receipt-method">
          <PayMark method={payment.provider} size={18} />
          {methodText(payment.provider_name, payment.method_kind, payment.method_label)}
        </dd>
      </div>
      {payment.period_start && payment.period_end && (
        <div>
          <dt>이용 기간</dt>
          <dd>
            <span className="nowrap">{date(payment.period_start)}</span> ~ <span className="nowrap">{date(payment.period_end)}</span>
          </dd>
        </div>
      )}
      {sub && sub.is_active && sub.plan === payment.plan && (
        <div>
          <dt>{renews ? '다음 결제일' : '만료일'}</dt>
          <dd>
            {date(sub.expire_date)} {renews ? <Badge tone="success">자동 결제</Badge> : <Badge tone="neutral">자동 결제 꺼짐</Badge>}
          </dd>
        </div>
      )}
    </dl>
  );
}

function PaidView({ payment, sub }: { payment: PaymentView; sub: SubscriptionStatusView | null }) {
  const [seconds, setSeconds] = useState(REDIRECT_SECONDS);
  const [stay, setStay] = useState(false);

  useEffect(() => {
    if (stay) return;
    if (seconds <= 0) {
      navigate('/subscription');
      return;
    }
    const t = setTimeout(() => setSeconds((s) => s - 1), 1000);
    return () => clearTimeout(t);
  }, [seconds, stay]);

  return (
    <div className="result card">
      <ResultIcon kind="success" />
      {payment.kind === 'registration' ? (
        <>
          <h1 className="result-title">자동 결제 수단을 등록했습니다</h1>
          <p className="result-lead">
            <strong>{payment.plan_name}</strong> 플랜의 자동 결제 수단을 {payment.provider_name}(으)로 등록했어요. 다음 결제일부터 이 결제 수단으로
            결제됩니다. 등록에는 요금이 청구되지 않았습니다.
          </p>
        </>
      ) : payment.kind === 'upgrade' ? (
        <>
          <h1 className="result-title">플랜이 변경되었습니다</h1>
          <p className="result-lead">
            지금부터 <strong>{payment.plan_name}</strong> 플랜을 이용할 수 있어요. 남은 기간 차액 {won(payment.amount_krw)}을 결제했습니다.
          </p>
        </>
      ) : (
        <>
          <h1 className="result-title">결제가 완료되었습니다!</h1>
          <p className="result-lead">
            지금부터 <strong>{payment.plan_name}</strong> 플랜을 이용할 수 있어요.
          </p>
        </>
      )}
      <Receipt payment={payment} sub={sub} />
      <div className="result-actions">
        <Link to="/subscription" className="btn btn-primary btn-lg btn-block">
          내 구독 보기
        </Link>
        <Link to="/payments" className="btn btn-secondary btn-block">
          결제 내역 보기
        </Link>
      </div>
      <p className="redirect-note">
        {stay ? (
          '이 화면에 머무릅니다.'
        ) : (
          <>
            {seconds}초 후 내 구독 화면으로 이동합니다.{' '}
            <button type="button" className="link-button" onClick={() => setStay(true)}>
              머무르기
            </button>
          </>
        )}
      </p>
      <p className="muted small receipt-id">결제 번호 {payment.id}</p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// /payment/cancel and /payment/fail

/**
 * Where "다시 시도" goes: back to the same plan and method once the payment is known, else home.
 * `to` is null while the session or the payment is still loading, so a quick click cannot go
 * home before the answer arrives (the page shows long before it on a slow connection).
 */
function useRetryLink(paymentId: string | null, method: string | null): { to: string | null; payment: PaymentView | null } {
  const { session } = useAuth();
  const loggedIn = session.state === 'user';
  const p = useLoad(
    (signal) => (paymentId && loggedIn ? api.payment(paymentId, signal).catch(() => null) : Promise.resolve(null)),
    [paymentId, loggedIn],
  );
  const payment = p.data ?? null;
  if (session.state === 'loading' || p.state === 'loading') return { to: null, payment };
  const qs = new URLSearchParams();
  if (payment) qs.set('plan', payment.plan);
  const m = method ?? payment?.provider;
  if (m) qs.set('method', m);
  return { to: payment ? `/checkout?${qs}` : '/', payment };
}

/** The primary "다시 시도" action: a link once its target is known, a busy placeholder before. */
function RetryLink({ to }: { to: string | null }) {
  if (to === null) {
    return (
      <span className="btn btn-primary btn-lg btn-block" aria-disabled="true" aria-busy="true">
        다시 시도
      </span>
    );
  }
  return (
    <Link to={to} className="btn btn-primary btn-lg btn-block">
      다시 시도
    </Link>
  );
}

export function PaymentCancelPage() {
  const query = useQuery();
  const { to, payment } = useRetryLink(query.get('payment_id'), query.get('method'));
  return (
    <div className="result card">
      <ResultIcon kind="cancel" />
      <h1 className="result-title">결제가 취소되었습니다</h1>
      <p className="result-lead">
        결제를 취소하셨어요. <strong>요금은 청구되지 않았습니다.</strong>
      </p>
      <p className="result-detail muted">{payment ? `${payment.plan_name} 플랜 · ${won(payment.amount_krw)}` : '\u00a0'}</p>
      <div className="result-actions">
        <RetryLink to={to} />
        <Link to="/" className="btn btn-secondary btn-block">
          요금제 보기
        </Link>
      </div>
    </div>
  );
}

const MAYBE_CHARGED = ['PROVIDER_OUTCOME_UNKNOWN', 'PAYMENT_IN_PROGRESS'];

export function PaymentFailPage() {
  const query = useQuery();
  const { to, payment } = useRetryLink(query.get('payment_id'), query.get('method'));
  const code = query.get('code') ?? payment?.failure_code ?? null;
  const uncertain = code !== null && MAYBE_CHARGED.includes(code);
  return (
    <div className="result card">
      <ResultIcon kind="fail" />
      <h1 className="result-title">결제에 실패했습니다</h1>
      <p className="result-lead">{failureMessage(code)}</p>
      {!uncertain && (
        <p className="result-detail">
          <strong>요금은 청구되지 않았습니다.</strong>
        </p>
      )}
      <div className="result-actions">
        <RetryLink to={to} />
        <Link to={uncertain ? '/payments' : '/'} className="btn btn-secondary btn-block">
          {uncertain ? '결제 내역 보기' : '요금제 보기'}
        </Link>
      </div>
      <p className="muted small receipt-id">{code ? `오류 코드: ${code}` : '\u00a0'}</p>
    </div>
  );
}
