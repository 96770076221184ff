import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import {
  api,
  ApiFailure,
  newIdempotencyKey,
  type EntitlementsView,
  type PaymentMethodView,
  type PaymentView,
  type PlanView,
  type ReceiptResponse,
  type RenewalView,
  type SubscriptionStatusView,
} from '../api.ts';
import { Link } from '../router.tsx';
import { date, dateTime, failureMessage, PROVIDER_NAMES, shortDate, subscriptionStatus, tradingLimit, won } from '../format.ts';
import { launchCheckout } from '../launch.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { UsageBar } from '../components/UsageBar.tsx';
import { BillingKeyStatus, PaymentMethodCard } from '../components/PaymentMethodCard.tsx';
import { Badge, CheckIcon, CrossIcon, Notice, Skeleton } from '../components/ui.tsx';
import { CancelNowQuoteBody, UpgradeQuoteBody, upgradeSummary } from '../components/QuoteDialogs.tsx';
import { QUOTE_REFUSALS, quotesApi, type CancelNowQuoteResponse, type PlanChangeQuoteResponse } from '../quotes-api.ts';


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

interface Data {
  sub: SubscriptionStatusView;
  renewal: RenewalView;
  plans: PlanView[];
  methods: PaymentMethodView[];
  periodDays: number;
  payments: PaymentView[];
  /** Receipts of the payments the server says may be withdrawn now (청약철회). */
  receipts: ReceiptResponse[];
  /** The server's cancel-now quote (refund, 청약철회 offers), and upgrade quotes per plan id. */
  cancelQuote: CancelNowQuoteResponse;
  upgradeQuotes: Record<string, PlanChangeQuoteResponse>;
}

async function loadData(signal?: AbortSignal): Promise<Data> {
  const [sub, renewal, plans, payments] = await Promise.all([
    api.subscription(signal),
    api.renewal(signal),
    api.plans(signal),
    api.payments(undefined, signal),
  ]);
  // Money and the 청약철회 window come from the server's clock, never this device's.
  const cancelQuote = await quotesApi.cancelNow(signal);
  const current = plans.plans.find((p) => p.id === sub.plan);
  const upgrades = sub.status === 'active' && sub.is_active ? plans.plans.filter((p) => p.price_krw > (current?.price_krw ?? 0)) : [];
  const quoted = await Promise.all(upgrades.map((p) => quotesApi.planChange(p.id, signal).catch(() => null)));
  const upgradeQuotes = Object.fromEntries(quoted.filter((q): q is PlanChangeQuoteResponse => q !== null && q.kind === 'upgrade').map((q) => [q.plan, q]));
  const receipts = await Promise.all(cancelQuote.withdrawals.slice(0, 3).map((w) => api.receipt(w.payment_id, signal).catch(() => null)));
  return {
    sub,
    renewal,
    plans: plans.plans,
    methods: plans.methods,
    periodDays: plans.period_days,
    payments: payments.payments,
    receipts: receipts.filter((r): r is ReceiptResponse => r !== null),
    cancelQuote,
    upgradeQuotes,
  };
}

type Flash = { tone: 'success' | 'info' | 'warning' | 'danger'; title: string; text?: string };

