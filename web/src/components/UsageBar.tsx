/** This month's auto-trading use against the plan's cap (내 구독). Unlimited plans show 무제한; users without auto-trading see nothing. */
import { engineApi, type UsageView } from '../engine-api.ts';
import { useLoad } from '../hooks.ts';
import { date, won } from '../format.ts';

export function UsageMeter({ u }: { u: UsageView }) {
  const limit = u.monthly_limit_krw;
  const used = u.used_krw + u.reserved_krw;
  const pct = limit && limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  const tone = pct >= 100 ? 'is-full' : pct >= 80 ? 'is-high' : '';
  return (
    <div className="usage-meter" data-testid="usage-meter">
      <div className="usage-head">
        <span>이번 달 자동매매 사용</span>
        <strong>{limit === null ? `${won(u.used_krw)} / 무제한` : `${won(used)} / ${won(limit)}`}</strong>
      </div>
      {limit !== null && (
        <div className={`usage-bar ${tone}`} role="progressbar" aria-label="이번 달 자동매매 한도 사용률" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      <p className="muted usage-foot">
        {limit === null ? '무제한 플랜입니다.' : `남은 한도 ${won(u.remaining_krw ?? Math.max(0, limit - used))}`}
        {u.reserved_krw > 0 && ` · 주문 대기 중 ${won(u.reserved_krw)}`} · {date(u.cap_period_start)} ~ {date(u.cap_period_end)} (한국 시간 기준 월)
      </p>
    </div>
  );
}

export function UsageBar() {
  const usage = useLoad((signal) => engineApi.myUsage(signal), []);
  if (usage.state !== 'ready' || !usage.data.auto_trading_enabled) return null;
  return (
    <section className="card" aria-labelledby="usage-title">
      <h2 id="usage-title" className="card-title">
        자동매매 한도
      </h2>
      <UsageMeter u={usage.data} />
    </section>
  );
}
