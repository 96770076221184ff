/** 내 구독 → 현재 플랜: status, period, next charge, payment method; and the plan's features. */
import type { ReactNode } from 'react';
import type { EntitlementsView } from '../../api.ts';
import { date, subscriptionStatus, tradingLimit, won } from '../../format.ts';
import { Link } from '../../router.tsx';
import { PayMark } from '../../components/PayMarks.tsx';
import { Badge, CheckIcon, CrossIcon, Notice } from '../../components/ui.tsx';
import type { SubscriptionModel } from './model.ts';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function StatusCard({ m }: { m: SubscriptionModel }) {
  const { sub, renewal, plan, nextPlan, pending, provider, providerName, pastDue, running, periodEnd, next, nextPrice } = m;
  const status = subscriptionStatus(sub.status, sub.is_active);
  return (
    <section className="card sub-main" aria-labelledby="sub-plan-title">
      <p className="eyebrow">현재 플랜</p>
      <div className="sub-plan">
        <h2 id="sub-plan-title" className="sub-plan-name">
          {sub.plan_name}
        </h2>
        <Badge tone={status.tone}>{status.label}</Badge>
        {running && !sub.auto_renew && !pastDue && <Badge tone="neutral">해지 예약됨</Badge>}
      </div>
      {sub.is_active ? (
        <dl className="kv">
          {sub.current_period && (
            <Row label="이용 기간">
              <span className="nowrap">{date(sub.current_period.start)}</span> ~{' '}
              <span className="nowrap">{date(sub.current_period.end)}</span>
            </Row>
          )}
          {pastDue && renewal.grace_until && (
            <Row label="이용 유지 기한">
              <strong>{date(renewal.grace_until)}</strong>
            </Row>
          )}
          {sub.auto_renew && renewal.next_charge_at ? (
            <Row label={pastDue ? '다음 자동 재시도' : '다음 결제일'}>
              <strong>{date(renewal.next_charge_at)}</strong>
            </Row>
          ) : (
            !pastDue && (
              <Row label={sub.auto_renew ? '다음 결제일' : '만료일'}>
                <strong>{date(sub.expire_date)}</strong>
              </Row>
            )
          )}
          {sub.auto_renew && next && (
            <Row label="다음 결제 금액">
              <span data-testid="next-charge">{next.charge_krw !== null ? won(next.charge_krw) : `가격 변경 동의 필요 (${won(next.price_krw)})`}</span>
              {nextPlan && nextPlan.id !== sub.plan && <> ({nextPlan.name})</>} <span className="muted small">부가세 포함</span>
            </Row>
          )}
          {providerName && (
            <Row label="결제 수단">
              <span className="inline-mark">
                <PayMark method={provider!} size={18} />
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
      {sub.is_active && !pastDue && (
        <p className="sub-explain">
          {sub.auto_renew
            ? next?.charge_krw === null
              ? `${date(next.at)}까지 바뀐 요금에 동의하지 않으시면 자동 결제 없이 이용 기간이 끝납니다.`
              : `${date(renewal.next_charge_at ?? sub.expire_date)}에 ${won(nextPrice ?? 0)}이 ${providerName ?? '등록한 결제 수단'}로 자동 결제되어 이용 기간이 이어집니다.`
            : `자동 결제가 꺼져 있어 ${date(sub.expire_date)}에 이용 기간이 끝나고 기본 플랜으로 바뀝니다. 계속 이용하려면 자동 결제를 다시 켜거나 그 전에 다시 결제해 주세요.`}
        </p>
      )}
      {pending && (
        <Notice tone="info">
          {date(periodEnd)}부터 {pending.name} 플랜이 적용됩니다 (다운그레이드 예약).
        </Notice>
      )}
      <div className="card-actions">
        {!sub.is_active && (
          <Link to="/" className="btn btn-primary">
            플랜 둘러보기
          </Link>
        )}
        {sub.is_active && !sub.auto_renew && !pastDue && plan && (
          <Link to={`/checkout?plan=${encodeURIComponent(plan.id)}`} className="btn btn-secondary">
            기간 연장하기
          </Link>
        )}
        <Link to="/payments" className="btn btn-secondary">
          결제 내역 보기
        </Link>
      </div>
    </section>
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

export function EntitlementsCard({ e }: { e: EntitlementsView }) {
  return (
    <section className="card" aria-labelledby="sub-ent-title">
      <h2 id="sub-ent-title" className="card-title">
        이용 가능한 기능
      </h2>
      <Entitlements e={e} />
    </section>
  );
}
