/**
 * /payments/receipt?id=…: one payment's receipt (merchant business details, supply value and
 * VAT, method with the card approval number, approval time, refunds), its PDF, and 청약철회.
 */
import { useRef, useState } from 'react';
import { api, ApiFailure, newIdempotencyKey, type ReceiptResponse } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { Link, useQuery } from '../router.tsx';
import { date, dateTime, KIND_LABEL, paymentStatus, refundKind, refundStatus, withdrawalRefusal, won } from '../format.ts';
import { PayMark } from '../components/PayMarks.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Badge, LoadFailed, Notice, Skeleton } from '../components/ui.tsx';

export function ReceiptPage() {
  const id = useQuery().get('id') ?? '';
  const data = useLoad((signal) => (id ? api.receipt(id, signal) : Promise.reject(new Error('결제 번호가 없습니다.'))), [id]);
  const [flash, setFlash] = useState<{ tone: 'success' | 'warning'; text: string } | null>(null);

  return (
    <div className="narrow">
      <p className="back-link no-print">
        <Link to="/payments">← 결제 내역으로</Link>
      </p>
      <h1 className="page-title">영수증</h1>
      <div aria-live="polite">{flash && <Notice tone={flash.tone}>{flash.text}</Notice>}</div>
      {data.state === 'loading' && (
        <section className="card receipt-card" aria-hidden="true">
          {[0, 1, 2, 3, 4, 5].map((i) => (
            <Skeleton key={i} width="100%" height="1.3rem" />
          ))}
        </section>
      )}
      {data.state === 'error' && (
        <LoadFailed title="영수증을 불러오지 못했습니다" error={data.error} onRetry={data.reload} />
      )}
      {data.state === 'ready' && (
        <ReceiptView
          r={data.data}
          onWithdrawn={(f) => {
            setFlash(f);
            data.reload();
          }}
        />
      )}
    </div>
  );
}

/** The merchant's business details that are configured, in display order. */
function businessRows(b: ReceiptResponse['business']): [string, string][] {
  const rows: [string, string | null][] = [
    ['상호', b.name],
    ['대표자', b.owner],
    ['사업자등록번호', b.registration_number],
    ['통신판매업 신고번호', b.mail_order_number],
    ['주소', b.address],
    ['고객센터', b.contact],
  ];
  return rows.filter((row): row is [string, string] => !!row[1]);
}

