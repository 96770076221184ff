/** /admin/user?id=…: one user's subscription, payments with their refunds, and the refund form. */
import { useEffect, useId, useRef, useState } from 'react';
import { api, ApiFailure, newIdempotencyKey, paymentsCsvUrl, type AdminPaymentView, type AdminUserDetailResponse, type RefundView } from '../../api.ts';
import { useLoad } from '../../hooks.ts';
import { Link, useQuery } from '../../router.tsx';
import { useCan } from '../../auth.tsx';
import { date, dateTime, KIND_LABEL, methodText, number, paymentStatus, refundKind, refundStatus, shortDate, subscriptionStatus, won } from '../../format.ts';
import { PayMark } from '../../components/PayMarks.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { Badge, LoadFailed, Notice, Skeleton, Spinner } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { AdminEngineSection } from './AdminEngineSection.tsx';
import { AdminUserActions } from './AdminUserActions.tsx';
import { ActionsHeader, FormError } from './console-ui.tsx';

type Flash = { tone: 'success' | 'warning' | 'danger'; text: string };

export function AdminUserPage() {
  const userId = useQuery().get('id') ?? '';
  const data = useLoad<AdminUserDetailResponse>(
    (signal) => (userId ? api.admin.user(userId, signal) : Promise.reject(new Error('사용자 ID가 없습니다.'))),
    [userId],
  );
  const [flash, setFlash] = useState<Flash | null>(null);
  const [refunding, setRefunding] = useState<AdminPaymentView | null>(null);
  // Keep showing the last answer while reloading after a refund.
  const last = useRef<AdminUserDetailResponse | null>(null);
  if (data.state === 'ready') last.current = data.data;
  const shown = data.state === 'ready' ? data.data : data.state === 'loading' ? last.current : null;

  return (
    <AdminShell>
      <p className="back-link">
        <Link to="/admin/users">← 사용자 검색</Link>
        {userId && (
          <>
            {' · '}
            <Link to={`/admin/timeline?id=${encodeURIComponent(userId)}`}>타임라인</Link>
          </>
        )}
      </p>
      <div aria-live="polite">{flash && <Notice tone={flash.tone}>{flash.text}</Notice>}</div>
      {data.state === 'loading' && !shown && (
        <div className="card" aria-hidden="true">
          <Skeleton width="40%" height="1.6rem" />
          <Skeleton width="100%" height="1.3rem" />
          <Skeleton width="100%" height="1.3rem" />
        </div>
      )}
      {data.state === 'error' && (
        <LoadFailed title="사용자 정보를 불러오지 못했습니다" error={data.error} onRetry={data.reload} />
      )}
      {shown && (
        <AdminUserActions
          user={shown.user}
          onDone={(f) => {
            setFlash(f);
            data.reload();
          }}
        />
      )}
      {shown && (
        <UserDetail
          d={shown}
          onRefund={(p) => setRefunding(p)}
          onSynced={(f) => {
            setFlash(f);
            data.reload();
          }}
        />
      )}
      <RefundDialog
        payment={refunding}
        onClose={() => setRefunding(null)}
        onDone={(f) => {
          setRefunding(null);
          setFlash(f);
          data.reload();
        }}
      />
    </AdminShell>
  );
}

