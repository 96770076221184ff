/** Renewal dialogs: turning auto-renewal back on, and consenting to a changed price. */
import { date, won } from '../../../format.ts';
import { PayMark } from '../../../components/PayMarks.tsx';
import type { DialogContent, DialogCtx } from './content.ts';

export function resumeDialog({ m, busy, methods, method, setMethod }: DialogCtx): DialogContent {
  const { plan, periodEnd, providerName } = m;
  const title = '자동 결제를 다시 켤까요?';
  // What turning auto-renewal back on charges, as the API states it.
  const nextTerms = m.renewal.next_renewal;
  const price = nextTerms ? (nextTerms.charge_krw ?? nextTerms.price_krw) : 0;
  if (m.renewal.has_billing_key) {
    return {
      title,
      confirm: '자동 결제 켜기',
      body: (
        <>
          <p>
            <strong>{date(periodEnd)}</strong>에 <strong>{won(price)}</strong>이 {providerName ?? '등록된 결제 수단'}로 자동 결제되어 이용 기간이
            이어집니다.
          </p>
          {nextTerms?.charge_krw === null && <p>바뀐 요금에 동의하셔야 결제됩니다. 동의하지 않으시면 그날 결제 없이 이용 기간이 끝납니다.</p>}
        </>
      ),
    };
  }
  const chosen = methods.find((x) => x.id === method);
  return {
    title,
    confirm: `${chosen?.name ?? '결제사'}에서 등록하기`,
    busyLabel: '결제사로 이동 중…',
    body: (
      <>
        <p>
          등록된 자동 결제 수단이 없어 결제사에서 결제 수단을 등록해야 합니다. <strong>등록할 때 요금은 청구되지 않습니다 (0원).</strong>
        </p>
        <p>
          등록을 마치면 <strong>{date(periodEnd)}</strong>부터 {plan?.period_days ?? 30}일마다 <strong>{won(price)}</strong>이 자동 결제됩니다.
        </p>
        {methods.length > 1 && (
          <fieldset className="dialog-methods" disabled={busy}>
            <legend>등록할 결제 수단</legend>
            {methods.map((x) => (
              <label key={x.id} className={`dialog-method${method === x.id ? ' is-selected' : ''}`}>
                <input type="radio" name="resume-method" value={x.id} checked={method === x.id} onChange={() => setMethod(x.id)} />
                <PayMark method={x.id} size={18} />
                <span>{x.name}</span>
              </label>
            ))}
          </fieldset>
        )}
      </>
    ),
  };
}

export function consentDialog(a: { priceKrw: number; planName: string; firstChargeAt: string }): DialogContent {
  return {
    title: '변경된 가격에 동의할까요?',
    confirm: `${won(a.priceKrw)}에 동의`,
    body: (
      <p>
        <strong>{date(a.firstChargeAt)}</strong> 결제부터 {a.planName} 플랜 요금 <strong>{won(a.priceKrw)}</strong>(부가세 포함)이 자동
        결제됩니다. 그 전까지는 지금 금액으로 결제됩니다. 동의한 뒤에도 그날 전에 자동 결제를 해지하면 바뀐 금액으로 결제되지 않아요.
      </p>
    ),
  };
}