function ReceiptView({ r, onWithdrawn }: { r: ReceiptResponse; onWithdrawn(f: { tone: 'success' | 'warning'; text: string }): void }) {
  const { receipt, payment, refunds, withdrawal } = r;
  const status = paymentStatus(payment.status);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef('');
  const settled = refunds.filter((x) => x.status !== 'failed');

  async function withdraw() {
    setBusy(true);
    setError(null);
    try {
      const res = await api.withdraw(payment.id, key.current);
      setOpen(false);
      onWithdrawn(
        res.outcome === 'succeeded'
          ? { tone: 'success', text: `청약철회가 완료되었습니다. ${won(res.refund.amount_krw)}을 ${receipt.provider_name}로 환불했습니다.` }
          : { tone: 'warning', text: '환불 결과를 확인하고 있어요. 잠시 후 다시 확인해 주세요.' },
      );
    } catch (err) {
      if (err instanceof ApiFailure && err.status >= 400 && err.status < 500) key.current = newIdempotencyKey();
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <section className="card receipt-card" aria-labelledby="receipt-title">
        <div className="receipt-head">
          <div>
            <p className="eyebrow">{receipt.merchant}</p>
            <h2 id="receipt-title" className="receipt-item">
              {receipt.item}
            </h2>
            <p className="muted small">
              {KIND_LABEL[payment.kind] ?? payment.kind} · 결제 번호 {payment.id}
            </p>
          </div>
          <Badge tone={status.tone}>{status.label}</Badge>
        </div>

        <dl className="price-table receipt-amounts">
          <div>
            <dt>공급가액</dt>
            <dd>{won(receipt.supply_krw)}</dd>
          </div>
          <div>
            <dt>부가세</dt>
            <dd>{won(receipt.vat_krw)}</dd>
          </div>
          <div className="price-total">
            <dt>결제 금액</dt>
            <dd>{won(receipt.amount_krw)}</dd>
          </div>
          {receipt.refunded_krw > 0 && (
            <>
              <div className="receipt-refunded">
                <dt>환불 금액</dt>
                <dd>−{won(receipt.refunded_krw)}</dd>
              </div>
              <div className="price-total">
                <dt>실 결제 금액</dt>
                <dd>{won(receipt.net_krw)}</dd>
              </div>
              <div className="receipt-net-split">
                <dt>실 결제 공급가액 · 부가세</dt>
                <dd>
                  {won(receipt.net_supply_krw)} · {won(receipt.net_vat_krw)}
                </dd>
              </div>
            </>
          )}
        </dl>

        <dl className="kv">
          <div>
            <dt>결제 수단</dt>
            <dd>
              <span className="inline-mark">
                <PayMark method={payment.provider} size={18} />
                {receipt.provider_name} · {receipt.method_name}
                {receipt.method_label ? ` (${receipt.method_label})` : ''}
              </span>
            </dd>
          </div>
          <div>
            <dt>승인 시각</dt>
            <dd>{dateTime(receipt.approved_at)}</dd>
          </div>
          {receipt.approval_no && (
            <div>
              <dt>카드 승인번호</dt>
              <dd className="mono" data-testid="approval-no">
                {receipt.approval_no}
              </dd>
            </div>
          )}
          {receipt.provider_ref && (
            <div>
              <dt>거래 번호</dt>
              <dd className="mono small">{receipt.provider_ref}</dd>
            </div>
          )}
          {receipt.period_start && receipt.period_end && (
            <div>
              <dt>이용 기간</dt>
              <dd>
                <span className="nowrap">{date(receipt.period_start)}</span> ~ <span className="nowrap">{date(receipt.period_end)}</span>
              </dd>
            </div>
          )}
        </dl>

        {refunds.length > 0 && (
          <div className="receipt-refunds">
            <h3 className="card-subtitle">환불 내역</h3>
            <ul>
              {refunds.map((x) => {
                const st = refundStatus(x.status);
                return (
                  <li key={x.id}>
                    <div className="refund-line">
                      <span>
                        {refundKind(x.kind)} <Badge tone={st.tone}>{st.label}</Badge>
                      </span>
                      <strong>{won(x.amount_krw)}</strong>
                    </div>
                    <p className="muted small">
                      {dateTime(x.settled_at ?? x.created_at)} · 공급가액 {won(x.supply_krw)} · 부가세 {won(x.vat_krw)}
                      {x.reason ? ` · ${x.reason}` : ''}
                    </p>
                  </li>
                );
              })}
            </ul>
            {settled.length === 0 && <p className="muted small">완료된 환불이 없습니다.</p>}
          </div>
        )}
        <h3 className="card-subtitle" id="receipt-business-title">
          판매자 정보
        </h3>
        <dl className="kv receipt-business" aria-labelledby="receipt-business-title">
          {businessRows(r.business).map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">금액은 부가세(VAT 10%)를 포함합니다. 이 영수증은 결제 확인용이며, 세금계산서가 아닙니다.</p>
        <div className="card-actions no-print">
          <a className="btn btn-primary" href={receipt.pdf_url} download>
            PDF 내려받기
          </a>
          <button type="button" className="btn btn-secondary" onClick={() => window.print()}>
            인쇄
          </button>
        </div>
      </section>

      {payment.kind !== 'registration' && receipt.amount_krw > 0 && withdrawal.reason !== 'nothing_left' && withdrawal.reason !== 'not_paid' && (
        <section className="card withdraw-card no-print" aria-labelledby="withdraw-title">
          <h2 id="withdraw-title" className="card-title">
            청약철회
          </h2>
          {withdrawal.allowed ? (
            <>
              <p className="manage-text">
                결제 후 7일 이내이고 유료 기능을 쓰지 않아 <strong>{dateTime(withdrawal.deadline)}</strong>까지 청약철회할 수 있어요. 전액{' '}
                <strong>{won(r.refundable_krw)}</strong>을 {receipt.provider_name}로 돌려받고, 이 결제로 이용하던 기간은 끝납니다.
              </p>
              <div className="card-actions">
                <button
                  type="button"
                  className="btn btn-danger-outline"
                  onClick={() => {
                    key.current = newIdempotencyKey();
                    setError(null);
                    setOpen(true);
                  }}
                >
                  청약철회
                </button>
              </div>
            </>
          ) : (
            <p className="manage-text muted">
              {withdrawalRefusal(withdrawal.reason)}
              {(withdrawal.reason === 'withdrawal_period_over' || withdrawal.reason === 'features_used') && (
                <>
                  {' '}
                  남은 기간 환불은 <Link to="/subscription">내 구독</Link>의 즉시 해지 및 환불을 이용해 주세요.
                </>
              )}
            </p>
          )}
        </section>
      )}

      <ConfirmDialog
        open={open}
        title="청약철회할까요?"
        confirmLabel={`${won(r.refundable_krw)} 환불받기`}
        danger
        busy={busy}
        busyLabel="환불하는 중…"
        error={error}
        onConfirm={() => void withdraw()}
        onClose={() => !busy && setOpen(false)}
      >
        <ul className="dialog-points">
          <li>
            {payment.plan_name} 결제 <strong>{won(r.refundable_krw)}</strong>을 전액 {receipt.provider_name}로 환불합니다.
          </li>
          <li>
            {payment.kind === 'upgrade'
              ? '플랜 변경 결제를 철회하면 남은 이용 기간이 함께 끝나 바로 기본(무료) 플랜으로 바뀝니다.'
              : '이 결제로 이용하던 기간이 끝납니다. 남은 이용 기간이 없으면 바로 기본(무료) 플랜으로 바뀝니다.'}
          </li>
          <li>환불한 뒤에는 되돌릴 수 없습니다.</li>
        </ul>
      </ConfirmDialog>
    </>
  );
}
