/** 내 구독 → 자동 결제: 해지 예약, or turning auto-renewal back on. */
import { date, won } from '../../format.ts';
import { Badge } from '../../components/ui.tsx';
import type { Action } from './actions.ts';
import type { SubscriptionModel } from './model.ts';

export function AutoRenewCard({ m, open }: { m: SubscriptionModel; open(a: Action): void }) {
  const { sub, nextPlan, pastDue, periodEnd, nextPrice } = m;
  return (
    <section className="card manage-card" aria-labelledby="renew-title">
      <div className="card-head">
        <h2 id="renew-title" className="card-title">
          자동 결제
        </h2>
        {sub.auto_renew ? <Badge tone="success">켜짐</Badge> : <Badge tone="neutral">꺼짐</Badge>}
      </div>
      {sub.auto_renew ? (
        <p className="manage-text">
          {pastDue
            ? '결제가 밀린 상태입니다. 자동 결제를 해지하면 구독이 바로 끝나고 기본 플랜으로 바뀝니다.'
            : `해지를 예약해도 ${date(periodEnd)}까지는 ${sub.plan_name} 플랜을 그대로 이용할 수 있고, 그 뒤에는 결제되지 않아요.`}
        </p>
      ) : (
        <p className="manage-text">
          {date(periodEnd)}에 이용 기간이 끝납니다. 자동 결제를 다시 켜면 그날 {won(nextPrice ?? 0)}
          {nextPlan && nextPlan.id !== sub.plan ? ` (${nextPlan.name})` : ''}이 결제되어 이용 기간이 이어집니다.
        </p>
      )}
      <div className="card-actions">
        {sub.auto_renew ? (
          <button type="button" className="btn btn-secondary" onClick={() => open({ kind: 'cancel' })}>
            {pastDue ? '자동 결제 해지' : '해지 예약'}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => open({ kind: 'resume' })}>
            자동 결제 다시 켜기
          </button>
        )}
      </div>
    </section>
  );
}
