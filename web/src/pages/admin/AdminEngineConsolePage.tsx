/**
 * /admin/engine: the trading-engine link — API keys (create, revoke, rotate) and webhook
 * endpoints (create, stop, resume, rotate the signing secret). A key or secret is shown
 * once, right after it is made; the lists show only a prefix or hint.
 */
import { useId, useState } from 'react';
import { ApiFailure, request } from '../../api.ts';
import { dateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { Badge, Notice, Spinner } from '../../components/ui.tsx';
import { AdminShell } from './AdminShell.tsx';
import { ActionsHeader } from './console-ui.tsx';

interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
}

interface NewKey {
  id: string;
  name: string;
  scopes: string[];
  key: string;
  created_at: string;
}

interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  enabled: boolean;
  disabled_at: string | null;
  secret_hint: string;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

const SCOPES: [string, string][] = [
  ['entitlements:read', '권한 조회 (entitlements:read)'],
  ['usage:write', '사용량 기록 (usage:write)'],
];

const call = async <T,>(method: string, path: string, body?: unknown) => (await request<T>(method, path, { body })).body;
const message = (e: unknown) => (e instanceof ApiFailure ? e.message : '요청을 처리하지 못했습니다. 다시 시도해 주세요.');

export function AdminEngineConsolePage() {
  return (
    <AdminShell>
      <h2 className="section-title">트레이딩 엔진 연동</h2>
      <ApiKeysCard />
      <WebhookEndpointsCard />
    </AdminShell>
  );
}

/** A secret shown once, with a copy button. */
function OnceBox({ label, value, onDone }: { label: string; value: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="once-box" role="status" aria-label={label}>
      <p className="once-title">{label}</p>
      <code className="mono once-value" data-testid="once-value">
        {value}
      </code>
      <p className="muted small">이 키는 지금 한 번만 표시됩니다. 안전한 곳에 복사해 두세요.</p>
      <div className="card-actions">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? '복사됨' : '복사'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onDone}>
          확인했습니다
        </button>
      </div>
    </div>
  );
}

