/** /admin: revenue, refunds, fees, subscribers, MRR, failed renewals and churn per month. */
import { useId, useRef, useState, type ReactNode } from 'react';
import { api, type RevenueMonthView, type RevenueReportResponse } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { compactWon, dateTime, monthLabel, number, percent, won } from '../../format.ts';
import { LoadFailed, Skeleton } from '../../components/ui.tsx';
import { AdminShell, addMonths } from './AdminShell.tsx';
import { BarChart, LineChart } from './charts.tsx';

const RANGES = [3, 6, 12, 24];
/** What the API returns without from/to. */
const DEFAULT_RANGE = 12;
const COLORS = { gross: '#2563eb', refunds: '#d12c2c', net: '#0f8a4a', subs: '#7c3aed', mrr: '#0891b2', failed: '#a15c00' };

function Kpi({ label, value, sub, name }: { label: string; value: string; sub?: ReactNode; name: string }) {
  const id = useId();
  return (
    <div className="kpi" role="group" aria-labelledby={id} data-kpi={name}>
      <p className="kpi-label" id={id}>
        {label}
      </p>
      <p className="kpi-value">{value}</p>
      {sub && <p className="kpi-sub">{sub}</p>}
    </div>
  );
}

function trend(values: number[], fmt: (v: number) => string): string {
  if (values.length === 0) return '데이터 없음';
  const last = values[values.length - 1];
  const prev = values.length > 1 ? values[values.length - 2] : null;
  const change = prev === null ? '' : last > prev ? ', 전월보다 증가' : last < prev ? ', 전월보다 감소' : ', 전월과 같음';
  return `최근 월 ${fmt(last)}${change}. 최댓값 ${fmt(Math.max(...values))}.`;
}

export function AdminDashboard() {
  const [range, setRange] = useState(DEFAULT_RANGE);
  // The server's current month (its clock) anchors the range: taken from the first answer.
  const anchor = useRef<string | null>(null);
  const data = useLoad<RevenueReportResponse>(
    async (signal) => {
      if (!anchor.current) {
        const first = await api.admin.revenue(undefined, undefined, signal);
        anchor.current = first.to;
        if (range === DEFAULT_RANGE) return first;
      }
      return api.admin.revenue(addMonths(anchor.current, -(range - 1)), anchor.current, signal);
    },
    [range],
  );

  return (
    <AdminShell>
      <div className="admin-toolbar">
        <h2 className="section-title">매출 대시보드</h2>
        <label className="inline-field">
          <span>기간</span>
          <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                최근 {r}개월
              </option>
            ))}
          </select>
        </label>
      </div>
      <div aria-live="polite" aria-busy={data.state === 'loading'}>
        {data.state === 'loading' && (
          <div className="kpi-grid" aria-hidden="true">
            {[0, 1, 2, 3, 4, 5, 6, 7].map((i) => (
              <div key={i} className="kpi">
                <Skeleton width="50%" />
                <Skeleton width="80%" height="1.6rem" />
              </div>
            ))}
          </div>
        )}
        {data.state === 'error' && (
          <LoadFailed title="매출 리포트를 불러오지 못했습니다" error={data.error} onRetry={data.reload} />
        )}
        {data.state === 'ready' && <Report r={data.data} />}
      </div>
    </AdminShell>
  );
}