type Action =
  | { kind: 'cancel' }
  | { kind: 'resume' }
  | { kind: 'upgrade'; plan: PlanView; quote: PlanChangeQuoteResponse }
  | { kind: 'downgrade'; plan: PlanView }
  | { kind: 'undo-downgrade' }
  | { kind: 'consent'; priceKrw: number; planName: string; firstChargeAt: string }
  | { kind: 'withdraw'; receipt: ReceiptResponse }
  | { kind: 'cancel-now'; quote: CancelNowQuoteResponse };

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
  const { sub, renewal, plans, methods } = data;
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const key = useRef<string>('');

  const planOf = (id: string | null | undefined) => (id ? plans.find((p) => p.id === id) : undefined);
  const plan = planOf(sub.plan);
  const nextPlan = planOf(renewal.next_renewal?.plan ?? renewal.next_plan ?? sub.pending_plan ?? sub.plan);
  const pending = planOf(sub.pending_plan);
  const status = subscriptionStatus(sub.status, sub.is_active);
  const provider = sub.provider ?? renewal.provider;
  const providerName = provider ? (PROVIDER_NAMES[provider] ?? provider) : null;
  const pastDue = sub.status === 'past_due';
  const running = sub.is_active && (sub.status === 'active' || pastDue);
  const periodEnd = sub.current_period?.end ?? sub.expire_date;

  function open(a: Action) {
    key.current = newIdempotencyKey();
    setError(null);
    setMethod(provider && methods.some((m) => m.id === provider) ? provider : (methods[0]?.id ?? null));
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
      const flash = await perform(a);
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
  async function requote<T>(a: Extract<Action, { kind: 'upgrade' | 'cancel-now' }>, call: () => Promise<T>): Promise<T> {
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

  async function perform(a: Action): Promise<Flash | null | 'leaving'> {
    switch (a.kind) {
      case 'cancel': {
        await api.cancelAutoRenew(key.current);
        return pastDue
          ? { tone: 'info', title: '구독을 해지했습니다', text: '결제가 밀린 구독이라 바로 종료되었고, 기본 플랜으로 바뀌었습니다.' }
          : {
              tone: 'success',
              title: '해지 예약이 완료되었습니다',
              text: `${date(periodEnd)}까지 ${sub.plan_name} 플랜을 계속 이용할 수 있고, 그 뒤에는 결제되지 않습니다. 그 전에는 '자동 결제 다시 켜기'로 바로 되돌릴 수 있어요.`,
            };
      }
      case 'resume': {
        const r = await api.resume(key.current, method ?? undefined);
        if (!r.resumed && r.checkout) {
          await launchCheckout(r.checkout);
          return 'leaving';
        }
        return { tone: 'success', title: '자동 결제가 다시 켜졌습니다', text: `${date(r.renewal.next_charge_at ?? periodEnd)}에 자동 결제됩니다.` };
      }
      case 'upgrade': {
        const r = await requote(a, () => quotesApi.changePlan(a.quote, key.current));
        if (r.change === 'checkout_required' && r.checkout) {
          await launchCheckout(r.checkout);
          return 'leaving';
        }
        if (r.change === 'pending') {
          return {
            tone: 'warning',
            title: '결제 결과를 확인하고 있어요',
            text: `${won(r.proration?.charge_krw ?? a.quote.charge_krw)} 결제가 확인되면 ${a.plan.name} 플랜이 바로 적용됩니다. 두 번 결제되지 않으니 다시 시도하지 마세요.`,
          };
        }
        const charged = r.payment?.amount_krw ?? r.proration?.charge_krw ?? 0;
        return {
          tone: 'success',
          title: `${a.plan.name} 플랜으로 변경되었습니다`,
          text:
            charged > 0
              ? `남은 기간 차액 ${won(charged)}을 ${r.payment?.provider_name ?? providerName ?? '등록된 결제 수단'}로 결제했습니다.`
              : '추가 결제 없이 바로 적용되었습니다.',
        };
      }
      case 'downgrade': {
        const r = await api.changePlan(a.plan.id, key.current);
        return {
          tone: 'success',
          title: `${a.plan.name} 플랜으로 다운그레이드를 예약했습니다`,
          text: `${date(r.effective_at ?? periodEnd)}부터 ${a.plan.name} 플랜이 적용되고 ${won(r.renewal.next_renewal?.charge_krw ?? r.renewal.next_renewal?.price_krw ?? a.plan.price_krw)}이 결제됩니다.`,
        };
      }
      case 'undo-downgrade': {
        await api.changePlan(sub.plan, key.current);
        return { tone: 'success', title: '다운그레이드 예약을 취소했습니다', text: `${sub.plan_name} 플랜을 계속 이용합니다.` };
      }
      case 'consent': {
        await api.consent(a.priceKrw, key.current);
        return { tone: 'success', title: '변경된 가격에 동의했습니다', text: `${date(a.firstChargeAt)} 결제부터 ${won(a.priceKrw)}이 결제됩니다.` };
      }
      case 'withdraw': {
        const r = await api.withdraw(a.receipt.payment.id, key.current);
        return r.outcome === 'succeeded'
          ? { tone: 'success', title: '청약철회가 완료되었습니다', text: `${won(r.refund.amount_krw)}을 ${r.payment.provider_name}로 환불했습니다.` }
          : { tone: 'warning', title: '환불 결과를 확인하고 있어요', text: '결제사 응답을 기다리는 중입니다. 결제 내역에서 잠시 후 확인해 주세요.' };
      }
      case 'cancel-now': {
        const r = await requote(a, () => quotesApi.confirmCancelNow(a.quote, key.current));
        const failed = r.lines.filter((l) => l.error);
        if (failed.length > 0) {
          return {
            tone: 'warning',
            title: '구독을 해지했지만 일부 환불이 처리되지 않았습니다',
            text: `${won(r.refunded_krw)}을 환불했습니다. 나머지는 고객센터에서 확인 후 환불해 드립니다.`,
          };
        }
        return {
          tone: 'success',
          title: '구독을 해지했습니다',
          text: r.refunded_krw > 0 ? `미사용 기간 ${won(r.refunded_krw)}을 환불했습니다.` : '환불할 미사용 금액이 없습니다.',
        };
      }
    }
  }

  const paidPlans = plans.filter((p) => p.price_krw > 0 && p.id !== sub.plan);
  const withdrawable = data.receipts.filter((r) => r.withdrawal.allowed);
  const withdrawBlocked = data.receipts.find((r) => !r.withdrawal.allowed && r.withdrawal.reason === 'features_used');
  const cancelNow = data.cancelQuote;
  const otherMethod = methods.find((m) => m.id !== provider) ?? methods[0];
  // The next renewal's plan and price as the API states them (never recomputed here).
  const next = renewal.next_renewal;
  const nextPrice = next ? (next.charge_krw ?? next.price_krw) : null;
  const change = renewal.price_change;
  const changePlan = planOf(change?.plan);

  return (
    <>
      {pastDue && (
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
      )}

      {change && !change.consented && running && sub.auto_renew && (
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
      )}
      {change && change.consented && running && (
        <Notice tone="info">
          {changePlan?.name ?? change.plan} 플랜의 바뀐 요금 {won(change.to_krw)}에 동의하셨습니다. {date(change.first_charge_at)} 결제부터 적용됩니다.
          동의를 거두려면 그 전에 자동 결제를 해지하세요.
        </Notice>
      )}

      <div className="sub-grid">
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
        <section className="card" aria-labelledby="sub-ent-title">
          <h2 id="sub-ent-title" className="card-title">
            이용 가능한 기능
          </h2>
          <Entitlements e={sub.entitlements} />
        </section>
        <UsageBar />
      </div>

      {!running && <BillingKeyStatus renewal={renewal} />}

      {running && (
        <div className="manage-grid">
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

          <PaymentMethodCard sub={sub} renewal={renewal} methods={methods} periodEnd={periodEnd} />

          <section className="card manage-card" aria-labelledby="refund-title">
            <h2 id="refund-title" className="card-title">
              해지 및 환불
            </h2>
            {withdrawable.map((r) => (
              <div key={r.payment.id} className="manage-item">
                <p className="manage-text">
                  <strong>{shortDate(r.receipt.approved_at)}</strong> {r.payment.plan_name} {r.payment.kind === 'upgrade' ? '플랜 변경 ' : ''}결제{' '}
                  {won(r.receipt.amount_krw)}은{' '}
                  <strong>{dateTime(r.withdrawal.deadline)}</strong>까지 청약철회할 수 있어요. 유료 기능을 쓰지 않았다면 전액{' '}
                  {won(r.refundable_krw)}을 돌려받습니다.
                </p>
                <button
                  type="button"
                  className="btn btn-secondary"
                  onClick={() => open({ kind: 'withdraw', receipt: r })}
                  aria-label={`${shortDate(r.receipt.approved_at)} ${r.payment.plan_name} 결제 청약철회`}
                >
                  청약철회 (전액 환불)
                </button>
              </div>
            ))}
            {withdrawable.length === 0 && withdrawBlocked && (
              <p className="manage-text muted small">결제 후 유료 기능을 이용해 청약철회 대신 즉시 해지(미사용 기간 환불)만 할 수 있어요.</p>
            )}
            <div className="manage-item">
              <p className="manage-text">
                {cancelNow.recommended === 'withdrawal' ? (
                  <>
                    지금 해지하려면 청약철회가 유리해요: 전액 <strong>{won(cancelNow.withdrawal_krw)}</strong>을 돌려받습니다 (중도 해지 시{' '}
                    {won(cancelNow.refund_krw)}).
                  </>
                ) : cancelNow.refund_krw > 0 ? (
                  <>
                    지금 바로 해지하면 남은 기간만큼 환불받습니다 (환불 금액 <strong>{won(cancelNow.refund_krw)}</strong>).
                  </>
                ) : (
                  '남은 이용 기간이 없어 지금 해지해도 환불 금액은 없습니다.'
                )}{' '}
                해지 즉시 기본 플랜으로 바뀝니다.
              </p>
              <button type="button" className="btn btn-danger-outline" onClick={() => void openQuoted(async () => ({ kind: 'cancel-now', quote: await quotesApi.cancelNow() }))}>
                즉시 해지 및 환불
              </button>
            </div>
          </section>

          {sub.status === 'active' && (
            <section className="card manage-card manage-wide" aria-labelledby="change-title" id="plan-change">
              <h2 id="change-title" className="card-title">
                플랜 변경
              </h2>
              <p className="manage-text muted small">
                업그레이드는 바로 적용되고 남은 기간만큼의 차액만 결제합니다. 다운그레이드는 다음 결제일부터 적용되며 그 전까지는 지금 플랜을 그대로
                이용합니다.
              </p>
              <ul className="change-list">
                {paidPlans.map((p) => {
                  const up = plan ? p.price_krw > plan.price_krw : true;
                  const est = up ? (data.upgradeQuotes[p.id] ?? null) : null;
                  const isPending = sub.pending_plan === p.id;
                  return (
                    <li key={p.id} className="change-item">
                      <div className="change-info">
                        <p className="change-name">
                          {p.name} <span className="muted small">{won(p.price_krw)}/30일</span>
                          {isPending && (
                            <>
                              {' '}
                              <Badge tone="info">예약됨</Badge>
                            </>
                          )}
                        </p>
                        <p className="muted small">
                          {up && est
                            ? upgradeSummary(est)
                            : isPending
                              ? `${date(periodEnd)}부터 적용 · 그때 ${won(nextPrice ?? p.price_krw)} 결제`
                              : sub.auto_renew
                                ? `${date(periodEnd)}부터 적용 · 지금은 결제 없음`
                                : '자동 결제를 켜면 다음 결제일부터 적용되도록 예약할 수 있어요'}
                        </p>
                      </div>
                      {up ? (
                        <button
                          type="button"
                          className="btn btn-primary btn-sm"
                          aria-label={`${p.name}(으)로 업그레이드`}
                          onClick={() => void openQuoted(async () => ({ kind: 'upgrade', plan: p, quote: await quotesApi.planChange(p.id) }))}
                        >
                          업그레이드
                        </button>
                      ) : isPending ? (
                        <button type="button" className="btn btn-secondary btn-sm" onClick={() => open({ kind: 'undo-downgrade' })}>
                          예약 취소
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-secondary btn-sm"
                          aria-label={`${p.name}(으)로 다운그레이드`}
                          disabled={!sub.auto_renew}
                          onClick={() => open({ kind: 'downgrade', plan: p })}
                        >
                          다운그레이드
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          )}
        </div>
      )}

      <ActionDialog
        action={action}
        busy={busy}
        error={error}
        onClose={close}
        onConfirm={() => action && void run(action)}
        ctx={{ sub, renewal, plan, providerName, periodEnd, pastDue, methods, method, setMethod, hasKey: renewal.has_billing_key, offerWithdrawal }}
      />
    </>
  );
}

interface DialogCtx {
  sub: SubscriptionStatusView;
  renewal: RenewalView;
  plan: PlanView | undefined;
  providerName: string | null;
  periodEnd: string | null;
  pastDue: boolean;
  methods: PaymentMethodView[];
  method: string | null;
  setMethod(m: string): void;
  hasKey: boolean;
  /** From the cancel-now dialog: switch to the 청약철회 dialog of that payment (issue 11 item 8). */
  offerWithdrawal(paymentId: string): void;
}

function ActionDialog({
  action,
  busy,
  error,
  onClose,
  onConfirm,
  ctx,
}: {
  action: Action | null;
  busy: boolean;
  error: string | null;
  onClose(): void;
  onConfirm(): void;
  ctx: DialogCtx;
}) {
  const { sub, plan, providerName, periodEnd, pastDue, methods, method, setMethod, hasKey } = ctx;
  let title = '';
  let confirm = '';
  let danger = false;
  let body: ReactNode = null;
  let busyLabel = '처리 중…';

  if (action?.kind === 'cancel') {
    title = pastDue ? '자동 결제를 해지할까요?' : '자동 결제 해지를 예약할까요?';
    confirm = pastDue ? '해지하기' : '해지 예약';
    danger = true;
    body = pastDue ? (
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
    );
  } else if (action?.kind === 'resume') {
    title = '자동 결제를 다시 켤까요?';
    // What turning auto-renewal back on charges, as the API states it.
    const nextTerms = ctx.renewal.next_renewal;
    const price = nextTerms ? (nextTerms.charge_krw ?? nextTerms.price_krw) : 0;
    if (hasKey) {
      confirm = '자동 결제 켜기';
      body = (
        <>
          <p>
            <strong>{date(periodEnd)}</strong>에 <strong>{won(price)}</strong>이 {providerName ?? '등록된 결제 수단'}로 자동 결제되어 이용 기간이
            이어집니다.
          </p>
          {nextTerms?.charge_krw === null && <p>바뀐 요금에 동의하셔야 결제됩니다. 동의하지 않으시면 그날 결제 없이 이용 기간이 끝납니다.</p>}
        </>
      );
    } else {
      const chosen = methods.find((m) => m.id === method);
      confirm = `${chosen?.name ?? '결제사'}에서 등록하기`;
      busyLabel = '결제사로 이동 중…';
      body = (
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
              {methods.map((m) => (
                <label key={m.id} className={`dialog-method${method === m.id ? ' is-selected' : ''}`}>
                  <input type="radio" name="resume-method" value={m.id} checked={method === m.id} onChange={() => setMethod(m.id)} />
                  <PayMark method={m.id} size={18} />
                  <span>{m.name}</span>
                </label>
              ))}
            </fieldset>
          )}
        </>
      );
    }
  } else if (action?.kind === 'upgrade') {
    const q = action.quote;
    title = `${action.plan.name} 플랜으로 업그레이드할까요?`;
    confirm = q.charge_krw > 0 ? `${won(q.charge_krw)} 결제하고 변경` : '지금 변경';
    busyLabel = '결제하는 중…';
    body = (
      <UpgradeQuoteBody
        quote={q}
        periodDays={plan?.period_days ?? 30}
        autoRenew={sub.auto_renew}
        payer={
          q.pays_with === 'checkout' || !hasKey
            ? '자동 결제 수단이 없어 결제사 화면에서 결제하면 바로 적용됩니다.'
            : `${providerName ?? '등록된 결제 수단'}로 바로 결제됩니다.`
        }
      />
    );
  } else if (action?.kind === 'downgrade') {
    title = `${action.plan.name} 플랜으로 다운그레이드할까요?`;
    confirm = '다운그레이드 예약';
    body = (
      <ul className="dialog-points">
        <li>지금은 결제되지 않고, 환불도 없습니다.</li>
        <li>
          <strong>{date(periodEnd)}</strong>까지는 {sub.plan_name} 플랜을 그대로 이용합니다.
        </li>
        <li>
          {date(periodEnd)}부터 {action.plan.name} 플랜이 적용되고 <strong>{won(action.plan.price_krw)}</strong>이 자동 결제됩니다.
        </li>
      </ul>
    );
  } else if (action?.kind === 'undo-downgrade') {
    title = '다운그레이드 예약을 취소할까요?';
    confirm = '예약 취소';
    body = (
      <p>
        {sub.plan_name} 플랜을 계속 이용하고, 다음 결제일({date(periodEnd)})에 {won(ctx.renewal.agreed_price_krw ?? plan?.price_krw ?? 0)}이 결제됩니다.
      </p>
    );
  } else if (action?.kind === 'consent') {
    title = '변경된 가격에 동의할까요?';
    confirm = `${won(action.priceKrw)}에 동의`;
    body = (
      <p>
        <strong>{date(action.firstChargeAt)}</strong> 결제부터 {action.planName} 플랜 요금 <strong>{won(action.priceKrw)}</strong>(부가세 포함)이 자동
        결제됩니다. 그 전까지는 지금 금액으로 결제됩니다. 동의한 뒤에도 그날 전에 자동 결제를 해지하면 바뀐 금액으로 결제되지 않아요.
      </p>
    );
  } else if (action?.kind === 'withdraw') {
    const r = action.receipt;
    title = '청약철회할까요?';
    confirm = `${won(r.refundable_krw)} 환불받기`;
    danger = true;
    busyLabel = '환불하는 중…';
    body = (
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
    );
  } else if (action?.kind === 'cancel-now') {
    const q = action.quote;
    title = '지금 해지하고 환불받을까요?';
    confirm = q.refund_krw > 0 ? `해지하고 ${won(q.refund_krw)} 환불받기` : '지금 해지';
    danger = true;
    busyLabel = '해지하는 중…';
    body = <CancelNowQuoteBody quote={q} busy={busy} onWithdraw={(w) => ctx.offerWithdrawal(w.payment_id)} />;
  }

  return (
    <ConfirmDialog
      open={action !== null}
      title={title}
      confirmLabel={confirm}
      danger={danger}
      busy={busy}
      busyLabel={busyLabel}
      error={error}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      {body}
    </ConfirmDialog>
  );
}

