/** Dialogs that end a subscription: 해지 예약, 청약철회, cancel-now with a refund. */
import type { ReceiptResponse } from '../../../api.ts';
import { date, shortDate, won } from '../../../format.ts';
import type { CancelNowQuoteResponse } from '../../../quotes-api.ts';
import { CancelNowQuoteBody } from '../../../components/QuoteDialogs.tsx';
import type { DialogContent, DialogCtx } from './content.ts';

export function cancelDialog({ m }: DialogCtx): DialogContent {
  const { sub, pastDue, periodEnd, providerName } = m;
  return {
    title: pastDue ? '자동 결제를 해지할까요?' : '자동 결제 해지를 예약할까요?',
    confirm: pastDue ? '해지하기' : '해지 예약',
    danger: true,
    body: pastDue ? (
      <ul className="dialog-points">
        <li>결제가 밀린 상태라 해지하면 구독이 바로 끝나고 기본(무료) 플랜으로 바뀝니다.</li>
        <li>더 이상 자동 결제를 시도하지 않습니다.</li>
      </ul>
    ) : (
      <ul className="dialog-points">
        <li>
          <strong>{date(periodEnd)}</strong>까지는 {sub.plan_name} 플랜을 그대로 이용할 수 있어요.
        </li>
        <li>그 뒤에는 결제되지 않고 기본(무료) 플랜으로 바뀝니다. 이미 결제한 금액은 환불되지 않습니다.</li>
        <li>
          등록된 자동 결제 수단({providerName ?? '결제사'})의 자동 결제 등록은 이용 기간이 끝날 때 해지됩니다. 그 전에는 &lsquo;자동 결제 다시
          켜기&rsquo;로 결제사 등록 없이 바로 되돌릴 수 있어요.
        </li>
        {sub.pending_plan && <li>예약된 다운그레이드도 함께 취소됩니다.</li>}
      </ul>
    ),
  };
}

export function withdrawDialog(r: ReceiptResponse): DialogContent {
  return {
    title: '청약철회할까요?',
    confirm: `${won(r.refundable_krw)} 환불받기`,
    danger: true,
    busyLabel: '환불하는 중…',
    body: (
      <ul className="dialog-points">
        <li>
          {shortDate(r.receipt.approved_at)} {r.payment.plan_name} 결제 <strong>{won(r.refundable_krw)}</strong>을 전액 {r.receipt.provider_name}로
          환불합니다.
        </li>
        <li>
          {r.payment.kind === 'upgrade'
            ? '플랜 변경 결제를 철회하면 남은 이용 기간이 함께 끝나 바로 기본(무료) 플랜으로 바뀝니다.'
            : '이 결제로 이용하던 기간이 끝납니다. 남은 이용 기간이 없으면 바로 기본(무료) 플랜으로 바뀝니다.'}
        </li>
        <li>청약철회는 결제 후 7일 이내, 유료 기능을 쓰기 전에만 할 수 있어요.</li>
      </ul>
    ),
  };
}

export function cancelNowDialog(q: CancelNowQuoteResponse, ctx: DialogCtx): DialogContent {
  return {
    title: '지금 해지하고 환불받을까요?',
    confirm: q.refund_krw > 0 ? `해지하고 ${won(q.refund_krw)} 환불받기` : '지금 해지',
    danger: true,
    busyLabel: '해지하는 중…',
    body: <CancelNowQuoteBody quote={q} busy={ctx.busy} onWithdraw={(w) => ctx.offerWithdrawal(w.payment_id)} />,
  };
}
