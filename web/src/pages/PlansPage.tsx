import { api, type PlanView, type SubscriptionStatusView } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { date, number, tradingLimit } from '../format.ts';
import { KakaoPayMark, NaverPayMark } from '../components/PayMarks.tsx';
import { Badge, CheckIcon, LoadFailed, Skeleton } from '../components/ui.tsx';

function PlanAction({ plan, sub, loggedIn }: { plan: PlanView; sub: SubscriptionStatusView | null; loggedIn: boolean }) {
  const current = sub ? sub.plan === plan.id : plan.price_krw === 0 && loggedIn;
  if (plan.price_krw === 0) {
    return <p className="plan-action-note">{current ? '지금 무료로 이용 중입니다' : '가입하면 누구나 무료'}</p>;
  }
  if (current && sub?.is_active) {
    return (
      <Link to="/subscription" className="btn btn-secondary btn-block">
        내 구독 보기
      </Link>
    );
  }
  if (sub?.is_active && sub.plan !== 'free' && sub.plan !== plan.id) {
    return (
      <p className="plan-action-note">
        {sub.plan_name} 이용 기간({date(sub.expire_date)})이 끝난 뒤 선택할 수 있어요
      </p>
    );
  }
  return (
    <Link to={`/checkout?plan=${encodeURIComponent(plan.id)}`} className="btn btn-primary btn-block" aria-label={`${plan.name} 플랜 선택하기`}>
      선택하기
    </Link>
  );
}

function PlanCard({ plan, sub, loggedIn }: { plan: PlanView; sub: SubscriptionStatusView | null; loggedIn: boolean }) {
  const current = sub ? sub.plan === plan.id : false;
  const headingId = `plan-${plan.id}`;
  return (
    <li className={`plan-card${current ? ' is-current' : ''}`}>
      <article aria-labelledby={headingId}>
        <div className="plan-head">
          <h2 id={headingId} className="plan-name">
            {plan.name}
          </h2>
          {current && <Badge tone="info">현재 플랜</Badge>}
        </div>
        <p className="plan-price">
          <span className="plan-price-amount">{number(plan.price_krw)}</span>
          <span className="plan-price-unit">원/30일</span>
        </p>
        <p className="plan-price-note">{plan.price_krw === 0 ? '결제 없이 이용' : `부가세 포함 · ${plan.period_days}일마다 결제`}</p>
        <p className="plan-limit">
          <span>자동매매 한도</span>
          <strong>{tradingLimit(plan.entitlements.auto_trading_monthly_limit_krw, plan.entitlements.auto_trading)}</strong>
        </p>
        <ul className="plan-features">
          {plan.features.map((f) => (
            <li key={f}>
              <CheckIcon />
              <span>{f}</span>
            </li>
          ))}
        </ul>
        <div className="plan-action">
          <PlanAction plan={plan} sub={sub} loggedIn={loggedIn} />
        </div>
      </article>
    </li>
  );
}

function PlanCardSkeleton() {
  return (
    <li className="plan-card" aria-hidden="true">
      <div className="plan-head">
        <Skeleton width="5rem" height="1.5rem" />
      </div>
      <p className="plan-price">
        <Skeleton width="8rem" height="2.5rem" />
      </p>
      <p className="plan-price-note">
        <Skeleton width="9rem" />
      </p>
      <p className="plan-limit">
        <Skeleton width="100%" height="1.2rem" />
      </p>
      <ul className="plan-features">
        {[0, 1, 2].map((i) => (
          <li key={i}>
            <Skeleton width={`${70 - i * 12}%`} />
          </li>
        ))}
      </ul>
      <div className="plan-action">
        <Skeleton width="100%" height="2.75rem" />
      </div>
    </li>
  );
}

export function PlansPage() {
  const { session } = useAuth();
  const plans = useLoad((signal) => api.plans(signal), []);
  const loggedIn = session.state === 'user';
  const sub = useLoad((signal) => (loggedIn ? api.subscription(signal) : Promise.resolve(null)), [loggedIn]);
  const waiting = plans.state === 'loading' || session.state === 'loading' || (loggedIn && sub.state === 'loading');

  return (
    <>
      <section className="hero">
        <h1 className="page-title">나에게 맞는 플랜을 고르세요</h1>
        <p className="hero-lead">AI 종목 분석부터 자동매매까지, 필요한 만큼 골라 30일 단위로 이용하세요.</p>
        <p className="hero-marks">
          <KakaoPayMark size={22} />
          <NaverPayMark size={22} />
          <span>카카오페이 · 네이버페이로 간편 결제</span>
        </p>
      </section>

      <div aria-live="polite" aria-busy={waiting}>
        {plans.state === 'error' && (
          <LoadFailed title="요금제를 불러오지 못했습니다" error={plans.error} onRetry={plans.reload} />
        )}
        {plans.state !== 'error' && (
          <ul className="plan-grid" aria-label="요금제 목록">
            {waiting || plans.state !== 'ready'
              ? [0, 1, 2, 3].map((i) => <PlanCardSkeleton key={i} />)
              : plans.data.plans.map((p) => <PlanCard key={p.id} plan={p} sub={sub.data} loggedIn={loggedIn} />)}
          </ul>
        )}
      </div>
      <p className="fine-print">표시된 가격은 부가세(VAT 10%)를 포함한 금액입니다. 자동 결제는 내 구독에서 상태를 확인할 수 있어요.</p>
    </>
  );
}
