/**
 * 내 구독: loads the subscription (subscription/data.ts), shows it in cards (subscription/*.tsx)
 * and runs what the user confirms (subscription/actions.ts) through one dialog.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, newIdempotencyKey } from '../api.ts';
import { Notice } from '../components/ui.tsx';
import { UsageBar } from '../components/UsageBar.tsx';
import { BillingKeyStatus, PaymentMethodCard } from '../components/PaymentMethodCard.tsx';
import { QUOTE_REFUSALS, quotesApi } from '../quotes-api.ts';
import { loadData, type Data, type Flash } from './subscription/data.ts';
import { subscriptionModel } from './subscription/model.ts';
import { performAction, type Action, type QuotedAction } from './subscription/actions.ts';
import { SubscriptionSkeleton } from './subscription/SubscriptionSkeleton.tsx';
import { PastDueBanner, PriceChangePanel } from './subscription/Banners.tsx';
import { EntitlementsCard, StatusCard } from './subscription/StatusCard.tsx';
import { AutoRenewCard } from './subscription/AutoRenewCard.tsx';
import { RefundCard } from './subscription/RefundCard.tsx';
import { PlanChangeCard } from './subscription/PlanChangeCard.tsx';
import { ActionDialog } from './subscription/ActionDialog.tsx';

export function SubscriptionPage() {
  const [data, setData] = useState<Data | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [flash, setFlash] = useState<Flash | null>(null);
  const live = useRef(true);

  const refresh = useCallback(async (signal?: AbortSignal) => {
    try {
      const d = await loadData(signal);
      if (signal?.aborted || !live.current) return;
      setData(d);
      setLoadError(null);
    } catch (err) {
      if (signal?.aborted || !live.current) return;
      setLoadError(err as Error);
    }
  }, []);

  useEffect(() => {
    live.current = true;
    const ac = new AbortController();
    void refresh(ac.signal);
    return () => {
      live.current = false;
      ac.abort();
    };
  }, [refresh]);

  return (
    <>
      <h1 className="page-title">내 구독</h1>
      <div className="flash" aria-live="polite">
        {flash && (
          <Notice
            tone={flash.tone}
            title={flash.title}
            action={
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFlash(null)}>
                닫기
              </button>
            }
          >
            {flash.text}
          </Notice>
        )}
      </div>
      <div aria-busy={!data && !loadError}>
        {!data && !loadError && <SubscriptionSkeleton />}
        {loadError && (
          <Notice
            tone="danger"
            title="구독 정보를 불러오지 못했습니다"
            action={
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                onClick={() => {
                  setLoadError(null);
                  void refresh();
                }}
              >
                다시 불러오기
              </button>
            }
          >
            {loadError.message}
          </Notice>
        )}
        {data && <SubscriptionView data={data} onDone={async (f) => { await refresh(); setFlash(f); }} />}
      </div>
    </>
  );
}

function SubscriptionView({ data, onDone }: { data: Data; onDone(flash: Flash | null): Promise<void> }) {
  const m = subscriptionModel(data);
  const { sub, renewal, methods, provider, pastDue, running, periodEnd } = m;
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const key = useRef<string>('');

  function open(a: Action) {
    key.current = newIdempotencyKey();
    setError(null);
    setMethod(provider && methods.some((x) => x.id === provider) ? provider : (methods[0]?.id ?? null));
    setAction(a);
  }
  function close() {
    if (busy) return;
    setAction(null);
    setError(null);
  }

  async function run(a: Action) {
    setBusy(true);
    setError(null);
    try {
      const flash = await performAction(a, { m, key: key.current, method, requote });
      if (flash === 'leaving') return; // the browser is on its way to the provider
      setAction(null);
      await onDone(flash);
    } catch (err) {
      // A refusal is stored under its key: a new attempt needs a new key.
      if (err instanceof ApiFailure && err.status >= 400 && err.status < 500) key.current = newIdempotencyKey();
      setError(err instanceof Error ? err.message : String(err));
      if (err instanceof ApiFailure && err.status === 401) window.location.reload();
    } finally {
      setBusy(false);
    }
  }

  /**
   * Runs a quoted operation. When the server refuses the quote (the amount changed or the quote
   * expired), the dialog shows the new quote and the user confirms again; nothing was charged.
   */
  async function requote<T>(a: QuotedAction, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiFailure) || !QUOTE_REFUSALS.includes(err.code)) throw err;
      const fresh = a.kind === 'upgrade' ? { ...a, quote: await quotesApi.planChange(a.plan.id) } : { ...a, quote: await quotesApi.cancelNow() };
      setAction(fresh);
      // The refusal is stored under the old key: the new confirmation needs its own.
      key.current = newIdempotencyKey();
      throw new Error(`${err.message} 새로 계산한 금액을 확인한 뒤 다시 눌러 주세요.`);
    }
  }

  function offerWithdrawal(paymentId: string) {
    const receipt = data.receipts.find((r) => r.payment.id === paymentId);
    if (receipt) open({ kind: 'withdraw', receipt });
  }

  /** Opens a dialog whose amount is a fresh quote from the server. */
  async function openQuoted(make: () => Promise<Action>) {
    try {
      open(await make());
    } catch (err) {
      await onDone({ tone: 'danger', title: '금액을 불러오지 못했습니다', text: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <>
      {pastDue && <PastDueBanner m={m} />}
      <PriceChangePanel m={m} open={open} />

      <div className="sub-grid">
        <StatusCard m={m} />
        <EntitlementsCard e={sub.entitlements} />
        <UsageBar />
      </div>

      {!running && <BillingKeyStatus renewal={renewal} />}

      {running && (
        <div className="manage-grid">
          <AutoRenewCard m={m} open={open} />
          <PaymentMethodCard sub={sub} renewal={renewal} methods={methods} periodEnd={periodEnd} />
          <RefundCard m={m} open={open} openQuoted={openQuoted} />
          {sub.status === 'active' && <PlanChangeCard m={m} openQuoted={openQuoted} />}
        </div>
      )}

      <ActionDialog
        action={action}
        error={error}
        onClose={close}
        onConfirm={() => action && void run(action)}
        ctx={{ m, busy, methods, method, setMethod, offerWithdrawal }}
      />
    </>
  );
}
