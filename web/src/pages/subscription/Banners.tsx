/** 내 구독's banners: a failed renewal (past due), and a price change awaiting consent. */
import { date, dateTime, failureMessage, won } from '../../format.ts';
import { Link } from '../../router.tsx';
import { Notice } from '../../components/ui.tsx';
import type { Action } from './actions.ts';
import type { SubscriptionModel } from './model.ts';

export function PastDueBanner({ m }: { m: SubscriptionModel }) {
  const { sub, renewal, methods, provider } = m;
  const otherMethod = methods.find((x) => x.id !== provider) ?? methods[0];
  return (
    <div className="banner banner-warning" role="alert">
      <div className="banner-body">
        <p className="banner-title">자동 결제가 완료되지 않았습니다</p>
        <p>
          {renewal.cycle ? `${won(renewal.cycle.amount_krw)} 자동 결제에 실패했습니다.` : '갱신 결제에 실패했습니다.'}{' '}
          {renewal.cycle?.failure_code === 'price_consent_required'
            ? '바뀐 요금에 동의해야 결제할 수 있습니다. '
            : renewal.cycle?.failure_code
              ? `${failureMessage(renewal.cycle.failure_code)} `
              : ''}
          {renewal.grace_until ? (
            <>
              <strong>{date(renewal.grace_until)}</strong>까지는 {sub.plan_name} 플랜을 그대로 이용할 수 있어요.
            </>
          ) : (
            '결제가 확인될 때까지 이용은 유지됩니다.'
          )}{' '}
          {renewal.cycle?.next_attempt_at && <>다음 자동 재시도: {dateTime(renewal.cycle.next_attempt_at)}. </>}
          다른 결제 수단으로 지금 결제하면 바로 정상 이용으로 돌아갑니다.
        </p>
      </div>
      <div className="banner-actions">
        <Link
          to={`/checkout?plan=${encodeURIComponent(sub.plan)}${otherMethod ? `&method=${encodeURIComponent(otherMethod.id)}` : ''}`}
          className="btn btn-primary"
        >
          다른 결제 수단으로 결제
        </Link>
      </div>
    </div>
  );
}

/** A price change of the subscribed plan (docs/pricing.md): ask for consent, or say it was given. */
export function PriceChangePanel({ m, open }: { m: SubscriptionModel; open(a: Action): void }) {
  const { sub, renewal, running } = m;
  const change = renewal.price_change;
  if (!change || !running) return null;
  const changePlan = m.planOf(change.plan);
  if (change.consented) {
    return (
      <Notice tone="info">
        {changePlan?.name ?? change.plan} 플랜의 바뀐 요금 {won(change.to_krw)}에 동의하셨습니다. {date(change.first_charge_at)} 결제부터 적용됩니다.
        동의를 거두려면 그 전에 자동 결제를 해지하세요.
      </Notice>
    );
  }
  if (!sub.auto_renew) return null;
  return (
    <div className="banner banner-info" role="status" data-testid="price-change-banner">
      <div className="banner-body">
        <p className="banner-title">{changePlan?.name ?? change.plan} 플랜 요금이 바뀝니다</p>
        <p>
          {date(change.effective_at)}부터 {change.from_krw !== null && <>동의하신 금액 {won(change.from_krw)}에서 </>}
          <strong>{won(change.to_krw)}</strong>으로 바뀝니다. 동의하시면 <strong>{date(change.first_charge_at)}</strong> 결제부터 바뀐 금액이
          결제됩니다. 동의하기 전에는 바뀐 금액으로 결제하지 않으며, 동의하지 않으시면 그날 자동 결제 없이 구독이 종료됩니다.
        </p>
      </div>
      <div className="banner-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => open({ kind: 'consent', priceKrw: change.to_krw, planName: changePlan?.name ?? change.plan, firstChargeAt: change.first_charge_at })}
        >
          변경된 가격에 동의
        </button>
      </div>
    </div>
  );
}
