/**
 * 내 구독 → 플랜 변경: every other paid plan with what switching to it does. Whether a switch is
 * an upgrade or a downgrade, and what it charges, is the server's quote (`kind`, `charge_krw`,
 * `next_charge_krw`); a plan the server did not quote is not offered.
 */
import { date, won } from '../../format.ts';
import { quotesApi } from '../../quotes-api.ts';
import { Badge } from '../../components/ui.tsx';
import { upgradeSummary } from '../../components/QuoteDialogs.tsx';
import type { Action } from './actions.ts';
import type { SubscriptionModel } from './model.ts';

export function PlanChangeCard({ m, openQuoted }: { m: SubscriptionModel; openQuoted(make: () => Promise<Action>): Promise<void> }) {
  const { sub, plans, planQuotes, periodEnd, nextPrice } = m;
  const offers = plans.flatMap((p) => {
    const quote = planQuotes[p.id];
    return quote && (quote.kind === 'upgrade' || quote.kind === 'downgrade') ? [{ p, quote }] : [];
  });
  return (
    <section className="card manage-card manage-wide" aria-labelledby="change-title" id="plan-change">
      <h2 id="change-title" className="card-title">
        플랜 변경
      </h2>
      <p className="manage-text muted small">
        업그레이드는 바로 적용되고 남은 기간만큼의 차액만 결제합니다. 다운그레이드는 다음 결제일부터 적용되며 그 전까지는 지금 플랜을 그대로
        이용합니다.
      </p>
      <ul className="change-list">
        {offers.map(({ p, quote }) => {
          const up = quote.kind === 'upgrade';
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
                  {up
                    ? upgradeSummary(quote)
                    : isPending
                      ? `${date(periodEnd)}부터 적용 · 그때 ${won(nextPrice ?? quote.next_charge_krw)} 결제`
                      : sub.auto_renew
                        ? `${date(quote.effective_at)}부터 적용 · 지금은 결제 없음`
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
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  onClick={() => void openQuoted(async () => ({ kind: 'undo-downgrade', quote: await quotesApi.planChange(sub.plan) }))}
                >
                  예약 취소
                </button>
              ) : (
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  aria-label={`${p.name}(으)로 다운그레이드`}
                  disabled={!sub.auto_renew}
                  onClick={() => void openQuoted(async () => ({ kind: 'downgrade', plan: p, quote: await quotesApi.planChange(p.id) }))}
                >
                  다운그레이드
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
