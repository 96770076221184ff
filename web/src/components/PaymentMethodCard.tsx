/**
 * 내 구독 → 결제 수단: the billing key the renewals are charged on, where it stands at the
 * provider, and 결제 수단 변경 (a 0-won registration with KakaoPay or NaverPay; the
 * subscription switches once the provider approves, and the old registration is cancelled).
 */
import { useRef, useState } from 'react';
import { api, ApiFailure, newIdempotencyKey, type PaymentMethodView, type RenewalView, type SubscriptionStatusView } from '../api.ts';
import { date, PROVIDER_NAMES } from '../format.ts';
import { launchCheckout } from '../launch.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { PayMark } from './PayMarks.tsx';
import { Badge, Notice } from './ui.tsx';

const providerName = (id: string | null | undefined) => (id ? (PROVIDER_NAMES[id] ?? id) : null);

/** What the provider holds for this subscription, in words (billing_key_state of the renewal view). */
export function billingKeyText(renewal: RenewalView, periodEnd: string | null): string | null {
  switch (renewal.billing_key_state) {
    case 'registered':
      return renewal.auto_renew
        ? '자동 결제 등록됨'
        : `자동 결제 등록은 ${date(periodEnd)} 이용 기간이 끝날 때 해지됩니다. 그 전에 자동 결제를 다시 켜면 결제사 등록 없이 바로 이어집니다.`;
    case 'revoking':
      return '결제사에 자동 결제 등록 해지를 요청하고 있습니다. 결제사가 확인하면 해지 완료로 바뀝니다.';
    case 'revoked':
      return `결제사의 자동 결제 등록이 해지되었습니다${renewal.billing_key_revoked_at ? ` (${date(renewal.billing_key_revoked_at)})` : ''}.`;
    case 'revoke_failed':
      return '자동 결제 등록 해지가 처리되지 않아 고객센터에서 확인하고 있습니다. 이 등록으로 더 이상 결제되지 않습니다.';
    default:
      return null;
  }
}

/** For a subscription that has ended: only where its old billing key stands. */
export function BillingKeyStatus({ renewal }: { renewal: RenewalView }) {
  const text = billingKeyText(renewal, null);
  if (!text || renewal.billing_key_state === 'registered') return null;
  return (
    <Notice tone={renewal.billing_key_state === 'revoked' ? 'info' : 'warning'} title="자동 결제 등록">
      <span data-testid="billing-key-state">{text}</span>
    </Notice>
  );
}

export function PaymentMethodCard({
  sub,
  renewal,
  methods,
  periodEnd,
}: {
  sub: SubscriptionStatusView;
  renewal: RenewalView;
  methods: PaymentMethodView[];
  periodEnd: string | null;
}) {
  const current = sub.provider ?? renewal.provider;
  const [open, setOpen] = useState(false);
  const [method, setMethod] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef('');
  const canChange = sub.auto_renew && methods.length > 0;
  const chosen = methods.find((m) => m.id === method);
  const state = billingKeyText(renewal, periodEnd);

  function start() {
    key.current = newIdempotencyKey();
    setError(null);
    setMethod(current && methods.some((m) => m.id === current) ? current : (methods[0]?.id ?? null));
    setOpen(true);
  }

  async function confirm() {
    if (!method) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.changePaymentMethod(method, key.current);
      await launchCheckout(r.checkout);
      // Redirect checkouts leave the page; an SDK window returns here when it closes.
    } catch (err) {
      // A refusal is stored under its key: a new attempt needs a new key.
      if (err instanceof ApiFailure && err.status >= 400 && err.status < 500) key.current = newIdempotencyKey();
      setError(err instanceof Error ? err.message : String(err));
      if (err instanceof ApiFailure && err.status === 401) window.location.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card manage-card" aria-labelledby="method-title" id="payment-method">
      <div className="card-head">
        <h2 id="method-title" className="card-title">
          결제 수단
        </h2>
        {renewal.billing_key_state === 'registered' && <Badge tone={sub.auto_renew ? 'success' : 'neutral'}>{sub.auto_renew ? '자동 결제' : '해지 예정'}</Badge>}
      </div>
      {current ? (
        <p className="manage-text inline-mark" data-testid="current-method">
          <PayMark method={current} size={18} />
          {providerName(current)}
        </p>
      ) : (
        <p className="manage-text">등록된 자동 결제 수단이 없습니다.</p>
      )}
      {state && (
        <p className="manage-text muted small" data-testid="billing-key-state">
          {state}
        </p>
      )}
      <p className="manage-text">
        {canChange
          ? '구독을 해지하지 않고 다음 결제부터 쓸 결제 수단(카드)을 바꿀 수 있어요. 새 결제 수단을 결제사에서 등록하면(0원) 바로 바뀝니다.'
          : '자동 결제를 다시 켜면 결제 수단을 바꿀 수 있어요.'}
      </p>
      <div className="card-actions">
        <button type="button" className="btn btn-secondary" onClick={start} disabled={!canChange}>
          결제 수단 변경
        </button>
      </div>

      <ConfirmDialog
        open={open}
        title="결제 수단을 바꿀까요?"
        confirmLabel={`${chosen?.name ?? '결제사'}에서 등록하기`}
        busy={busy}
        busyLabel="결제사로 이동 중…"
        error={error}
        onConfirm={() => void confirm()}
        onClose={() => {
          if (!busy) setOpen(false);
        }}
      >
        <ul className="dialog-points">
          <li>
            새 결제 수단을 결제사에서 등록합니다. <strong>등록할 때 요금은 청구되지 않습니다 (0원).</strong>
          </li>
          <li>
            등록이 끝나면 다음 결제일{sub.status === 'active' && periodEnd ? `(${date(periodEnd)})` : ''}부터 새 결제 수단으로 결제되고, 지금 등록된{' '}
            {providerName(current) ?? '결제 수단'}의 자동 결제 등록은 해지됩니다.
          </li>
          <li>구독, 플랜, 이용 기간은 그대로입니다. 등록을 취소하면 아무것도 바뀌지 않아요.</li>
          {sub.status === 'past_due' && <li>밀린 결제는 새 결제 수단으로 바로 다시 시도합니다.</li>}
        </ul>
        <fieldset className="dialog-methods" disabled={busy}>
          <legend>새 결제 수단</legend>
          {methods.map((m) => (
            <label key={m.id} className={`dialog-method${method === m.id ? ' is-selected' : ''}`}>
              <input type="radio" name="new-method" value={m.id} checked={method === m.id} onChange={() => setMethod(m.id)} />
              <PayMark method={m.id} size={18} />
              <span>
                {m.name}
                {m.id === current ? ' (다른 카드·계정)' : ''}
              </span>
            </label>
          ))}
        </fieldset>
      </ConfirmDialog>
    </section>
  );
}
