import { AppError } from '../domain/errors.ts';
import type { Clock, IdGenerator } from '../domain/ports.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from '../domain/engine/webhook-store.ts';

export interface WebhookAdminDeps {
  webhooks: WebhookStore;
  ids: IdGenerator;
  clock: Clock;
  /** A fresh `whsec_…` signing secret (random; built in composition.ts). */
  newSecret: () => string;
  /** Plain http:// endpoints are accepted only in APP_ENV=local. */
  allowHttp: boolean;
}

/** After a rotation the old secret keeps signing beside the new one this long. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** Endpoint URLs: absolute http(s), no credentials, no fragment; https outside APP_ENV=local. */
export function checkEndpointUrl(raw: string, allowHttp: boolean): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', '웹훅 URL 형식이 올바르지 않습니다.', { field: 'url' });
  }
  const okProtocol = u.protocol === 'https:' || (allowHttp && u.protocol === 'http:');
  if (!okProtocol) throw new AppError('VALIDATION_FAILED', allowHttp ? '웹훅 URL은 http(s)여야 합니다.' : '웹훅 URL은 https여야 합니다.', { field: 'url' });
  if (u.username || u.password || u.hash) throw new AppError('VALIDATION_FAILED', '웹훅 URL에 계정 정보나 #은 넣을 수 없습니다.', { field: 'url' });
  return u.toString();
}

export async function createWebhookEndpoint(deps: WebhookAdminDeps, input: { url: string; description?: string | null }): Promise<WebhookEndpoint> {
  return deps.webhooks.insertEndpoint({
    id: deps.ids.next('whe'),
    url: checkEndpointUrl(input.url, deps.allowHttp),
    description: input.description ?? null,
    secret: deps.newSecret(),
    now: deps.clock.now(),
  });
}

async function found<T>(p: Promise<T | null>, what = '웹훅 엔드포인트'): Promise<T> {
  const v = await p;
  if (!v) throw new AppError('NOT_FOUND', `${what}를 찾을 수 없습니다.`);
  return v;
}

/** Disabled endpoints get no deliveries; events keep queueing for them and go out, in order, once enabled. */
export function setWebhookEndpointEnabled(deps: WebhookAdminDeps, id: string, enabled: boolean): Promise<WebhookEndpoint> {
  const now = deps.clock.now();
  return found(deps.webhooks.setDisabled(id, enabled ? null : now, now));
}

export function rotateWebhookSecret(deps: WebhookAdminDeps, id: string): Promise<WebhookEndpoint> {
  const now = deps.clock.now();
  return found(deps.webhooks.rotateSecret(id, deps.newSecret(), new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS), now));
}

export function replayWebhookDelivery(deps: WebhookAdminDeps, id: string): Promise<WebhookDelivery> {
  return found(deps.webhooks.replayDelivery(id, deps.clock.now()), '웹훅 전송 기록');
}

export async function replayEngineEvent(deps: WebhookAdminDeps, eventId: string): Promise<WebhookDelivery[]> {
  if (!(await deps.webhooks.eventExists(eventId))) throw new AppError('NOT_FOUND', '이벤트를 찾을 수 없습니다.');
  return deps.webhooks.replayEvent(eventId, deps.clock.now());
}