function UserDetail({ d, onRefund, onSynced }: { d: AdminUserDetailResponse; onRefund(p: AdminPaymentView): void; onSynced(f: Flash): void }) {
  const canRefund = useCan()('payments.refund');
  const { user, payments } = d;
  const s = user.subscription;
  const st = s ? subscriptionStatus(s.status, true) : null;
  const refunds = payments.flatMap((p) => p.refunds.map((r) => ({ r, p }))).sort((a, b) => (a.r.created_at < b.r.created_at ? 1 : -1));
  const paidTotal = payments.filter((p) => p.approved_at).reduce((a, p) => a + p.amount_krw, 0);
  const refundedTotal = payments.reduce((a, p) => a + p.refunded_krw, 0);

  return (
    <>
      <section className="card user-card" aria-labelledby="user-title">
        <div className="card-head">
          <div>
            <p className="eyebrow">사용자</p>
            <h2 id="user-title" className="user-email">
              {user.email ?? '(이메일 없음)'} {user.role === 'admin' && <Badge tone="info">관리자</Badge>}
            </h2>
          </div>
          <a className="btn btn-secondary btn-sm" href={paymentsCsvUrl({ user_id: user.id })} download>
            CSV 다운로드
          </a>
        </div>
        <dl className="kv">
          <div>
            <dt>사용자 ID</dt>
            <dd className="mono">{user.id}</dd>
          </div>
          <div>
            <dt>가입일</dt>
            <dd>{date(user.created_at)}</dd>
          </div>
          <div>
            <dt>구독</dt>
            <dd>
              {s ? (
                <>
                  {s.plan_name} <Badge tone={st!.tone}>{st!.label}</Badge>
                </>
              ) : (
                '없음'
              )}
            </dd>
          </div>
          {s?.current_period_end && (
            <div>
              <dt>이용 기간</dt>
              <dd>
                {shortDate(s.current_period_start)} ~ {shortDate(s.current_period_end)} · 자동 결제 {s.auto_renew ? '켜짐' : '꺼짐'}
              </dd>
            </div>
          )}
          <div>
            <dt>결제 합계</dt>
            <dd>
              {won(paidTotal)} <span className="muted small">(환불 {won(refundedTotal)})</span>
            </dd>
          </div>
        </dl>
      </section>

      <AdminEngineSection userId={user.id} />

      <h3 className="subsection-title">결제 내역 ({number(payments.length)}건)</h3>
      {payments.length === 0 ? (
        <div className="card empty">
          <p className="empty-title">결제 내역이 없습니다</p>
        </div>
      ) : (
        <div className="card table-card">
          <table className="payments-table admin-table">
            <caption className="visually-hidden">결제 내역: 결제일, 플랜, 결제 금액, 환불, 수수료, 결제 수단, 상태, 환불</caption>
            <thead>
              <tr>
                <th scope="col">결제일</th>
                <th scope="col">플랜</th>
                <th scope="col" className="num">
                  결제 금액
                </th>
                <th scope="col" className="num">
                  수수료
                </th>
                <th scope="col">결제 수단</th>
                <th scope="col">상태</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => {
                const status = paymentStatus(p.status);
                return (
                  <tr key={p.id} data-payment-id={p.id}>
                    <td data-label="결제일">{dateTime(p.approved_at ?? p.created_at)}</td>
                    <td data-label="플랜">
                      <span className="cell-plan">{p.plan_name}</span>
                      <span className="muted small"> · {KIND_LABEL[p.kind] ?? p.kind}</span>
                    </td>
                    <td data-label="결제 금액" className="num">
                      <strong>{won(p.amount_krw)}</strong>
                      {p.refunded_krw > 0 && <span className="refund-note">환불 {won(p.refunded_krw)}</span>}
                    </td>
                    <td data-label="수수료" className="num">
                      {won(p.fee_krw + p.fee_vat_krw)}
                    </td>
                    <td data-label="결제 수단">
                      <span className="inline-mark">
                        <PayMark method={p.provider} size={16} />
                        {methodText(p.provider_name, p.method_kind, p.method_label)}
                      </span>
                    </td>
                    <td data-label="상태">
                      <Badge tone={status.tone}>{status.label}</Badge>
                    </td>
                    <td data-label="환불">
                      {p.refundable_krw > 0 && canRefund ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-sm"
                          onClick={() => onRefund(p)}
                          aria-label={`${dateTime(p.approved_at)} ${p.plan_name} ${won(p.amount_krw)} 결제 환불`}
                        >
                          환불
                        </button>
                      ) : (
                        <span className="muted small">{p.refundable_krw > 0 ? '환불 권한 없음' : '환불 가능 금액 없음'}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {refunds.length > 0 && (
        <>
          <h3 className="subsection-title">환불 내역</h3>
          <ul className="card refund-list">
            {refunds.map(({ r, p }) => (
              <RefundItem key={r.id} r={r} planName={p.plan_name} onSynced={onSynced} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function RefundItem({ r, planName, onSynced }: { r: RefundView; planName: string; onSynced(f: Flash): void }) {
  const canSync = useCan()('payments.refund');
  const st = refundStatus(r.status);
  const [busy, setBusy] = useState(false);
  async function sync() {
    setBusy(true);
    try {
      const res = await api.admin.syncRefund(r.id);
      onSynced(
        res.reconciled
          ? { tone: 'success', text: `환불 결과를 확인했습니다: ${refundStatus(res.refund.status).label}` }
          : { tone: 'warning', text: '결제사에서 아직 결과를 확인하지 못했습니다. 잠시 후 다시 시도해 주세요.' },
      );
    } catch (err) {
      onSynced({ tone: 'danger', text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <li className="refund-item">
      <div className="refund-line">
        <span>
          {refundKind(r.kind)} · {planName} <Badge tone={st.tone}>{st.label}</Badge>
        </span>
        <strong>{won(r.amount_krw)}</strong>
      </div>
      <p className="muted small">
        {dateTime(r.settled_at ?? r.created_at)} · 공급가액 {won(r.supply_krw)} · 부가세 {won(r.vat_krw)}
        {r.failure_code ? ` · 오류 ${r.failure_code}` : ''}
      </p>
      <p className="refund-reason">사유: {r.reason}</p>
      {(r.status === 'unknown' || r.status === 'requested') && canSync && (
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => void sync()} disabled={busy}>
          {busy ? <Spinner label="확인 중…" /> : '결제사에서 결과 확인'}
        </button>
      )}
    </li>
  );
}

function parseAmount(s: string): number | null {
  const digits = s.replace(/[,\s원]/g, '');
  if (!/^\d+$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

/** Amount (full or partial) and reason, then a confirmation step; one Idempotency-Key per submit. */
function RefundDialog({ payment, onClose, onDone }: { payment: AdminPaymentView | null; onClose(): void; onDone(f: Flash): void }) {
  const id = useId();
  const [mode, setMode] = useState<'full' | 'partial'>('full');
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef<string | null>(null);
  const forPayment = useRef<string | null>(null);

  // A new payment opens a fresh form.
  if (payment && forPayment.current !== payment.id) {
    forPayment.current = payment.id;
    setMode('full');
    setAmountText('');
    setReason('');
    setStep('form');
    setErrors({});
    setError(null);
    key.current = null;
  }
  if (!payment && forPayment.current !== null) forPayment.current = null;

  // Entering the confirmation step: focus "수정", so a second Enter does not refund at once.
  useEffect(() => {
    if (step === 'confirm') document.querySelector<HTMLElement>('dialog[open] [data-autofocus]')?.focus();
  }, [step]);

  const refundable = payment?.refundable_krw ?? 0;
  const amount = mode === 'full' ? refundable : parseAmount(amountText);

  function validate(): boolean {
    const e: { amount?: string; reason?: string } = {};
    if (mode === 'partial') {
      if (amount === null || amount <= 0) e.amount = '환불할 금액을 숫자로 입력해 주세요.';
      else if (amount > refundable) e.amount = `환불 가능 금액(${won(refundable)})보다 많습니다.`;
    }
    if (!reason.trim()) e.reason = '환불 사유를 입력해 주세요.';
    else if (reason.trim().length > 500) e.reason = '환불 사유는 500자 이내로 입력해 주세요.';
    setErrors(e);
    return !e.amount && !e.reason;
  }

  async function submit() {
    if (!payment || amount === null) return;
    setBusy(true);
    setError(null);
    // One key per submitted refund; a retry after a lost answer reuses it, so nothing is refunded twice.
    key.current ??= newIdempotencyKey();
    try {
      const body = mode === 'full' ? { reason: reason.trim() } : { amount_krw: amount, reason: reason.trim() };
      const r = await api.admin.refund(payment.id, body, key.current);
      key.current = null;
      const kind = r.payment.status === 'refunded' ? '전액 환불' : '부분 환불';
      onDone(
        r.outcome === 'succeeded'
          ? { tone: 'success', text: `${won(r.refund.amount_krw)} ${kind}이 완료되었습니다.` }
          : { tone: 'warning', text: `${won(r.refund.amount_krw)} 환불을 요청했지만 결제사 응답을 확인하고 있습니다. 환불 내역에서 결과를 확인해 주세요.` },
      );
    } catch (err) {
      // A refusal is stored under the key: the next attempt is a new request.
      if (err instanceof ApiFailure && err.status >= 400 && err.status < 500) key.current = null;
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={payment !== null}
      title={step === 'form' ? '결제 환불' : '환불을 진행할까요?'}
      onClose={() => !busy && onClose()}
      busy={busy}
      onSubmit={() => {
        if (step === 'form') {
          if (validate()) setStep('confirm');
        } else void submit();
      }}
      footer={
        <>
          <FormError error={error} />
          <div className="dialog-actions">
            {step === 'form' ? (
              <div key="form" className="dialog-actions-inner">
                <button type="button" className="btn btn-secondary" onClick={onClose}>
                  닫기
                </button>
                <button type="submit" className="btn btn-primary">
                  다음
                </button>
              </div>
            ) : (
              <div key="confirm" className="dialog-actions-inner">
                <button type="button" className="btn btn-secondary" onClick={() => setStep('form')} disabled={busy} data-autofocus>
                  수정
                </button>
                <button type="submit" className="btn btn-danger" disabled={busy}>
                  {busy ? <Spinner label="환불하는 중…" /> : `${won(amount ?? 0)} 환불하기`}
                </button>
              </div>
            )}
          </div>
        </>
      }
    >
      {payment && (
        <>
          <dl className="price-table dialog-prices">
            <div>
              <dt>결제</dt>
              <dd>
                {shortDate(payment.approved_at)} {payment.plan_name} · {payment.provider_name}
              </dd>
            </div>
            <div>
              <dt>결제 금액</dt>
              <dd>{won(payment.amount_krw)}</dd>
            </div>
            {payment.refunded_krw > 0 && (
              <div>
                <dt>이미 환불한 금액</dt>
                <dd>{won(payment.refunded_krw)}</dd>
              </div>
            )}
            <div className="price-total">
              <dt>환불 가능 금액</dt>
              <dd>{won(refundable)}</dd>
            </div>
          </dl>
          {step === 'form' ? (
            <div className="form">
              <fieldset className="refund-mode">
                <legend>환불 금액</legend>
                <label className="radio-line">
                  <input type="radio" name={`${id}-mode`} checked={mode === 'full'} onChange={() => setMode('full')} />
                  전액 환불 ({won(refundable)})
                </label>
                <label className="radio-line">
                  <input type="radio" name={`${id}-mode`} checked={mode === 'partial'} onChange={() => setMode('partial')} />
                  부분 환불
                </label>
              </fieldset>
              {mode === 'partial' && (
                <div className="field">
                  <label htmlFor={`${id}-amount`}>환불할 금액 (원)</label>
                  <input
                    id={`${id}-amount`}
                    inputMode="numeric"
                    autoComplete="off"
                    value={amountText}
                    onChange={(e) => {
                      setAmountText(e.target.value);
                      setErrors((x) => ({ ...x, amount: undefined }));
                    }}
                    aria-invalid={errors.amount ? true : undefined}
                    aria-describedby={`${id}-amount-hint${errors.amount ? ` ${id}-amount-err` : ''}`}
                    data-autofocus
                  />
                  <p className="field-hint" id={`${id}-amount-hint`}>
                    1원 ~ {won(refundable)}, 부가세 포함 금액
                  </p>
                  {errors.amount && (
                    <p className="field-error" id={`${id}-amount-err`}>
                      {errors.amount}
                    </p>
                  )}
                </div>
              )}
              <div className="field">
                <label htmlFor={`${id}-reason`}>환불 사유</label>
                <textarea
                  id={`${id}-reason`}
                  rows={3}
                  maxLength={500}
                  value={reason}
                  onChange={(e) => {
                    setReason(e.target.value);
                    setErrors((x) => ({ ...x, reason: undefined }));
                  }}
                  aria-invalid={errors.reason ? true : undefined}
                  aria-describedby={`${id}-reason-hint${errors.reason ? ` ${id}-reason-err` : ''}`}
                />
                <p className="field-hint" id={`${id}-reason-hint`}>
                  사용자의 영수증과 운영 기록에 남습니다. (500자 이내)
                </p>
                {errors.reason && (
                  <p className="field-error" id={`${id}-reason-err`}>
                    {errors.reason}
                  </p>
                )}
              </div>
            </div>
          ) : (
            <div className="refund-confirm">
              <p>
                <strong>{won(amount ?? 0)}</strong>을 {payment.provider_name}로 {mode === 'full' || amount === refundable ? '전액' : '부분'} 환불합니다.
                결제사에 바로 요청되며 되돌릴 수 없습니다.
              </p>
              <p className="refund-reason">사유: {reason.trim()}</p>
              {(mode === 'full' || amount === refundable) && payment.period_end && (
                <p className="muted small">전액 환불하면 이 결제로 늘어난 이용 기간이 끝납니다.</p>
              )}
            </div>
          )}
        </>
      )}
    </Dialog>
  );
}
