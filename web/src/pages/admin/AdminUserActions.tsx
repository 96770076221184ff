/**
 * The operator's actions on one subscriber (issue 14.4): each opens a dialog that asks for the
 * reason (required, kept in the audit log) and the action's own input, then calls the API.
 * The server checks the staff member's permission and the subscription's state; its refusal is
 * shown in the dialog.
 */
import { useId, useState } from 'react';
import { api, type AdminUserView, type PlansResponse } from '../../api.ts';
import { consoleApi, type ActionName } from '../../console-api.ts';
import { useLoad } from '../../hooks.ts';
import { dateTime, shortDate } from '../../format.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Badge, Spinner } from '../../components/ui.tsx';
import { FormError } from './console-ui.tsx';

type Flash = { tone: 'success' | 'warning' | 'danger'; text: string };

interface ActionDef {
  name: ActionName;
  label: string;
  title: string;
  confirm: string;
  danger?: boolean;
}

const ACTIONS: ActionDef[] = [
  { name: 'extend', label: '기간 연장', title: '이용 기간 연장', confirm: '연장하기' },
  { name: 'change-plan', label: '플랜 변경', title: '플랜 변경', confirm: '변경하기' },
  { name: 'cancel', label: '자동 결제 해지', title: '자동 결제 해지', confirm: '해지하기', danger: true },
  { name: 'resume', label: '자동 결제 재개', title: '자동 결제 재개', confirm: '재개하기' },
  { name: 'retry-renewal', label: '갱신 결제 재시도', title: '실패한 갱신 결제 지금 재시도', confirm: '지금 결제하기' },
  { name: 'revoke-billing-key', label: '결제 수단 해지', title: '결제 수단(빌링키) 해지', confirm: '해지하기', danger: true },
];

const HINTS: Partial<Record<ActionName, string>> = {
  extend: '요금을 받지 않고 이용 기간의 끝을 늦춥니다. 다음 자동 결제도 그만큼 늦어집니다.',
  'change-plan': '결제나 환불 없이 플랜을 바꿉니다. 다음 자동 결제부터 새 플랜 가격으로 청구됩니다.',
  cancel: '자동 결제를 끄고 결제 수단을 해지합니다. 이미 결제한 기간 끝까지는 이용할 수 있습니다.',
  resume: '결제 수단이 남아 있을 때만 자동 결제를 다시 켤 수 있습니다.',
  'retry-renewal': '결제 실패로 연체 중인 구독의 갱신 결제를 예정된 재시도 시각을 기다리지 않고 지금 청구합니다.',
  'revoke-billing-key': '결제사에서 빌링키를 해지합니다. 사용자가 새 결제 수단을 등록하지 않으면 기간이 끝날 때 구독이 끝납니다.',
};

const OUTCOME: Record<string, string> = {
  approved: '결제가 승인되었습니다.',
  declined: '결제가 다시 거절되었습니다.',
  unknown: '결제사 응답을 확인하고 있습니다.',
  deferred: '결제사 사정으로 잠시 뒤 다시 시도합니다.',
  not_charged: '결제되지 않았습니다.',
  skipped: '청구할 결제가 없었습니다.',
};

