import { useEffect, useId, useState } from 'react';
import { api, ApiFailure, type LegalDocumentView, type PaymentMethodView, type PlanView, type SubscriptionStatusView } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { Link, useQuery } from '../router.tsx';
import { addDays, date, tradingLimit, won } from '../format.ts';
import { launchCheckout } from '../launch.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { Badge, LoadFailed, LockIcon, Notice, Skeleton, Spinner } from '../components/ui.tsx';
import { LegalSections } from './LegalPage.tsx';
import { loadLegal } from '../legal.ts';

const METHOD_HINT: Record<string, string> = {
  kakaopay: '카카오톡에서 카드 · 카카오페이머니로 결제',
  naverpay: '네이버 아이디로 카드 · 포인트 결제',
};

type Phase = 'idle' | 'preparing' | 'leaving';

function CheckoutSkeleton() {
  return (
    <div className="checkout" aria-hidden="true">
      <section className="card">
        <Skeleton width="40%" height="1.4rem" />
        <div className="summary-rows">
          <Skeleton width="100%" />
          <Skeleton width="100%" />
          <Skeleton width="100%" height="1.8rem" />
        </div>
      </section>
      <section className="card">
        <Skeleton width="30%" height="1.4rem" />
        <div className="method-grid">
          <Skeleton width="100%" height="4.5rem" />
          <Skeleton width="100%" height="4.5rem" />
        </div>
      </section>
      <section className="card">
        <Skeleton width="100%" height="4rem" />
      </section>
      <Skeleton width="100%" height="3.25rem" />
    </div>
  );
}

export function CheckoutPage() {
  const query = useQuery();
  const planId = query.get('plan') ?? '';
  const data = useLoad(async (signal) => {
    const [plans, sub, order, legal] = await Promise.all([
      api.plans(signal),
      api.subscription(signal),
      api.legalDocument('order', signal),
      loadLegal(),
    ]);
    return { plans, sub, order, withdrawalDays: legal.withdrawal_days };
  }, []);

  if (data.state === 'loading') {
    return (
      <div className="narrow">
        <p className="back-link">&nbsp;</p>
        <h1 className="page-title">결제하기</h1>
        <CheckoutSkeleton />
      </div>
    );
  }
  if (data.state === 'error') {
    return (
      <>
        <h1 className="page-title">결제하기</h1>
        <LoadFailed title="결제 정보를 불러오지 못했습니다" error={data.error} onRetry={data.reload} />
      </>
    );
  }
  const plan = data.data.plans.plans.find((p) => p.id === planId);
  if (!plan || plan.price_krw === 0) {
    return (
      <>
        <h1 className="page-title">결제하기</h1>
        <Notice
          tone="warning"
          title={plan ? '기본 플랜은 무료입니다' : '플랜을 찾을 수 없습니다'}
          action={
            <Link to="/" className="btn btn-primary btn-sm">
              요금제 보기
            </Link>
          }
        >
          {plan ? '결제 없이 바로 이용할 수 있어요.' : '요금제 화면에서 플랜을 다시 선택해 주세요.'}
        </Notice>
      </>
    );
  }
  return (
    <CheckoutForm plan={plan} methods={data.data.plans.methods} sub={data.data.sub} order={data.data.order} withdrawalDays={data.data.withdrawalDays} initialMethod={query.get('method')} />
  );
}