/** One request at a time per card: `busy` while it runs; a failure's message goes to `fail`. */
function useRunner() {
  const [busy, setBusy] = useState(false);
  const run = async (task: () => Promise<void>, fail: (message: string) => void) => {
    setBusy(true);
    try {
      await task();
    } catch (e) {
      fail(message(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}

function ApiKeysCard() {
  const id = useId();
  const keys = useLoad((signal) => request<{ api_keys: ApiKeyView[] }>('GET', '/api/admin/api-keys', { signal }).then((r) => r.body.api_keys), []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['entitlements:read', 'usage:write']);
  const { busy, run } = useRunner();
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<NewKey | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'revoke' | 'rotate'; key: ApiKeyView } | null>(null);
  const [confirmError, setConfirmError] = useState<string | null>(null);

  const create = async () => {
    if (!name.trim()) return setError('키 이름을 입력해 주세요.');
    if (scopes.length === 0) return setError('권한을 하나 이상 고르세요.');
    setError(null);
    await run(async () => {
      setShown(await call<NewKey>('POST', '/api/admin/api-keys', { name: name.trim(), scopes }));
      setName('');
      keys.reload();
    }, setError);
  };

  const act = async () => {
    if (!confirm) return;
    setConfirmError(null);
    await run(async () => {
      const path = `/api/admin/api-keys/${encodeURIComponent(confirm.key.id)}/${confirm.kind}`;
      if (confirm.kind === 'rotate') setShown(await call<NewKey>('POST', path, {}));
      else await call('POST', path, {});
      setConfirm(null);
      keys.reload();
    }, setConfirmError);
  };

  return (
    <section className="card engine-console-card" aria-labelledby={`${id}-title`} data-card="api-keys">
      <h3 id={`${id}-title`} className="card-title">
        API 키
      </h3>
      <p className="muted small">트레이딩 엔진이 권한 조회와 사용량 기록에 쓰는 키입니다. 키 값은 만들 때 한 번만 보여 드립니다.</p>
      <form
        className="engine-console-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void create();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-name`}>키 이름</label>
          <input id={`${id}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="예: 운영 엔진" />
        </div>
        <fieldset className="engine-console-scopes">
          <legend>권한</legend>
          {SCOPES.map(([scope, label]) => (
            <label key={scope} className="engine-console-check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes((s) => (e.target.checked ? [...s, scope] : s.filter((x) => x !== scope)))}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="card-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && !confirm ? <Spinner label="만드는 중…" /> : 'API 키 만들기'}
          </button>
        </div>
      </form>
      {shown && <OnceBox label={`새 API 키: ${shown.name}`} value={shown.key} onDone={() => setShown(null)} />}
      {keys.state === 'loading' && <p className="muted">불러오는 중…</p>}
      {keys.state === 'error' && <Notice tone="danger" title="API 키를 불러오지 못했습니다.">{keys.error.message}</Notice>}
      {keys.state === 'ready' &&
        (keys.data.length === 0 ? (
          <p className="muted" data-loaded="api-keys">
            아직 API 키가 없습니다.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="admin-table" aria-label="API 키 목록" data-loaded="api-keys">
              <thead>
                <tr>
                  <th scope="col">이름</th>
                  <th scope="col">접두어</th>
                  <th scope="col">권한</th>
                  <th scope="col">상태</th>
                  <th scope="col">만든 때 · 마지막 사용</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {keys.data.map((k) => {
                  const expired = k.expires_at !== null && new Date(k.expires_at).getTime() <= Date.now();
                  return (
                    <tr key={k.id} data-key-id={k.id}>
                      <td>{k.name}</td>
                      <td className="mono">{k.prefix}…</td>
                      <td>{k.scopes.join(', ')}</td>
                      <td>
                        {k.revoked_at ? (
                          <Badge tone="danger">폐기됨</Badge>
                        ) : expired ? (
                          <Badge tone="neutral">만료됨</Badge>
                        ) : k.expires_at ? (
                          <Badge tone="warning">{dateTime(k.expires_at)} 만료 예정</Badge>
                        ) : (
                          <Badge tone="success">사용 중</Badge>
                        )}
                      </td>
                      <td>
                        {dateTime(k.created_at)}
                        <br />
                        <span className="muted small">{k.last_used_at ? `마지막 사용 ${dateTime(k.last_used_at)}` : '사용 기록 없음'}</span>
                      </td>
                      <td>
                        {!k.revoked_at && !expired && (
                          <>
                            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm({ kind: 'rotate', key: k })}>
                              교체
                            </button>{' '}
                            <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirm({ kind: 'revoke', key: k })}>
                              폐기
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.kind === 'revoke' ? 'API 키를 폐기할까요?' : 'API 키를 교체할까요?'}
        confirmLabel={confirm?.kind === 'revoke' ? '폐기하기' : '교체하기'}
        danger={confirm?.kind === 'revoke'}
        busy={busy}
        error={confirmError}
        onConfirm={() => void act()}
        onClose={() => {
          setConfirm(null);
          setConfirmError(null);
        }}
      >
        {confirm?.kind === 'revoke' ? (
          <p>‘{confirm.key.name}’ 키를 폐기하면 이 키를 쓰는 엔진의 요청이 즉시 거부됩니다. 되돌릴 수 없습니다.</p>
        ) : (
          <p>‘{confirm?.key.name}’ 키를 새 키로 바꿉니다. 이전 키는 24시간 동안 함께 쓸 수 있고 그 뒤 만료됩니다.</p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function WebhookEndpointsCard() {
  const id = useId();
  const endpoints = useLoad(
    (signal) => request<{ endpoints: EndpointView[] }>('GET', '/api/admin/webhook-endpoints', { signal }).then((r) => r.body.endpoints),
    [],
  );
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const { busy, run } = useRunner();
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ url: string; secret: string } | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'disable' | 'enable' | 'rotate-secret'; endpoint: EndpointView } | null>(null);
  const [confirmError, setConfirmError] = useState<string | null>(null);

  const create = async () => {
    if (!url.trim()) return setError('웹훅 URL을 입력해 주세요.');
    setError(null);
    await run(async () => {
      const body: { url: string; description?: string } = { url: url.trim() };
      if (description.trim()) body.description = description.trim();
      const e = await call<EndpointView & { secret: string }>('POST', '/api/admin/webhook-endpoints', body);
      setShown({ url: e.url, secret: e.secret });
      setUrl('');
      setDescription('');
      endpoints.reload();
    }, setError);
  };

  const act = async () => {
    if (!confirm) return;
    setConfirmError(null);
    await run(async () => {
      const e = await call<EndpointView & { secret?: string }>(
        'POST',
        `/api/admin/webhook-endpoints/${encodeURIComponent(confirm.endpoint.id)}/${confirm.kind}`,
        {},
      );
      if (confirm.kind === 'rotate-secret' && e.secret) setShown({ url: e.url, secret: e.secret });
      setConfirm(null);
      endpoints.reload();
    }, setConfirmError);
  };

  const titles = { disable: '웹훅 전송을 중지할까요?', enable: '웹훅 전송을 재개할까요?', 'rotate-secret': '서명 비밀키를 교체할까요?' };
  const labels = { disable: '중지하기', enable: '재개하기', 'rotate-secret': '교체하기' };

  return (
    <section className="card engine-console-card" aria-labelledby={`${id}-title`} data-card="webhooks">
      <h3 id={`${id}-title`} className="card-title">
        웹훅 엔드포인트
      </h3>
      <p className="muted small">구독 · 권한 변경 이벤트를 서명(Standard Webhooks)해서 보내는 주소입니다. 비밀키는 만들 때와 교체할 때 한 번만 보여 드립니다.</p>
      <form
        className="engine-console-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void create();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-url`}>웹훅 URL</label>
          <input id={`${id}-url`} type="url" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://engine.example.com/webhooks/billing" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-desc`}>설명 (선택)</label>
          <input id={`${id}-desc`} value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="card-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && !confirm ? <Spinner label="등록하는 중…" /> : '엔드포인트 등록'}
          </button>
        </div>
      </form>
      {shown && <OnceBox label={`서명 비밀키: ${shown.url}`} value={shown.secret} onDone={() => setShown(null)} />}
      {endpoints.state === 'loading' && <p className="muted">불러오는 중…</p>}
      {endpoints.state === 'error' && <Notice tone="danger" title="웹훅 엔드포인트를 불러오지 못했습니다.">{endpoints.error.message}</Notice>}
      {endpoints.state === 'ready' &&
        (endpoints.data.length === 0 ? (
          <p className="muted" data-loaded="webhooks">
            등록된 웹훅 엔드포인트가 없습니다.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="admin-table" aria-label="웹훅 엔드포인트 목록" data-loaded="webhooks">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">상태</th>
                  <th scope="col">비밀키</th>
                  <th scope="col">등록</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {endpoints.data.map((e) => (
                  <tr key={e.id} data-endpoint-id={e.id}>
                    <td>
                      <span className="mono engine-console-url">{e.url}</span>
                      {e.description && <div className="muted small">{e.description}</div>}
                    </td>
                    <td>{e.enabled ? <Badge tone="success">전송 중</Badge> : <Badge tone="warning">중지됨</Badge>}</td>
                    <td>
                      <span className="mono">{e.secret_hint}</span>
                      {e.previous_secret_expires_at && (
                        <div className="muted small">이전 키 {dateTime(e.previous_secret_expires_at)}까지 유효</div>
                      )}
                    </td>
                    <td>{dateTime(e.created_at)}</td>
                    <td>
                      {e.enabled ? (
                        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm({ kind: 'disable', endpoint: e })}>
                          중지
                        </button>
                      ) : (
                        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm({ kind: 'enable', endpoint: e })}>
                          재개
                        </button>
                      )}{' '}
                      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm({ kind: 'rotate-secret', endpoint: e })}>
                        비밀키 교체
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? titles[confirm.kind] : ''}
        confirmLabel={confirm ? labels[confirm.kind] : ''}
        danger={confirm?.kind === 'disable'}
        busy={busy}
        error={confirmError}
        onConfirm={() => void act()}
        onClose={() => {
          setConfirm(null);
          setConfirmError(null);
        }}
      >
        <p className="engine-console-url">{confirm?.endpoint.url}</p>
        {confirm?.kind === 'disable' && <p>중지하는 동안 이벤트는 쌓였다가 재개하면 순서대로 전송됩니다.</p>}
        {confirm?.kind === 'enable' && <p>쌓인 이벤트부터 순서대로 전송을 다시 시작합니다.</p>}
        {confirm?.kind === 'rotate-secret' && <p>새 비밀키로 서명합니다. 이전 비밀키도 24시간 동안 함께 서명합니다.</p>}
      </ConfirmDialog>
    </section>
  );
}
