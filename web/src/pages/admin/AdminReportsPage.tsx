/** /admin/reports: the accounting report (net of VAT, refunds by month, fees), MRR movements, dunning recovery, exports. */
import { useId, useState } from 'react';
import { consoleApi, exportUrl } from '../../console-api.ts';
import { useLoad } from '../../hooks.ts';
import { monthLabel, number, percent, won } from '../../format.ts';
import { Notice, Skeleton } from '../../components/ui.tsx';
import { AdminShell, addMonths, currentMonthKst } from './AdminShell.tsx';
import { MonthRangeFields } from './console-ui.tsx';

export function AdminReportsPage() {
  const id = useId();
  const now = currentMonthKst();
  const [from, setFrom] = useState(addMonths(now, -2));
  const [to, setTo] = useState(now);
  const valid = /^\d{4}-\d{2}$/.test(from) && /^\d{4}-\d{2}$/.test(to) && from <= to;
  const data = useLoad((signal) => (valid ? consoleApi.accounting(from, to, signal) : Promise.reject(new Error('시작 월이 끝 월보다 늦습니다.'))), [from, to]);

  return (
    <AdminShell>
      <h2 className="section-title">회계 리포트</h2>
      <section className="card export-card" aria-label="기간과 내보내기">
        <div className="export-grid">
          <MonthRangeFields id={id} from={from} to={to} onFrom={setFrom} onTo={setTo} />
        </div>
        <p className="muted small">한국 시간 기준 월. 금액은 원 단위 정수입니다. 순매출은 부가세를 뺀 공급가액에서 환불의 공급가액을 뺀 값이며, 환불은 환불이 완료된 달에 잡힙니다.</p>
        {valid && (
          <div className="card-actions" data-testid="exports">
            {(
              [
                ['payments', '결제'],
                ['refunds', '환불'],
                ['settlement-summary', '월별 정산 요약'],
              ] as const
            ).map(([kind, label]) => (
              <span key={kind} className="action-row">
                <a className="btn btn-secondary btn-sm" href={exportUrl(kind, 'csv', from, to)} download>
                  {label} CSV
                </a>
                <a className="btn btn-secondary btn-sm" href={exportUrl(kind, 'xlsx', from, to)} download>
                  {label} XLSX
                </a>
              </span>
            ))}
          </div>
        )}
      </section>
      {data.state === 'loading' && <Skeleton height="10rem" />}
      {data.state === 'error' && <Notice tone="danger" title="리포트를 불러오지 못했습니다">{data.error.message}</Notice>}
      {data.state === 'ready' && (
        <div data-loaded="accounting">
          <h3 className="subsection-title">월별 매출 (부가세 제외)</h3>
          <div className="card table-card">
            <table className="payments-table admin-table" data-table="revenue">
              <caption className="visually-hidden">월별 결제 건수, 총매출, 부가세, 환불, 순매출, 수수료, 정산 예정액</caption>
              <thead>
                <tr>
                  <th scope="col">월</th>
                  <th scope="col" className="num">결제</th>
                  <th scope="col" className="num">총매출(부가세 포함)</th>
                  <th scope="col" className="num">부가세</th>
                  <th scope="col" className="num">환불</th>
                  <th scope="col" className="num">순매출</th>
                  <th scope="col" className="num">수수료(부가세 포함)</th>
                  <th scope="col" className="num">정산 예정액</th>
                </tr>
              </thead>
              <tbody>
                {data.data.months.map((m) => (
                  <tr key={m.month} data-month={m.month}>
                    <td data-label="월">{monthLabel(m.month)}</td>
                    <td data-label="결제" className="num">{number(m.payments)}</td>
                    <td data-label="총매출" className="num">{won(m.gross_krw)}</td>
                    <td data-label="부가세" className="num">{won(m.vat_krw)}</td>
                    <td data-label="환불" className="num">{won(m.refunds_krw)}</td>
                    <td data-label="순매출" className="num" data-field="net">
                      <strong>{won(m.net_krw)}</strong>
                    </td>
                    <td data-label="수수료" className="num">{won(m.fee_krw + m.fee_vat_krw)}</td>
                    <td data-label="정산 예정액" className="num">{won(m.payout_krw)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h3 className="subsection-title">결제사별 수수료</h3>
          <div className="card table-card">
            <table className="payments-table admin-table" data-table="fees">
              <caption className="visually-hidden">월별 결제사별 수수료율, 결제 금액, 수수료와 부가세</caption>
              <thead>
                <tr>
                  <th scope="col">월</th>
                  <th scope="col">결제사</th>
                  <th scope="col" className="num">수수료율</th>
                  <th scope="col" className="num">총매출</th>
                  <th scope="col" className="num">수수료</th>
                  <th scope="col" className="num">수수료 부가세</th>
                </tr>
              </thead>
              <tbody>
                {data.data.months.flatMap((m) =>
                  m.providers.map((p) => (
                    <tr key={`${m.month}-${p.provider}`}>
                      <td data-label="월">{monthLabel(m.month)}</td>
                      <td data-label="결제사">{p.provider_name}</td>
                      <td data-label="수수료율" className="num">{(p.fee_bps / 100).toFixed(2)}%</td>
                      <td data-label="총매출" className="num">{won(p.gross_krw)}</td>
                      <td data-label="수수료" className="num">{won(p.fee_krw)}</td>
                      <td data-label="수수료 부가세" className="num">{won(p.fee_vat_krw)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>

          <h3 className="subsection-title">MRR 변동</h3>
          <div className="card table-card">
            <table className="payments-table admin-table" data-table="movements">
              <caption className="visually-hidden">월초 MRR, 신규, 확장, 축소, 이탈, 재가입, 월말 MRR</caption>
              <thead>
                <tr>
                  <th scope="col">월</th>
                  <th scope="col" className="num">월초</th>
                  <th scope="col" className="num">신규</th>
                  <th scope="col" className="num">확장</th>
                  <th scope="col" className="num">축소</th>
                  <th scope="col" className="num">이탈</th>
                  <th scope="col" className="num">재가입</th>
                  <th scope="col" className="num">월말</th>
                </tr>
              </thead>
              <tbody>
                {data.data.movements.map((m) => (
                  <tr key={m.month} data-month={m.month}>
                    <td data-label="월">{monthLabel(m.month)}</td>
                    <td data-label="월초" className="num">{won(m.start_mrr_krw)}</td>
                    <td data-label="신규" className="num">+{won(m.new_krw)}</td>
                    <td data-label="확장" className="num">+{won(m.expansion_krw)}</td>
                    <td data-label="축소" className="num">−{won(m.contraction_krw)}</td>
                    <td data-label="이탈" className="num">−{won(m.churn_krw)}</td>
                    <td data-label="재가입" className="num">+{won(m.reactivation_krw)}</td>
                    <td data-label="월말" className="num"><strong>{won(m.end_mrr_krw)}</strong></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h3 className="subsection-title">연체 결제 회수율</h3>
          <div className="card table-card">
            <table className="payments-table admin-table" data-table="recovery">
              <caption className="visually-hidden">월별 갱신 실패 주기, 회수된 주기, 회수율</caption>
              <thead>
                <tr>
                  <th scope="col">월</th>
                  <th scope="col" className="num">실패</th>
                  <th scope="col" className="num">회수</th>
                  <th scope="col" className="num">회수율</th>
                  <th scope="col" className="num">회수 금액</th>
                </tr>
              </thead>
              <tbody>
                {data.data.recovery.map((r) => (
                  <tr key={r.month} data-month={r.month}>
                    <td data-label="월">{monthLabel(r.month)}</td>
                    <td data-label="실패" className="num">{number(r.failed_cycles)}</td>
                    <td data-label="회수" className="num">{number(r.recovered_cycles)}</td>
                    <td data-label="회수율" className="num">{r.rate === null ? '—' : percent(r.rate)}</td>
                    <td data-label="회수 금액" className="num">{won(r.recovered_krw)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </AdminShell>
  );
}
