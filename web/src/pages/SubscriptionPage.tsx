import type { ReactNode } from 'react';
import { api, type EntitlementsView, type SubscriptionStatusView, type PlanView } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { Link } from '../router.tsx';
import { date, subscriptionStatus, tradingLimit, won } from '../format.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { Badge, CheckIcon, CrossIcon, Notice, Skeleton } from '../components/ui.tsx';

const PROVIDER_NAMES: Record<string, string> = { kakaopay: '카카오페이', naverpay: '네이버페이' };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Entitlements({ e }: { e: EntitlementsView }) {
  const items: { label: string; on: boolean; value?: string }[] = [
    { label: '자동매매', on: e.auto_trading, value: e.auto_trading ? '사용 가능' : '미포함' },
    {
      label: '자동매매 한도',
      on: e.auto_trading,
      value: tradingLimit(e.auto_trading_monthly_limit_krw, e.auto_trading),
    },
    { label: '실시간 알림', on: e.realtime_alerts },
    { label: '맞춤 전략', on: e.custom_strategies },
    { label: '우선 지원', on: e.priority_support },
  ];
  return (
    <ul className="entitlements">
      {items.map((it) => (
        <li key={it.label} className={it.on ? 'is-on' : 'is-off'}>
          {it.on ? <CheckIcon /> : <CrossIcon />}
          <span className="ent-label">{it.label}</span>
          <span className="ent-value">{it.value ?? (it.on ? '포함' : '미포함')}</span>
        </li>
      ))}
    </ul>
  );
}

function SubscriptionSkeleton() {
  return (
    <div className="sub-grid" aria-hidden="true">
      <section className="card">
        <Skeleton width="30%" height="1.2rem" />
        <Skeleton width="50%" height="2.2rem" />
        <div className="kv">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} width="100%" height="1.25rem" />
          ))}
        </div>
      </section>
      <section className="card">
        <Skeleton width="40%" height="1.2rem" />
        <div className="kv">
          {[0, 1, 2, 3, 4].map((i) => (
            <Skeleton key={i} width="100%" height="1.25rem" />
          ))}
        </div>
      </section>
    </div>
  );
}

function SubscriptionView({ sub, plans }: { sub: SubscriptionStatusView; plans: PlanView[] }) {
  const plan = plans.find((p) => p.id === sub.plan);
  const pendingName = sub.pending_plan ? (plans.find((p) => p.id === sub.pending_plan)?.name ?? sub.pending_plan) : null;
  const status = subscriptionStatus(sub.status, sub.is_active);
  const providerName = sub.provider ? (PROVIDER_NAMES[sub.provider] ?? sub.provider) : null;
  return (
    <div className="sub-grid">
      <section className="card sub-main" aria-labelledby="sub-plan-title">
        <p className="eyebrow">현재 플랜</p>
        <div className="sub-plan">
          <h2 id="sub-plan-title" className="sub-plan-name">
            {sub.plan_name}
          </h2>
          <Badge tone={status.tone}>{status.label}</Badge>
        </div>
        {sub.is_active ? (
          <dl className="kv">
            {sub.current_period && (
              <Row label="이용 기간">
                <span className="nowrap">{date(sub.current_period.start)}</span> ~{' '}
                <span className="nowrap">{date(sub.current_period.end)}</span>
              </Row>
            )}
            <Row label={sub.auto_renew ? '다음 결제일' : '만료일'}>
              <strong>{date(sub.expire_date)}</strong>
            </Row>
            {plan && sub.auto_renew && <Row label="다음 결제 금액">{won(plan.price_krw)} (부가세 포함)</Row>}
            {providerName && (
              <Row label="결제 수단">
                <span className="inline-mark">
                  <PayMark method={sub.provider!} size={18} />
                  {providerName}
                </span>
              </Row>
            )}
            <Row label="자동 결제">
              {sub.auto_renew ? <Badge tone="success">켜짐</Badge> : <Badge tone="neutral">꺼짐</Badge>}
            </Row>
          </dl>
        ) : (
          <p className="muted">유료 플랜을 이용하고 있지 않아요. 기본 기능은 무료로 계속 이용할 수 있습니다.</p>
        )}
        {sub.is_active && (
          <p className="sub-explain">
            {sub.auto_renew
              ? `${date(sub.expire_date)}에 ${plan ? won(plan.price_krw) : '플랜 요금'}이 ${providerName ?? '등록한 결제 수단'}로 자동 결제되어 이용 기간이 이어집니다.`
              : `자동 결제가 꺼져 있어 ${date(sub.expire_date)}에 이용 기간이 끝납니다. 계속 이용하려면 그 전에 다시 결제해 주세요.`}
          </p>
        )}
        {pendingName && <Notice tone="info">다음 결제부터 {pendingName} 플랜이 적용됩니다.</Notice>}
        {sub.status === 'past_due' && (
          <Notice tone="warning" title="자동 결제가 완료되지 않았습니다">
            결제 수단을 확인해 주세요. 결제가 확인될 때까지 이용은 유지됩니다.
          </Notice>
        )}
        <div className="card-actions">
          {!sub.is_active && (
            <Link to="/" className="btn btn-primary">
              플랜 둘러보기
            </Link>
          )}
          {sub.is_active && !sub.auto_renew && plan && (
            <Link to={`/checkout?plan=${encodeURIComponent(plan.id)}`} className="btn btn-primary">
              기간 연장하기
            </Link>
          )}
          <Link to="/payments" className="btn btn-secondary">
            결제 내역 보기
          </Link>
        </div>
      </section>
      <section className="card" aria-labelledby="sub-ent-title">
        <h2 id="sub-ent-title" className="card-title">
          이용 가능한 기능
        </h2>
        <Entitlements e={sub.entitlements} />
      </section>
    </div>
  );
}

export function SubscriptionPage() {
  const data = useLoad(async (signal) => {
    const [sub, plans] = await Promise.all([api.subscription(signal), api.plans(signal)]);
    return { sub, plans };
  }, []);
  return (
    <>
      <h1 className="page-title">내 구독</h1>
      <div aria-live="polite" aria-busy={data.state === 'loading'}>
        {data.state === 'loading' && <SubscriptionSkeleton />}
        {data.state === 'error' && (
          <Notice
            tone="danger"
            title="구독 정보를 불러오지 못했습니다"
            action={
              <button type="button" className="btn btn-secondary btn-sm" onClick={data.reload}>
                다시 불러오기
              </button>
            }
          >
            {data.error.message}
          </Notice>
        )}
        {data.state === 'ready' && (
          <SubscriptionView sub={data.data.sub} plans={data.data.plans.plans} />
        )}
      </div>
    </>
  );
}