function Report({ r }: { r: RevenueReportResponse }) {
  const months = r.months;
  const last: RevenueMonthView | undefined = months[months.length - 1];
  const short = months.map((m) => monthLabel(m.month, true));
  const long = months.map((m) => monthLabel(m.month));
  const monthly = (pick: (m: RevenueMonthView) => number) => months.map(pick);
  const [gross, net, subscribers, mrr, failed] = [
    monthly((m) => m.gross_krw),
    monthly((m) => m.net_krw),
    monthly((m) => m.subscribers),
    monthly((m) => m.mrr_krw),
    monthly((m) => m.failed_renewals),
  ];
  const people = (v: number) => `${number(v)}명`;
  const cases = (v: number) => `${number(v)}건`;
  const t = r.totals;
  const period = `${monthLabel(r.from)} ~ ${monthLabel(r.to)}`;

  return (
    <>
      <p className="muted small admin-asof">
        {period} · 한국 시간 기준 · {dateTime(r.generated_at)} 집계 · 모든 금액 부가세 포함
      </p>
      {last && (
        <section aria-labelledby="kpi-title">
          <h3 id="kpi-title" className="subsection-title">
            이번 달 ({monthLabel(last.month)})
          </h3>
          <div className="kpi-grid">
            <Kpi name="gross" label="총매출" value={won(last.gross_krw)} sub={`결제 ${number(last.payments)}건 · 기간 합계 ${won(t.gross_krw)}`} />
            <Kpi name="refunds" label="환불" value={won(last.refunds_krw)} sub={`${number(last.refund_count)}건 · 기간 합계 ${won(t.refunds_krw)}`} />
            <Kpi
              name="fees"
              label="결제 수수료"
              value={won(last.fee_krw + last.fee_vat_krw)}
              sub={`수수료 ${won(last.fee_krw)} + 부가세 ${won(last.fee_vat_krw)}`}
            />
            <Kpi name="net" label="순매출 (부가세 제외)" value={won(last.net_krw)} sub={`기간 합계 ${won(t.net_krw)}`} />
            <Kpi name="subscribers" label="유료 구독자" value={`${number(r.current.subscribers)}명`} sub={`${dateTime(r.current.as_of)} 기준`} />
            <Kpi name="mrr" label="MRR (월 반복 매출)" value={won(r.current.mrr_krw)} sub="이용 중인 구독의 월 요금 합계" />
            <Kpi
              name="failed"
              label="갱신 실패"
              value={`${number(last.failed_renewals)}건`}
              sub={`${won(last.failed_renewals_krw)} · 기간 합계 ${number(t.failed_renewals)}건`}
            />
            <Kpi
              name="churn"
              label="이탈률"
              value={percent(last.churn.rate)}
              sub={`월초 ${number(last.churn.active_at_start)}명 중 ${number(last.churn.ended)}명 종료`}
            />
          </div>
        </section>
      )}

      <div className="chart-grid">
        <section className="card chart-card chart-wide">
          <BarChart
            title="월별 매출 (총매출 · 환불 · 순매출)"
            summary={`총매출 ${trend(gross, won)} 순매출 ${trend(net, won)}`}
            labels={short}
            longLabels={long}
            series={[
              { name: '총매출', color: COLORS.gross, values: gross },
              { name: '환불', color: COLORS.refunds, values: monthly((m) => m.refunds_krw) },
              { name: '순매출', color: COLORS.net, values: net },
            ]}
            format={won}
            axisFormat={compactWon}
          />
        </section>
        <section className="card chart-card">
          <LineChart
            title="유료 구독자 수 (월말 기준)"
            summary={trend(subscribers, people)}
            labels={short}
            longLabels={long}
            series={[{ name: '구독자', color: COLORS.subs, values: subscribers }]}
            format={people}
            axisFormat={number}
            integer
          />
        </section>
        <section className="card chart-card">
          <LineChart
            title="MRR (월 반복 매출)"
            summary={trend(mrr, won)}
            labels={short}
            longLabels={long}
            series={[{ name: 'MRR', color: COLORS.mrr, values: mrr }]}
            format={won}
            axisFormat={compactWon}
          />
        </section>
        <section className="card chart-card chart-wide">
          <BarChart
            title="갱신 실패 건수"
            summary={trend(failed, cases)}
            labels={short}
            longLabels={long}
            series={[{ name: '갱신 실패', color: COLORS.failed, values: failed }]}
            format={cases}
            axisFormat={number}
            integer
            height={180}
          />
        </section>
      </div>

      <section className="card table-section" aria-labelledby="providers-title">
        <h3 id="providers-title" className="card-title">
          결제사별 ({period})
        </h3>
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">결제사</th>
                <th scope="col" className="num">
                  결제
                </th>
                <th scope="col" className="num">
                  총매출
                </th>
                <th scope="col" className="num">
                  환불
                </th>
                <th scope="col" className="num">
                  수수료 (부가세 포함)
                </th>
                <th scope="col" className="num">
                  순매출
                </th>
              </tr>
            </thead>
            <tbody>
              {t.providers.map((p) => (
                <tr key={p.provider}>
                  <th scope="row">
                    {p.provider_name} <span className="muted small">({(p.fee_bps / 100).toFixed(2)}%)</span>
                  </th>
                  <td className="num">{number(p.payments)}건</td>
                  <td className="num">{won(p.gross_krw)}</td>
                  <td className="num">{won(p.refunds_krw)}</td>
                  <td className="num">{won(p.fee_krw + p.fee_vat_krw)}</td>
                  <td className="num">
                    <strong>{won(p.net_krw)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">합계</th>
                <td className="num">{number(t.payments)}건</td>
                <td className="num">{won(t.gross_krw)}</td>
                <td className="num">{won(t.refunds_krw)}</td>
                <td className="num">{won(t.fee_krw + t.fee_vat_krw)}</td>
                <td className="num">
                  <strong>{won(t.net_krw)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>

      <section className="card table-section" aria-labelledby="plans-title">
        <h3 id="plans-title" className="card-title">
          플랜별 구독자 (현재)
        </h3>
        <ul className="plan-bars">
          {r.current.plans.map((p) => {
            const share = r.current.subscribers > 0 ? p.subscribers / r.current.subscribers : 0;
            return (
              <li key={p.plan}>
                <div className="plan-bar-head">
                  <span className="plan-bar-name">{p.plan_name}</span>
                  <span>
                    <strong>{number(p.subscribers)}명</strong> <span className="muted small">· MRR {won(p.mrr_krw)}</span>
                  </span>
                </div>
                <div className="plan-bar-track" aria-hidden="true">
                  <div className="plan-bar-fill" style={{ width: `${Math.round(share * 100)}%` }} />
                </div>
              </li>
            );
          })}
          {r.current.plans.length === 0 && <li className="muted">유료 구독자가 없습니다.</li>}
        </ul>
      </section>

      <section className="card table-section" aria-labelledby="months-title">
        <h3 id="months-title" className="card-title">
          월별 지표
        </h3>
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">월</th>
                <th scope="col" className="num">
                  결제
                </th>
                <th scope="col" className="num">
                  총매출
                </th>
                <th scope="col" className="num">
                  환불
                </th>
                <th scope="col" className="num">
                  수수료
                </th>
                <th scope="col" className="num">
                  순매출
                </th>
                <th scope="col" className="num">
                  구독자
                </th>
                <th scope="col" className="num">
                  MRR
                </th>
                <th scope="col" className="num">
                  갱신 실패
                </th>
                <th scope="col" className="num">
                  이탈률
                </th>
              </tr>
            </thead>
            <tbody>
              {[...months].reverse().map((m) => (
                <tr key={m.month}>
                  <th scope="row" className="nowrap">
                    {monthLabel(m.month)}
                  </th>
                  <td className="num">{number(m.payments)}</td>
                  <td className="num">{won(m.gross_krw)}</td>
                  <td className="num">{won(m.refunds_krw)}</td>
                  <td className="num">{won(m.fee_krw + m.fee_vat_krw)}</td>
                  <td className="num">{won(m.net_krw)}</td>
                  <td className="num">{number(m.subscribers)}</td>
                  <td className="num">{won(m.mrr_krw)}</td>
                  <td className="num">{number(m.failed_renewals)}</td>
                  <td className="num">{percent(m.churn.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {Object.keys(r.rules).length > 0 && (
        <details className="card rules">
          <summary>집계 기준</summary>
          <dl>
            {Object.entries(r.rules).map(([k, v]) => (
              <div key={k}>
                <dt className="mono">{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </>
  );
}