function CheckoutForm({
  plan,
  methods,
  sub,
  order,
  withdrawalDays,
  initialMethod,
}: {
  plan: PlanView;
  methods: PaymentMethodView[];
  sub: SubscriptionStatusView;
  /** The 결제 및 청약철회 조건 text; its version is sent as the order consent. */
  order: LegalDocumentView;
  withdrawalDays: number;
  initialMethod: string | null;
}) {
  const id = useId();
  const [method, setMethod] = useState<string | null>(methods.some((m) => m.id === initialMethod) ? initialMethod : null);
  const [autoRenew, setAutoRenew] = useState(true);
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<string | null>(null);
  const [agreed, setAgreed] = useState(false);
  const [consentError, setConsentError] = useState(false);

  // Back from the provider's page via the back button (page restored from bfcache): start over.
  useEffect(() => {
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) setPhase('idle');
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, []);

  const otherPlanRunning = sub.is_active && sub.plan !== 'free' && sub.plan !== plan.id;
  const samePlanRunning = sub.is_active && sub.plan === plan.id && sub.expire_date !== null;
  const periodStart = samePlanRunning ? new Date(sub.expire_date!) : new Date();
  const periodEnd = addDays(periodStart, plan.period_days);
  const chosen = methods.find((m) => m.id === method) ?? null;

  async function pay() {
    if (!chosen || phase !== 'idle') return;
    // 전자상거래법 제7조 · 제17조 ⑥: the order and the withdrawal terms are confirmed before the provider opens.
    if (!agreed) {
      setConsentError(true);
      document.getElementById(`${id}-agree`)?.focus();
      return;
    }
    setPhase('preparing');
    setError(null);
    try {
      const ready = await api.ready(chosen.id, plan.id, autoRenew, order.version);
      setPhase('leaving');
      await launchCheckout(ready.checkout);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setPhase('idle');
      if (err instanceof ApiFailure && err.status === 401) window.location.reload();
    }
  }

  const status =
    phase === 'preparing'
      ? '결제를 준비하고 있어요…'
      : phase === 'leaving'
        ? `${chosen?.name ?? ''} 결제 화면으로 이동하고 있어요…`
        : '';

  return (
    <>
      <div className="narrow">
      <p className="back-link">
        <Link to="/">← 요금제로 돌아가기</Link>
      </p>
      <h1 className="page-title">결제하기</h1>
      <form
        className="checkout"
        onSubmit={(e) => {
          e.preventDefault();
          void pay();
        }}
      >
        <section className="card" aria-labelledby={`${id}-summary`}>
          <div className="card-head">
            <h2 id={`${id}-summary`} className="card-title">
              주문 내용
            </h2>
            <Link to="/" className="text-link">
              플랜 변경
            </Link>
          </div>
          <div className="order-plan">
            <div>
              <p className="order-plan-name">
                {plan.name} <span className="muted">플랜</span>
              </p>
              <p className="muted small">
                {plan.period_days}일 이용 · 자동매매 한도{' '}
                <span className="nowrap">
                  {tradingLimit(plan.entitlements.auto_trading_monthly_limit_krw, plan.entitlements.auto_trading)}
                </span>
              </p>
            </div>
            <p className="order-plan-price">
              {won(plan.price_krw)}
              <span className="muted small">/30일</span>
            </p>
          </div>
          <dl className="price-table">
            <div>
              <dt>공급가액</dt>
              <dd>{won(plan.supply_krw)}</dd>
            </div>
            <div>
              <dt>부가세 (VAT 10%)</dt>
              <dd>{won(plan.vat_krw)}</dd>
            </div>
            <div className="price-total">
              <dt>총 결제 금액</dt>
              <dd>{won(plan.price_krw)}</dd>
            </div>
          </dl>
          <p className="muted small">
            이용 기간: <span className="nowrap">{date(periodStart)}</span> ~ <span className="nowrap">{date(periodEnd)}</span>
          </p>
        </section>

        {otherPlanRunning && (
          <Notice
            tone="warning"
            title={`지금 ${sub.plan_name} 플랜을 이용 중입니다`}
            action={
              <Link to="/subscription" className="btn btn-secondary btn-sm">
                내 구독에서 플랜 변경
              </Link>
            }
          >
            이용 중인 플랜은 내 구독 화면의 플랜 변경에서 바꿀 수 있어요. 업그레이드는 남은 기간만큼만 결제하고 바로 적용됩니다.
          </Notice>
        )}
        {samePlanRunning && (
          <Notice tone="info" title={`${plan.name} 플랜을 이용 중입니다`}>
            지금 결제하면 이용 기간이 {date(periodEnd)}까지 늘어납니다.
          </Notice>
        )}

        <fieldset className="card method-fieldset" disabled={phase !== 'idle'}>
          <legend className="card-title">결제 수단</legend>
          <div className="method-grid">
            {methods.map((m) => (
              <label key={m.id} className={`method-option${method === m.id ? ' is-selected' : ''}`}>
                <input
                  type="radio"
                  name="method"
                  value={m.id}
                  checked={method === m.id}
                  onChange={() => setMethod(m.id)}
                  aria-labelledby={`${id}-${m.id}-name`}
                  aria-describedby={`${id}-${m.id}-hint`}
                />
                <span className="method-mark">
                  <PayMark method={m.id} size={26} />
                </span>
                <span className="method-text">
                  <span className="method-name" id={`${id}-${m.id}-name`}>
                    {m.name}
                  </span>
                  <span className="method-hint" id={`${id}-${m.id}-hint`}>
                    {METHOD_HINT[m.id] ?? '간편 결제'}
                  </span>
                </span>
                <span className="method-check" aria-hidden="true" />
              </label>
            ))}
          </div>
        </fieldset>

        <section className="card" aria-labelledby={`${id}-renew-title`}>
          <h2 id={`${id}-renew-title`} className="visually-hidden">
            자동 결제
          </h2>
          <div className="renew-row">
            <label className="renew-option">
              <input
                type="checkbox"
                checked={autoRenew}
                onChange={(e) => setAutoRenew(e.target.checked)}
                disabled={phase !== 'idle'}
                aria-describedby={`${id}-renew-desc`}
              />
              <span className="renew-label">30일마다 자동 결제</span>
            </label>
            <Badge tone={autoRenew ? 'success' : 'neutral'}>{autoRenew ? '켜짐' : '꺼짐'}</Badge>
          </div>
          <p className="renew-desc" id={`${id}-renew-desc`}>
            {autoRenew ? (
              <>
                <strong>{date(periodEnd)}</strong>부터 {plan.period_days}일마다 <strong>{won(plan.price_krw)}</strong>이{' '}
                {chosen ? `${chosen.name}로` : '선택한 결제 수단으로'} 자동 결제됩니다. 자동 결제 상태는 내 구독에서 언제든 확인할 수
                있어요.
              </>
            ) : (
              <>
                이번 한 번만 결제합니다. 이용 기간은 <strong>{date(periodEnd)}</strong>에 끝나며 자동으로 결제되지 않아요.
              </>
            )}
          </p>
        </section>

        <section className="card" aria-labelledby={`${id}-confirm-title`}>
          <h2 id={`${id}-confirm-title`} className="card-title">
            주문 내용 확인 및 결제 동의
          </h2>
          <dl className="order-consent-list">
            <dt>상품</dt>
            <dd>
              ShowMeTheStock {plan.name} 플랜 ({plan.period_days}일 이용권)
            </dd>
            <dt>결제 금액</dt>
            <dd>
              <strong>{won(plan.price_krw)}</strong> (부가세 {won(plan.vat_krw)} 포함)
            </dd>
            <dt>이용 기간</dt>
            <dd>
              {date(periodStart)} ~ {date(periodEnd)} ({plan.period_days}일)
            </dd>
            <dt>자동 결제</dt>
            <dd>
              {autoRenew
                ? `${date(periodEnd)}부터 ${plan.period_days}일마다 ${won(plan.price_krw)} 자동 결제 · 내 구독에서 언제든 해지`
                : '이번 한 번만 결제 (자동 결제 없음)'}
            </dd>
            <dt>결제 수단</dt>
            <dd>{chosen ? chosen.name : '선택 전'}</dd>
          </dl>
          <p className="order-warning">
            유료 기능(자동매매 등)을 사용하면 디지털콘텐츠 제공이 시작된 것으로 보아 청약철회가 제한됩니다. 사용하지 않았다면 결제일로부터
            {withdrawalDays}일 이내에 전액 환불받을 수 있습니다 (청약철회).
          </p>
          <div className="order-terms" tabIndex={0} role="region" aria-label={`${order.title} (버전 ${order.version})`}>
            <LegalSections doc={order} headingLevel={3} />
            <p className="muted small">
              버전 {order.version} · <a href="/terms" target="_blank" rel="noopener">이용약관 전문</a>
            </p>
          </div>
          <div className="consent-row">
            <input
              id={`${id}-agree`}
              type="checkbox"
              checked={agreed}
              disabled={phase !== 'idle'}
              onChange={(e) => {
                setAgreed(e.target.checked);
                if (e.target.checked) setConsentError(false);
              }}
              aria-invalid={consentError ? true : undefined}
              aria-describedby={consentError ? `${id}-agree-error` : undefined}
              aria-required="true"
            />
            <label htmlFor={`${id}-agree`}>위 주문 내용과 결제 · 청약철회 조건을 확인했으며 결제에 동의합니다 (필수)</label>
          </div>
          {consentError && (
            <p className="field-error" id={`${id}-agree-error`}>
              결제하려면 주문 내용 확인 및 결제 조건에 동의해 주세요.
            </p>
          )}
        </section>

        <div className="pay-area">
          <div aria-live="assertive">
            {error && (
              <Notice tone="danger" title="결제를 시작하지 못했습니다">
                {error}
              </Notice>
            )}
          </div>
          <p className="pay-total">
            <span>결제 금액</span>
            <strong>{won(plan.price_krw)}</strong>
          </p>
          <button
            type="submit"
            className={`btn btn-lg btn-block btn-pay${chosen ? ` btn-pay-${chosen.id}` : ''}`}
            disabled={!chosen || otherPlanRunning || phase !== 'idle'}
          >
            {phase !== 'idle' ? (
              <Spinner label="결제창 여는 중…" />
            ) : chosen ? (
              <>
                <PayMark method={chosen.id} size={20} />
                <span>{chosen.name}로 결제</span>
              </>
            ) : (
              '결제 수단을 선택해 주세요'
            )}
          </button>
          <p className="status-line" role="status" aria-live="polite">
            {status}
          </p>
          <p className="secure-note">
            <LockIcon />
            <span>
              {chosen ? chosen.name : '결제사'} 화면에서 결제를 승인하면 바로 이용할 수 있어요. 카드 정보는 결제사가 직접 처리합니다.
            </span>
          </p>
        </div>
      </form>
      </div>
    </>
  );
}
