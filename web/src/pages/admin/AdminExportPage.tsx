/** /admin/export: the payments CSV (UTF-8 with BOM, opens in Excel) for a period, status and provider. */
import { useId, useState } from 'react';
import { paymentsCsvUrl } from '../../api.ts';
import { monthLabel, PROVIDER_NAMES } from '../../format.ts';
import { AdminShell, addMonths, currentMonthKst, monthStartKst } from './AdminShell.tsx';
import { Choices, Field, MonthRangeFields, PAYMENT_STATUS_CHOICES } from './console-ui.tsx';

export function AdminExportPage() {
  const id = useId();
  const now = currentMonthKst();
  const [from, setFrom] = useState(addMonths(now, -2));
  const [to, setTo] = useState(now);
  const [status, setStatus] = useState('');
  const [provider, setProvider] = useState('');
  const valid = /^\d{4}-\d{2}$/.test(from) && /^\d{4}-\d{2}$/.test(to) && from <= to;
  const url = valid
    ? paymentsCsvUrl({ from: monthStartKst(from), to: monthStartKst(addMonths(to, 1)), status, provider })
    : null;

  return (
    <AdminShell>
      <h2 className="section-title">결제 내역 CSV 다운로드</h2>
      <section className="card export-card" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`} className="visually-hidden">
          내보낼 범위
        </h3>
        <div className="export-grid">
          <MonthRangeFields id={id} from={from} to={to} onFrom={setFrom} onTo={setTo} />
          <Field id={`${id}-status`} label="상태">
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value)}>
              <Choices all choices={PAYMENT_STATUS_CHOICES} />
            </select>
          </Field>
          <Field id={`${id}-provider`} label="결제사">
            <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)}>
              <Choices all choices={Object.entries(PROVIDER_NAMES)} />
            </select>
          </Field>
        </div>
        <p className="muted small">
          {valid ? `${monthLabel(from)} 1일 ~ ${monthLabel(to)} 말일(한국 시간)에 생성된 결제` : '시작 월이 끝 월보다 늦습니다.'} · UTF-8(BOM) CSV로
          엑셀에서 바로 열립니다. 금액은 원 단위 정수(부가세 포함)이며, 공급가액 · 부가세 · 환불 · 수수료 열이 함께 들어 있습니다.
        </p>
        <div className="card-actions">
          {url ? (
            <a className="btn btn-primary" href={url} download>
              CSV 다운로드
            </a>
          ) : (
            <button type="button" className="btn btn-primary" disabled>
              CSV 다운로드
            </button>
          )}
        </div>
      </section>
    </AdminShell>
  );
}
