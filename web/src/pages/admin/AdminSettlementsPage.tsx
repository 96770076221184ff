/** /admin/settlements: upload a provider's daily settlement file and see the differences with our ledger. */
import { useId, useState } from 'react';
import { consoleApi, DIFFERENCE_LABELS, type SettlementDetailResponse } from '../../console-api.ts';
import { useLoad } from '../../hooks.ts';
import { dateTime, number, PROVIDER_NAMES, won } from '../../format.ts';
import { Badge, Notice, Spinner } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { Choices, EmptyRow, Field, FormError } from './console-ui.tsx';

export function AdminSettlementsPage() {
  const id = useId();
  const [provider, setProvider] = useState('kakaopay');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<SettlementDetailResponse | null>(null);
  const list = useLoad((signal) => consoleApi.settlements(signal), []);

  async function upload() {
    if (!file) {
      setError('정산 파일을 골라 주세요.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await consoleApi.importSettlement({ provider, file_name: file.name, content: await file.text() });
      setShown(r);
      list.reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function open(importId: string) {
    try {
      setShown(await consoleApi.settlement(importId));
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <AdminShell>
      <h2 className="section-title">정산 대사</h2>
      <form
        className="card export-card"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <div className="export-grid">
          <Field id={`${id}-provider`} label="결제사">
            <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)}>
              <Choices choices={Object.entries(PROVIDER_NAMES)} />
            </select>
          </Field>
          <Field id={`${id}-file`} label="정산 파일 (CSV)">
            <input id={`${id}-file`} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Field>
        </div>
        <p className="muted small">결제사가 하루 단위로 주는 정산 내역을 올리면 우리 장부와 비교해 누락, 금액, 수수료, 상태 차이를 표시합니다.</p>
        <FormError error={error} />
        <div className="card-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? <Spinner label="비교하는 중…" /> : '가져와서 비교하기'}
          </button>
        </div>
      </form>

      {shown && <SettlementResult r={shown} />}

      <h3 className="subsection-title">가져온 정산 파일</h3>
      {list.state === 'ready' && (
        <div className="card table-card" data-loaded="settlements">
          <table className="payments-table admin-table">
            <caption className="visually-hidden">가져온 정산 파일: 정산일, 결제사, 파일, 건수, 차이, 가져온 시각</caption>
            <thead>
              <tr>
                <th scope="col">정산일</th>
                <th scope="col">결제사</th>
                <th scope="col">파일</th>
                <th scope="col" className="num">건수</th>
                <th scope="col" className="num">차이</th>
                <th scope="col">가져온 시각</th>
                <th scope="col">
                  <span className="visually-hidden">보기</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.imports.map((i) => (
                <tr key={i.id} data-import-id={i.id}>
                  <td data-label="정산일">{i.settlement_date}</td>
                  <td data-label="결제사">{i.provider_name}</td>
                  <td data-label="파일">{i.file_name}</td>
                  <td data-label="건수" className="num">{number(i.line_count)}</td>
                  <td data-label="차이" className="num">
                    <Badge tone={i.difference_count === 0 ? 'success' : 'danger'}>{i.difference_count === 0 ? '일치' : `${number(i.difference_count)}건`}</Badge>
                  </td>
                  <td data-label="가져온 시각">{dateTime(i.created_at)}</td>
                  <td>
                    <button type="button" className="btn btn-secondary btn-sm" onClick={() => void open(i.id)}>
                      보기
                    </button>
                  </td>
                </tr>
              ))}
              {list.data.imports.length === 0 && <EmptyRow colSpan={7}>아직 가져온 파일이 없습니다.</EmptyRow>}
            </tbody>
          </table>
        </div>
      )}
      {list.state === 'error' && <Notice tone="danger">{list.error.message}</Notice>}
    </AdminShell>
  );
}

function SettlementResult({ r }: { r: SettlementDetailResponse }) {
  const i = r.import;
  return (
    <section className="card" data-card="settlement-result" data-import-id={i.id} aria-labelledby="settlement-result-title">
      <h3 id="settlement-result-title" className="card-title">
        {i.provider_name} {i.settlement_date} 정산 대사 결과{' '}
        <Badge tone={i.difference_count === 0 ? 'success' : 'danger'}>{i.difference_count === 0 ? '차이 없음' : `차이 ${number(i.difference_count)}건`}</Badge>
      </h3>
      <dl className="kv">
        <div>
          <dt>정산 파일 금액 (결제 − 취소)</dt>
          <dd>{won(i.file_amount_krw)}</dd>
        </div>
        <div>
          <dt>우리 장부 금액</dt>
          <dd>{won(i.ledger_amount_krw)}</dd>
        </div>
        <div>
          <dt>정산 파일 수수료 (부가세 포함)</dt>
          <dd>{won(i.file_fee_krw)}</dd>
        </div>
        <div>
          <dt>우리가 계산한 수수료</dt>
          <dd>{won(i.ledger_fee_krw)}</dd>
        </div>
      </dl>
      {r.differences.length > 0 && (
        <table className="payments-table admin-table" data-table="differences">
          <caption className="visually-hidden">차이: 종류, 거래, 결제사 번호, 파일 값, 장부 값</caption>
          <thead>
            <tr>
              <th scope="col">차이</th>
              <th scope="col">거래</th>
              <th scope="col">결제사 번호 / 결제 ID</th>
              <th scope="col" className="num">파일</th>
              <th scope="col" className="num">장부</th>
            </tr>
          </thead>
          <tbody>
            {r.differences.map((d) => (
              <tr key={d.id} data-kind={d.kind}>
                <td data-label="차이">
                  <Badge tone="danger">{DIFFERENCE_LABELS[d.kind] ?? d.kind}</Badge>
                </td>
                <td data-label="거래">{d.line_kind === 'payment' ? '결제' : '취소'}</td>
                <td data-label="번호" className="mono small">
                  {d.provider_ref ?? '—'}
                  {d.payment_id ? ` / ${d.payment_id}` : ''}
                </td>
                <td data-label="파일" className="num">
                  {d.file ? `${won(d.file.amount_krw)} · 수수료 ${won(d.file.fee_krw + d.file.fee_vat_krw)} · ${d.file.status}` : '—'}
                </td>
                <td data-label="장부" className="num">
                  {d.ledger ? `${won(d.ledger.amount_krw)} · 수수료 ${won(d.ledger.fee_krw + d.ledger.fee_vat_krw)} · ${d.ledger.status}` : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