export function AdminUserActions({ user, onDone }: { user: AdminUserView; onDone(f: Flash): void }) {
  const [open, setOpen] = useState<ActionDef | null>(null);
  const [resending, setResending] = useState<{ id: string; subject: string } | null>(null);
  const notices = useLoad((signal) => consoleApi.notices(user.id, signal), [user.id]);
  const s = user.subscription;

  return (
    <>
      <section className="card" data-card="user-actions" aria-labelledby="user-actions-title">
        <h3 id="user-actions-title" className="card-title">
          운영 작업
        </h3>
        {s ? (
          <div className="action-row">
            {ACTIONS.map((a) => (
              <button key={a.name} type="button" className={`btn btn-sm ${a.danger ? 'btn-danger-outline btn-secondary' : 'btn-secondary'}`} onClick={() => setOpen(a)}>
                {a.label}
              </button>
            ))}
          </div>
        ) : (
          <p className="muted small">구독이 없어 할 수 있는 작업이 없습니다.</p>
        )}
        <h4 className="subsection-title">보낸 알림</h4>
        {notices.state === 'ready' && notices.data.notices.length === 0 && <p className="muted small">보낸 알림이 없습니다.</p>}
        {notices.state === 'error' && <p className="muted small">{notices.error.message}</p>}
        {notices.state === 'ready' && notices.data.notices.length > 0 && (
          <ul className="notice-list" data-loaded="notices">
            {notices.data.notices.map((n) => (
              <li key={n.id} className="refund-line" data-notice-id={n.id}>
                <span>
                  {n.subject} <Badge tone={n.status === 'sent' ? 'success' : n.status === 'failed' ? 'danger' : 'neutral'}>{n.status === 'sent' ? '발송됨' : n.status === 'pending' ? '대기' : n.status}</Badge>
                  <span className="muted small"> · {dateTime(n.sent_at ?? n.created_at)}</span>
                </span>
                <button type="button" className="btn btn-secondary btn-sm" onClick={() => setResending({ id: n.id, subject: n.subject })}>
                  재발송
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <ActionDialog
        action={open}
        user={user}
        onClose={() => setOpen(null)}
        onDone={(f) => {
          setOpen(null);
          onDone(f);
        }}
      />
      <ReasonDialog
        open={resending !== null}
        title="알림 재발송"
        hint={resending ? `“${resending.subject}” 알림을 같은 내용으로 다시 보냅니다.` : ''}
        confirm="재발송하기"
        onClose={() => setResending(null)}
        run={async (reason) => {
          await consoleApi.resendNotice(user.id, resending!.id, reason);
          setResending(null);
          notices.reload();
          onDone({ tone: 'success', text: '알림을 다시 보내도록 등록했습니다.' });
        }}
      />
    </>
  );
}

function ActionDialog({ action, user, onClose, onDone }: { action: ActionDef | null; user: AdminUserView; onClose(): void; onDone(f: Flash): void }) {
  const id = useId();
  const [days, setDays] = useState('7');
  const [plan, setPlan] = useState('');
  const [when, setWhen] = useState<'now' | 'next_renewal'>('now');
  const plans = useLoad<PlansResponse>((signal) => api.plans(signal), []);
  const s = user.subscription;
  const paidPlans = plans.state === 'ready' ? plans.data.plans.filter((p) => p.price_krw > 0 && p.id !== s?.plan) : [];
  const daysNumber = /^\d+$/.test(days) ? Number(days) : NaN;

  return (
    <ReasonDialog
      open={action !== null}
      title={action?.title ?? ''}
      hint={action ? HINTS[action.name] ?? '' : ''}
      confirm={action?.confirm ?? ''}
      danger={action?.danger}
      onClose={onClose}
      validate={() => {
        if (action?.name === 'extend' && !(daysNumber >= 1 && daysNumber <= 365)) return '연장 일수는 1~365일로 입력해 주세요.';
        if (action?.name === 'change-plan' && !(plan || paidPlans[0]?.id)) return '바꿀 플랜을 골라 주세요.';
        return null;
      }}
      run={async (reason) => {
        if (!action) return;
        const body: Record<string, unknown> = { reason };
        if (action.name === 'extend') body.days = daysNumber;
        if (action.name === 'change-plan') Object.assign(body, { plan: plan || paidPlans[0]?.id, when });
        const r = await consoleApi.action(user.id, action.name, body);
        const end = r.subscription.current_period_end ? ` 이용 기간: ~${shortDate(r.subscription.current_period_end)}` : '';
        const text =
          action.name === 'retry-renewal'
            ? `갱신 결제를 재시도했습니다. ${OUTCOME[r.outcome ?? ''] ?? ''}`
            : `${action.label}을(를) 처리했습니다.${action.name === 'extend' ? end : ''}`;
        onDone({ tone: action.name === 'retry-renewal' && r.outcome !== 'approved' ? 'warning' : 'success', text });
      }}
    >
      {action?.name === 'extend' && (
        <div className="field">
          <label htmlFor={`${id}-days`}>연장 일수</label>
          <input id={`${id}-days`} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} data-autofocus />
          {s?.current_period_end && <p className="field-hint">지금 이용 기간 끝: {dateTime(s.current_period_end)}</p>}
        </div>
      )}
      {action?.name === 'change-plan' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-plan`}>새 플랜</label>
            <select id={`${id}-plan`} value={plan || paidPlans[0]?.id || ''} onChange={(e) => setPlan(e.target.value)}>
              {paidPlans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.price_krw.toLocaleString('ko-KR')}원)
                </option>
              ))}
            </select>
          </div>
          <fieldset className="refund-mode">
            <legend>적용 시점</legend>
            <label className="radio-line">
              <input type="radio" name={`${id}-when`} checked={when === 'now'} onChange={() => setWhen('now')} />
              지금 바로
            </label>
            <label className="radio-line">
              <input type="radio" name={`${id}-when`} checked={when === 'next_renewal'} onChange={() => setWhen('next_renewal')} />
              다음 결제부터
            </label>
          </fieldset>
        </>
      )}
    </ReasonDialog>
  );
}

/** A dialog with a required reason; `run` throws to show the server's refusal. */
function ReasonDialog(props: {
  open: boolean;
  title: string;
  hint: string;
  confirm: string;
  danger?: boolean;
  onClose(): void;
  validate?(): string | null;
  run(reason: string): Promise<void>;
  children?: React.ReactNode;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [wasOpen, setWasOpen] = useState(false);
  if (props.open !== wasOpen) {
    setWasOpen(props.open);
    if (props.open) {
      setReason('');
      setError(null);
    }
  }

  async function submit() {
    const problem = !reason.trim() ? '작업 사유를 입력해 주세요.' : reason.trim().length > 500 ? '작업 사유는 500자 이내로 입력해 주세요.' : props.validate?.() ?? null;
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await props.run(reason.trim());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={() => !busy && props.onClose()}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <FormError error={error} />
          <div className="dialog-actions">
            <div className="dialog-actions-inner">
              <button type="button" className="btn btn-secondary" onClick={props.onClose} disabled={busy}>
                닫기
              </button>
              <button type="submit" className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
                {busy ? <Spinner label="처리하는 중…" /> : props.confirm}
              </button>
            </div>
          </div>
        </>
      }
    >
      <div className="form">
        {props.hint && <p className="muted small">{props.hint}</p>}
        {props.children}
        <div className="field">
          <label htmlFor={`${id}-reason`}>작업 사유</label>
          <textarea id={`${id}-reason`} rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          <p className="field-hint">관리 작업 기록에 남습니다. (필수, 500자 이내)</p>
        </div>
      </div>
    </Dialog>
  );
}
