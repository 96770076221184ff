import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../composition.ts';
import { issueSandboxAdminToken } from '../cli/sandbox-admin-token.ts';
import { createWebhookEndpoint } from '../use-cases/manage-webhook-endpoints.ts';
import type { EngineStandin } from './engine-standin-app.ts';

export const STANDIN_KEY_SCOPES = ['entitlements:read', 'usage:write'];
const KEY_FILE = 'engine-standin-api-key';

/**
 * Wires the stand-in engine to the service with zero setup (APP_ENV=local, sandbox mode):
 * a webhook endpoint pointing at it (found by URL, else created) and an API key for its client
 * (kept in `<DATA_DIR>/engine-standin-api-key`; made again when the database no longer knows it).
 * Idempotent across restarts. Returns what was set up.
 */
export async function connectEngineStandin(services: Services, app: FastifyInstance, standin: EngineStandin): Promise<{ endpointId: string; apiKey: string | null }> {
  const repo = services.webhooks.repo;
  let endpoint = (await repo.listEndpoints()).find((e) => e.url === new URL(standin.webhookUrl).toString());
  endpoint ??= await createWebhookEndpoint(services.webhooks.admin, { url: standin.webhookUrl, description: '로컬 자동매매 엔진 대역 (npm start)' });
  const endpointId = endpoint.id;
  const secrets = async (): Promise<string[]> => {
    const e = await repo.getEndpoint(endpointId);
    if (!e) return [];
    const now = services.wallClock.now();
    return e.previousSecret && e.previousSecretExpiresAt && e.previousSecretExpiresAt > now ? [e.secret, e.previousSecret] : [e.secret];
  };
  const apiKey = await standinApiKey(services, app).catch((err) => {
    services.logger.warn({ err }, 'engine stand-in: no API key (reservations from its page are off)');
    return null;
  });
  standin.configure({ secrets, apiKey });
  return { endpointId, apiKey };
}

async function standinApiKey(services: Services, app: FastifyInstance): Promise<string | null> {
  const file = join(services.config.dataDir, KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    const probe = await app.inject({ method: 'GET', url: '/api/v1/entitlements/usr_standin_probe', headers: { authorization: `Bearer ${key}` } });
    if (probe.statusCode !== 401 && probe.statusCode !== 403) return key;
  }
  const { token } = await issueSandboxAdminToken(services);
  const res = await app.inject({
    method: 'POST',
    url: '/api/admin/api-keys',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'engine-standin (npm start)', scopes: STANDIN_KEY_SCOPES }),
  });
  if (res.statusCode !== 201) {
    services.logger.warn({ status: res.statusCode }, 'engine stand-in: could not create an API key');
    return null;
  }
  const key = String(res.json().key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
