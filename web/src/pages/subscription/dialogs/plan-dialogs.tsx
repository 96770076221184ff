/** Plan change dialogs: upgrade, downgrade, and undoing a scheduled downgrade, priced by the server's quote. */
import type { PlanView } from '../../../api.ts';
import { date, won } from '../../../format.ts';
import type { PlanChangeQuoteResponse } from '../../../quotes-api.ts';
import { UpgradeQuoteBody } from '../../../components/QuoteDialogs.tsx';
import type { DialogContent, DialogCtx } from './content.ts';

export function upgradeDialog(plan: PlanView, q: PlanChangeQuoteResponse, { m }: DialogCtx): DialogContent {
  const { sub, providerName, renewal } = m;
  return {
    title: `${plan.name} 플랜으로 업그레이드할까요?`,
    confirm: q.charge_krw > 0 ? `${won(q.charge_krw)} 결제하고 변경` : '지금 변경',
    busyLabel: '결제하는 중…',
    body: (
      <UpgradeQuoteBody
        quote={q}
        periodDays={m.plan?.period_days ?? 30}
        autoRenew={sub.auto_renew}
        payer={
          q.pays_with === 'checkout' || !renewal.has_billing_key
            ? '자동 결제 수단이 없어 결제사 화면에서 결제하면 바로 적용됩니다.'
            : `${providerName ?? '등록된 결제 수단'}로 바로 결제됩니다.`
        }
      />
    ),
  };
}

export function downgradeDialog(plan: PlanView, q: PlanChangeQuoteResponse, { m }: DialogCtx): DialogContent {
  return {
    title: `${plan.name} 플랜으로 다운그레이드할까요?`,
    confirm: '다운그레이드 예약',
    body: (
      <ul className="dialog-points">
        <li>지금은 결제되지 않고, 환불도 없습니다.</li>
        <li>
          <strong>{date(q.effective_at)}</strong>까지는 {m.sub.plan_name} 플랜을 그대로 이용합니다.
        </li>
        <li>
          {date(q.effective_at)}부터 {plan.name} 플랜이 적용되고 <strong>{won(q.next_charge_krw)}</strong>이 자동 결제됩니다.
        </li>
      </ul>
    ),
  };
}

export function undoDowngradeDialog(q: PlanChangeQuoteResponse, { m }: DialogCtx): DialogContent {
  return {
    title: '다운그레이드 예약을 취소할까요?',
    confirm: '예약 취소',
    body: (
      <p>
        {m.sub.plan_name} 플랜을 계속 이용하고, 다음 결제일({date(q.period_end)})에 {won(q.next_charge_krw)}이 결제됩니다.
      </p>
    ),
  };
}
